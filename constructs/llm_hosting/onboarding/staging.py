"""`stage`: one model from the Hub to one S3 prefix, resumable, ending in a manifest that marks it complete.

Order: resolve the model and choose its files (small reads only) -> check the bucket (exists,
accepts a write, holds nothing unexpected) -> check the disk -> download what the cache lacks ->
remove an old manifest -> upload what S3 does not already hold with the same checksum -> verify ->
write the manifest. An interruption anywhere leaves no manifest, and the next run skips what is
already done on both sides.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from llm_hosting.onboarding import OnboardingError, byte_bar
from llm_hosting.onboarding.files import Selection, select_files
from llm_hosting.onboarding.hub import Hub, HubError, HubModel
from llm_hosting.onboarding.manifest import MANIFEST, Manifest, ManifestError, StagedFile, parse_manifest
from llm_hosting.onboarding.upload import (
    DEFAULT_PART_SIZE,
    LocalFile,
    Uploader,
    delete_paths,
    hash_file,
    list_prefix,
    read_object,
)
from llm_hosting.publish import ACCESS_DENIED_CODES, error_code, is_missing


@dataclass(frozen=True)
class StageResult:
    uri: str
    model: HubModel
    selection: Selection
    sent: tuple[str, ...]
    kept: tuple[str, ...]
    """Files S3 already held with the same checksum."""
    bytes_sent: int
    already_staged: bool
    pruned: tuple[str, ...] = ()


def check_bucket(s3: Any, bucket: str, prefix: str, region: str | None) -> None:
    """The bucket exists, is reachable in this region, and accepts a write under the prefix.

    The write is a multipart upload that is created and aborted at once: it needs the same
    s3:PutObject (and, with SSE-KMS, kms:GenerateDataKey) as the real upload, and leaves no object.
    """
    uri = f"s3://{bucket}/{prefix}"
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as err:
        code = error_code(err)
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if is_missing(err) or code == "NoSuchBucket":
            raise OnboardingError(
                f"{uri}: bucket {bucket} does not exist; create it, or check the bucket name"
            ) from None
        if status == 301 or code in ("301", "PermanentRedirect"):
            elsewhere = err.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
            where = f"in {elsewhere}" if elsewhere else "in another region"
            raise OnboardingError(
                f"{uri}: bucket {bucket} is {where}, not {region}; pass --region {elsewhere or 'REGION'}"
            ) from None
        if status == 403 or code in ACCESS_DENIED_CODES:
            raise OnboardingError(
                f"{uri}: access to bucket {bucket} is denied (HeadBucket); your credentials need s3:ListBucket on it"
            ) from None
        raise
    try:
        upload = s3.create_multipart_upload(Bucket=bucket, Key=f"{prefix}{MANIFEST}", ChecksumAlgorithm="SHA256")
    except ClientError as err:
        code = error_code(err)
        if code in ACCESS_DENIED_CODES or code.startswith("KMS"):
            raise OnboardingError(
                f"{uri}: bucket {bucket} is not writable ({code} on CreateMultipartUpload); your credentials need "
                f"s3:PutObject on arn:aws:s3:::{bucket}/{prefix}* (and kms:GenerateDataKey on the bucket's key "
                "if it uses SSE-KMS)"
            ) from None
        raise
    s3.abort_multipart_upload(Bucket=bucket, Key=f"{prefix}{MANIFEST}", UploadId=upload["UploadId"])


def _read_manifest(s3: Any, bucket: str, prefix: str) -> Manifest | None:
    body = read_object(s3, bucket, f"{prefix}{MANIFEST}")
    if body is None:
        return None
    try:
        return parse_manifest(body)
    except ManifestError:
        return None  # unreadable: treated as absent, and replaced at the end


def _already_staged(manifest: Manifest | None, model: HubModel, selection: Selection, listing: dict[str, int]) -> bool:
    """The manifest says this very commit and file set is complete, and every object is there at its size."""
    if manifest is None or manifest.commit != model.commit or manifest.model_id != model.model_id:
        return False
    wanted = {path: model.sizes[path] for path in selection.files}
    return manifest.sizes == wanted and all(listing.get(path) == size for path, size in wanted.items())


def stage_model(
    *,
    hub: Hub,
    s3: Any,
    model_id: str,
    revision: str,
    bucket: str,
    prefix: str,
    region: str | None = None,
    allow_patterns: Sequence[str] | None = None,
    prune: bool = False,
    part_size: int = DEFAULT_PART_SIZE,
    max_workers: int = 8,
    on_upload_progress: Callable[[int], None] | None = None,
) -> StageResult:
    """Stage `model_id` at `revision` into `s3://bucket/prefix` (see the module docstring)."""
    uri = f"s3://{bucket}/{prefix}"
    model = hub.resolve(model_id, revision)
    hub.require_access(model)
    try:
        selection = select_files(model.sizes, lambda path: hub.fetch(model, path), allow_patterns=allow_patterns)
    except HubError:
        raise
    except OnboardingError as err:  # the choice of files: say which model and revision
        raise OnboardingError(f"{model.label}: {err}") from None

    check_bucket(s3, bucket, prefix, region)
    listing = list_prefix(s3, bucket, prefix)
    extra = sorted(set(listing) - set(selection.files) - {MANIFEST})
    if extra and not prune:
        shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        objects = f"{len(extra)} object that is" if len(extra) == 1 else f"{len(extra)} objects that are"
        raise OnboardingError(
            f"{uri}: holds {objects} "
            f"not files of {model.label} ({shown}), which the engine would load too; stage into an empty prefix, "
            "or pass --prune to delete them"
        )
    manifest = _read_manifest(s3, bucket, prefix)
    if _already_staged(manifest, model, selection, listing) and not extra:
        return StageResult(uri, model, selection, (), tuple(selection.files), 0, already_staged=True)

    hub.check_disk(model, selection.files)
    folder = hub.download(model, selection.files)

    uploader = Uploader(s3, bucket, prefix, max_workers=max_workers)
    if MANIFEST in listing:  # from here on the prefix is incomplete until the new manifest is written
        s3.delete_object(Bucket=bucket, Key=f"{prefix}{MANIFEST}")
    uploader.abort_unfinished([*selection.files, MANIFEST])  # MANIFEST: check_bucket's probe, if its abort failed

    local: list[LocalFile] = []
    with byte_bar(sum(model.sizes[p] for p in selection.files), "checksums") as bar:
        for path in selection.files:
            local.append(hash_file(path, folder / path, part_size=part_size))
            bar.update(local[-1].size)
    to_send = [f for f in local if not uploader.up_to_date(f)]
    kept = tuple(f.path for f in local if f not in to_send)

    # The kept objects were compared by their stored checksum just now; each sent one is read back.
    with byte_bar(sum(f.size for f in to_send), "upload") as bar:

        def progress(sent: int) -> None:
            bar.update(sent)
            if on_upload_progress is not None:
                on_upload_progress(sent)

        uploader.on_progress = progress
        for f in to_send:
            uploader.upload(f)

    if prune and extra:
        delete_paths(s3, bucket, prefix, extra)

    staged = Manifest(
        model_id=model.model_id,
        revision=revision,
        commit=model.commit,
        model_type=selection.model_type,
        files=tuple(StagedFile(f.path, f.size, f.sha256, f.checksum) for f in local),
    )
    manifest_file = staged.to_json()
    s3.put_object(
        Bucket=bucket,
        Key=f"{prefix}{MANIFEST}",
        Body=manifest_file,
        ContentType="application/json",
        ChecksumAlgorithm="SHA256",
        ChecksumSHA256=base64.b64encode(hashlib.sha256(manifest_file).digest()).decode(),
    )
    return StageResult(
        uri,
        model,
        selection,
        sent=tuple(f.path for f in to_send),
        kept=kept,
        bytes_sent=sum(f.size for f in to_send),
        already_staged=False,
        pruned=tuple(extra) if prune else (),
    )
