"""Put a model's files under an S3 prefix with SHA-256 checksums that S3 verifies, skipping what is already there.

Every object carries an S3 additional checksum (SHA-256): a single PUT sends the file's SHA-256, a
multipart upload sends each part's, and S3 refuses a body that does not match (BadDigest). The
object's stored checksum is then `base64(sha256)` for a single PUT and, for a multipart object,
`base64(sha256(part digests concatenated))-<parts>` (S3's COMPOSITE type). Both are computed
locally from the same part size, so an object whose stored checksum and size match the local file
is skipped on a rerun, and every object uploaded is read back (HeadObject, ChecksumMode=ENABLED)
and compared before the prefix is declared complete. The whole file's SHA-256 also goes into the
object metadata (`x-amz-meta-sha256`), as `publish` does.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from llm_hosting.onboarding import OnboardingError
from llm_hosting.publish import SHA256_METADATA, is_missing

MiB = 1024 * 1024
MIN_PART_SIZE = 5 * MiB
"""S3: every part of a multipart upload but the last is at least 5 MiB."""
MAX_PART_SIZE = 5 * 1024 * MiB
"""S3: a part is at most 5 GiB."""
MAX_PARTS = 10_000
"""S3: a multipart upload has at most 10,000 parts."""
DEFAULT_PART_SIZE = 64 * MiB
_CHUNK = MiB


def part_size_for(size: int, preferred: int = DEFAULT_PART_SIZE) -> int:
    """The part size for a file: `preferred`, or the whole MiB that keeps it within 10,000 parts."""
    if not MIN_PART_SIZE <= preferred <= MAX_PART_SIZE:
        raise ValueError(f"part size {preferred} is outside S3's {MIN_PART_SIZE}-{MAX_PART_SIZE} bytes (5 MiB-5 GiB)")
    needed = -(-size // MAX_PARTS)
    return max(preferred, -(-needed // MiB) * MiB)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class LocalFile:
    """A file to upload, hashed the way S3 will checksum it."""

    path: str
    """Key relative to the prefix."""
    source: Path
    size: int
    part_size: int
    sha256: str
    """Hex SHA-256 of the whole file."""
    part_digests: tuple[bytes, ...]
    """SHA-256 of each part (one per part_size bytes; a single PUT has one)."""

    @property
    def multipart(self) -> bool:
        return len(self.part_digests) > 1

    @property
    def checksum(self) -> str:
        """The S3 SHA-256 checksum this file gets (see the module docstring)."""
        if not self.multipart:
            return _b64(bytes.fromhex(self.sha256))
        composite = hashlib.sha256(b"".join(self.part_digests)).digest()
        return f"{_b64(composite)}-{len(self.part_digests)}"


def hash_file(path: str, source: Path, *, part_size: int = DEFAULT_PART_SIZE) -> LocalFile:
    """Read `source` once: its SHA-256 and the SHA-256 of every part."""
    size = source.stat().st_size
    part_size = part_size_for(size, part_size)
    whole = hashlib.sha256()
    parts: list[bytes] = []
    with source.open("rb") as stream:
        while True:
            part = hashlib.sha256()
            left = part_size
            read = 0
            while left and (chunk := stream.read(min(_CHUNK, left))):
                whole.update(chunk)
                part.update(chunk)
                left -= len(chunk)
                read += len(chunk)
            if read == 0 and parts:
                break
            parts.append(part.digest())
            if read < part_size:
                break
    digests = tuple(parts) if len(parts) > 1 else (bytes.fromhex(whole.hexdigest()),)
    return LocalFile(path, source, size, part_size, whole.hexdigest(), digests)


def same_checksum(stored: str | None, expected: str) -> bool:
    """Whether S3's stored checksum is `expected`. HeadObject may or may not append `-<parts>` to a
    composite checksum (S3 does; moto does not), so the part count is compared only when present."""
    if not stored:
        return False
    base, _, parts = stored.partition("-")
    expected_base, _, expected_parts = expected.partition("-")
    return base == expected_base and (not parts or parts == expected_parts)


@dataclass(frozen=True)
class StoredObject:
    size: int
    checksum_sha256: str | None


class Uploader:
    """Uploads files under `s3://bucket/prefix`; `on_progress` gets the bytes sent since its last call.

    `on_progress` is called from the calling thread only, once per part or object sent, so an
    exception it raises stops the upload there (and aborts an unfinished multipart upload).
    """

    def __init__(
        self,
        s3: Any,
        bucket: str,
        prefix: str,
        *,
        max_workers: int = 8,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self.max_workers = max_workers
        self.on_progress = on_progress

    def key(self, path: str) -> str:
        return f"{self.prefix}{path}"

    def uri(self, path: str) -> str:
        return f"s3://{self.bucket}/{self.key(path)}"

    def stored(self, path: str) -> StoredObject | None:
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=self.key(path), ChecksumMode="ENABLED")
        except ClientError as err:
            if is_missing(err):
                return None
            raise
        return StoredObject(
            size=int(head.get("ContentLength", -1)),
            checksum_sha256=head.get("ChecksumSHA256"),
        )

    def up_to_date(self, local: LocalFile) -> bool:
        stored = self.stored(local.path)
        return (
            stored is not None and stored.size == local.size and same_checksum(stored.checksum_sha256, local.checksum)
        )

    def _progress(self, sent: int) -> None:
        if self.on_progress is not None:
            self.on_progress(sent)

    def upload(self, local: LocalFile) -> str:
        """Send `local`, then read its checksum back from S3; returns the stored checksum."""
        if local.multipart:
            self._multipart(local)
        else:
            with local.source.open("rb") as body:
                self.s3.put_object(
                    Bucket=self.bucket,
                    Key=self.key(local.path),
                    Body=body,
                    ContentLength=local.size,
                    ChecksumAlgorithm="SHA256",
                    ChecksumSHA256=local.checksum,
                    Metadata={SHA256_METADATA: local.sha256},
                )
            self._progress(local.size)
        return self.verify(local)

    def verify(self, local: LocalFile) -> str:
        stored = self.stored(local.path)
        if stored is None or stored.size != local.size or not same_checksum(stored.checksum_sha256, local.checksum):
            what = "is missing" if stored is None else f"has size {stored.size} and checksum {stored.checksum_sha256}"
            raise OnboardingError(
                f"{self.uri(local.path)}: after the upload S3 {what}, expected size {local.size} and SHA-256 "
                f"checksum {local.checksum}; run stage again"
            )
        return local.checksum

    def _read_part(self, local: LocalFile, number: int) -> bytes:
        with local.source.open("rb") as stream:
            stream.seek((number - 1) * local.part_size)
            return stream.read(local.part_size)

    def _send_part(self, local: LocalFile, upload_id: str, number: int) -> dict[str, Any]:
        body = self._read_part(local, number)
        answer = self.s3.upload_part(
            Bucket=self.bucket,
            Key=self.key(local.path),
            UploadId=upload_id,
            PartNumber=number,
            Body=body,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=_b64(local.part_digests[number - 1]),
        )
        return {
            "PartNumber": number,
            "ETag": answer["ETag"],
            "ChecksumSHA256": _b64(local.part_digests[number - 1]),
            "size": len(body),
        }

    def _multipart(self, local: LocalFile) -> None:
        key = self.key(local.path)
        upload_id = self.s3.create_multipart_upload(
            Bucket=self.bucket,
            Key=key,
            ChecksumAlgorithm="SHA256",
            Metadata={SHA256_METADATA: local.sha256},
        )["UploadId"]
        completed = False
        try:
            parts: list[dict[str, Any]] = []
            numbers = range(1, len(local.part_digests) + 1)
            with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="stage-part") as pool:
                pending: set[Future[dict[str, Any]]] = {
                    pool.submit(self._send_part, local, upload_id, n) for n in numbers
                }
                try:
                    while pending:
                        done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                        for future in done:
                            part = future.result()
                            parts.append(part)
                            self._progress(part.pop("size"))
                finally:
                    for future in pending:
                        future.cancel()
            self.s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": sorted(parts, key=lambda p: int(p["PartNumber"]))},
            )
            completed = True
        finally:
            if not completed:
                self._abort(key, upload_id)

    def _abort(self, key: str, upload_id: str) -> None:
        # Best effort: an upload left open holds its parts (and their storage cost) until it is aborted;
        # the next run aborts it too (abort_unfinished).
        with contextlib.suppress(ClientError):
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def abort_unfinished(self, paths: Iterable[str]) -> int:
        """Abort multipart uploads to these keys that an interrupted run left open; how many."""
        keys = {self.key(p) for p in paths}
        aborted = 0
        paginator = self.s3.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for upload in page.get("Uploads") or []:
                if upload["Key"] in keys:
                    self._abort(upload["Key"], upload["UploadId"])
                    aborted += 1
        return aborted


def list_prefix(s3: Any, bucket: str, prefix: str) -> dict[str, int]:
    """Every object under the prefix: path relative to it -> size."""
    found: dict[str, int] = {}
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents") or []:
            found[item["Key"][len(prefix) :]] = int(item["Size"])
    return found


def delete_paths(s3: Any, bucket: str, prefix: str, paths: Iterable[str]) -> None:
    """Delete these objects (DeleteObjects takes at most 1,000 keys a call)."""
    keys = [f"{prefix}{p}" for p in paths]
    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
        errors = answer.get("Errors") or []
        if errors:
            first = errors[0]
            raise OnboardingError(
                f"s3://{bucket}/{first.get('Key')}: could not be deleted ({first.get('Code')}: "
                f"{first.get('Message')}); your credentials need s3:DeleteObject"
            )


def read_object(s3: Any, bucket: str, key: str) -> bytes | None:
    """An object's body, or None when there is no such object."""
    try:
        body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as err:
        if is_missing(err):
            return None
        raise
    return body


_S3_PREFIX = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<prefix>.*)$")


def split_s3_prefix(uri: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix/` -> (bucket, 'some/prefix/'); a missing final '/' is added."""
    match = _S3_PREFIX.match(uri)
    if not match or match.group("prefix").startswith("/") or "//" in match.group("prefix"):
        raise OnboardingError(
            f"--to {uri!r} is not an S3 prefix; write s3://BUCKET/PREFIX/ with a bucket name of 3-63 lower-case "
            "letters, digits, dots and hyphens"
        )
    prefix = match.group("prefix")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return match.group("bucket"), prefix
