"""Publish a model to a multi-model endpoint: pack it reproducibly, hash it, upload it once.

The archive lands at `s3://BUCKET/<endpoint prefix>/<name>.tar.gz` with its SHA-256 in the object
metadata. Publishing the same content again is a no-op; different content under the same name is
refused unless forced. Content is compared by that SHA-256, never by ETag: with SSE-KMS (the
artifact bucket's default) or multipart uploads an ETag is not the MD5 of the bytes.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from llm_hosting.naming import ARTIFACT_BUCKET_OUTPUT, artifacts_stack_name
from llm_hosting.packaging.archive import build_archive, iter_source_files

ARCHIVE_SUFFIX = ".tar.gz"
SHA256_METADATA = "sha256"
"""Object metadata key (`x-amz-meta-sha256`) holding the archive's SHA-256, hex."""
TRITON_CONFIG = "config.pbtxt"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_CHUNK = 1024 * 1024

Outcome = Literal["uploaded", "unchanged", "replaced"]


class PublishError(Exception):
    """A model that cannot be published as asked; `str()` is one line with the fix."""


@dataclass(frozen=True)
class ModelArchive:
    """A packed model, ready to upload."""

    name: str
    """The TargetModel without `.tar.gz`."""
    path: Path
    sha256: str
    size_bytes: int
    root: str
    """Top-level folder inside the archive ("" for none)."""

    @property
    def filename(self) -> str:
        return f"{self.name}{ARCHIVE_SUFFIX}"


@dataclass(frozen=True)
class Published:
    bucket: str
    key: str
    sha256: str
    size_bytes: int
    outcome: Outcome
    previous_sha256: str | None = None
    """What the replaced object held (`replaced`), if it said."""

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def default_root(source: Path) -> str:
    """The archive's top-level folder when none is asked for.

    A Triton multi-model endpoint unpacks each archive as a model repository: every top-level
    folder is one model (`<model>/config.pbtxt`, `<model>/1/model.py`). So a directory with
    `config.pbtxt` at its top is one Triton model and goes into a folder of its own name (Triton
    requires the folder to match the `name` in config.pbtxt). Any other directory is taken to be a
    whole repository already (an ensemble with several models, or a non-Triton model) and is
    archived as it is, without an extra folder.
    """
    return source.name if (source / TRITON_CONFIG).is_file() else ""


def archive_name(source: Path, name: str | None = None) -> str:
    """The model's name on the endpoint (TargetModel without `.tar.gz`): `name`, else the directory's."""
    chosen = name if name is not None else source.name
    if chosen.endswith(ARCHIVE_SUFFIX):
        chosen = chosen[: -len(ARCHIVE_SUFFIX)]
    if not _NAME.fullmatch(chosen):
        what = f"--name {name!r}" if name is not None else f"directory name {chosen!r}"
        raise PublishError(
            f"{what} is not a usable model name; use up to 200 letters, digits, '.', '_' and '-', "
            "starting with a letter or digit" + ("" if name is not None else " (or pass --name)")
        )
    return chosen


def _clean_root(root: str) -> str:
    parts = [p for p in root.strip("/").split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise PublishError(f"archive root {root!r} may not contain '.' or '..'; name a folder such as 'bert'")
    return "/".join(parts)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pack_model(source: Path, workdir: Path, *, name: str | None = None, root: str | None = None) -> ModelArchive:
    """Build `<workdir>/<name>.tar.gz` from `source` (same files, same bytes) under `root` (see `default_root`)."""
    if not source.is_dir():
        what = "does not exist" if not source.exists() else "is not a directory"
        raise PublishError(f"{source}: {what}; pass the directory that holds the model")
    model_name = archive_name(source, name)
    if next(iter_source_files(source), None) is None:
        raise PublishError(f"{source}: has no files to publish (caches and editor files are left out)")
    top = _clean_root(default_root(source) if root is None else root)
    path = build_archive(workdir / f"{model_name}{ARCHIVE_SUFFIX}", source=source, prefix=top)
    return ModelArchive(name=model_name, path=path, sha256=sha256_file(path), size_bytes=path.stat().st_size, root=top)


def _existing(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    try:
        head: dict[str, Any] = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404 or err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return head


def publish_archive(
    s3: Any,
    archive: ModelArchive,
    *,
    bucket: str,
    prefix: str,
    force: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> Published:
    """Upload `archive` to `s3://bucket/prefix<name>.tar.gz` unless the same content is already there.

    Different content there is refused (PublishError) unless `force`; the bucket is versioned, so a
    forced replacement keeps the old archive as a noncurrent version. `on_progress` gets the bytes
    sent since its last call (calls are serialised; the transfer itself uses several threads).
    """
    key = f"{prefix}{archive.filename}"
    uri = f"s3://{bucket}/{key}"
    head = _existing(s3, bucket, key)
    previous: str | None = None
    if head is not None:
        previous = head.get("Metadata", {}).get(SHA256_METADATA)
        if previous == archive.sha256:
            return Published(bucket, key, archive.sha256, archive.size_bytes, "unchanged", previous)
        if not force:
            there = f"sha256 {previous[:12]}…" if previous else "no sha256 metadata (not published by this tool)"
            raise PublishError(
                f"{uri}: already exists with different content ({there}, this archive sha256 "
                f"{archive.sha256[:12]}…); pass --force to replace it, or publish under another --name"
            )

    lock = threading.Lock()

    def progress(sent: int) -> None:
        if on_progress is not None:
            with lock:
                on_progress(sent)

    s3.upload_file(
        str(archive.path),
        bucket,
        key,
        ExtraArgs={"Metadata": {SHA256_METADATA: archive.sha256}, "ContentType": "application/gzip"},
        Callback=progress,
    )
    outcome: Outcome = "uploaded" if head is None else "replaced"
    return Published(bucket, key, archive.sha256, archive.size_bytes, outcome, previous)


def find_artifact_bucket(cloudformation: Any, project: str) -> str:
    """The artifact bucket's name, from the `ArtifactBucketName` output of stack `<project>-artifacts`."""
    stack_name = artifacts_stack_name(project)
    region = cloudformation.meta.region_name
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as err:
        message = err.response.get("Error", {}).get("Message", "")
        if err.response.get("Error", {}).get("Code") == "ValidationError" and "does not exist" in message:
            raise PublishError(
                f"stack {stack_name} does not exist in {region}; deploy it first (cdk deploy {stack_name})"
            ) from None
        raise
    outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in (stacks[0].get("Outputs") or [])} if stacks else {}
    bucket = outputs.get(ARTIFACT_BUCKET_OUTPUT)
    if not bucket:
        raise PublishError(
            f"stack {stack_name} in {region} has no output {ARTIFACT_BUCKET_OUTPUT}; deploy the current app "
            f"(cdk deploy {stack_name})"
        )
    return str(bucket)
