"""Publish a model to a multi-model endpoint: pack it reproducibly, hash it, upload it once.

The archive lands at `s3://BUCKET/<endpoint prefix>/<name>.tar.gz` with its SHA-256 in the object
metadata (or in a local directory, to inspect or test it). Publishing the same content again is a
no-op; different content under the same name is refused unless forced. Content is compared by that
SHA-256, never by ETag: with SSE-KMS (the artifact bucket's default) or multipart uploads an ETag is
not the MD5 of the bytes. A Triton repository's models are renamed per archive first, so that any
number of archives of one repository can be loaded side by side (`plan_rewrite`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
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
WriteOutcome = Literal["written", "unchanged", "replaced"]


class PublishError(Exception):
    """A model that cannot be published as asked; `str()` is one line with the fix."""


ACCESS_DENIED_CODES = ("AccessDenied", "AccessDeniedException", "403", "Forbidden", "UnauthorizedOperation")
"""Error codes AWS services answer a request the credentials may not make with."""


def error_code(err: ClientError) -> str:
    """The AWS error code of a ClientError (`NoSuchKey`, `AccessDenied`, ...), "" when it has none."""
    return str(err.response.get("Error", {}).get("Code") or "")


def is_missing(err: ClientError) -> bool:
    """A ClientError saying what was asked for is not there (the answer to a HEAD has only its 404 status)."""
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 or error_code(err) in ("404", "NoSuchKey", "NotFound")


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
    renamed: Mapping[str, str] = field(default_factory=dict)
    """Models of a Triton repository renamed for this archive: old name -> new name (see `plan_rewrite`)."""

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


# --- one Triton repository, many archives ------------------------------------------------------
#
# On a Triton multi-model endpoint SageMaker registers every archive as a model repository of its own
# and loads only its entry model under the TargetModel's name (SageMakerMMELoadModel in
# src/sagemaker_server.cc, triton-inference-server/server v2.51.0). Triton runs with model namespacing
# (docker/sagemaker/serve), so models of different archives may share a name, but only where Triton
# resolves a name inside the namespace of the model that names it:
#
# - an ensemble's steps: resolved in the ensemble's own repository (ensemble_scheduler.cc builds each
#   step's ModelIdentifier with the ensemble's namespace, triton-inference-server/core r24.10);
# - everything addressed by a bare name: a BLS request from a Python model (TRITONSERVER_InferenceRequestNew
#   -> InferenceServer::GetModel(name)), the KServe infer, config and statistics APIs, and metrics
#   labels. ModelRepositoryManager::FindModelIdentifier answers those from a server-wide map and fails
#   as soon as two loaded archives hold a model of that name. Observed with tritonserver 2.51.0 and two
#   unrenamed autocomplete archives: both answer "... Model 'decoder' is not ready." (tests/triton).
#
# So the name of a model reached through BLS (autocomplete's `decoder`) must be unique on the
# instance, and the other members' names must be too for their statistics and metrics to stay per
# customer. Every member is therefore renamed `<archive name>--<member>`: its folder, its config
# `name`, the ensemble steps' `model_name`, and the string parameters that name it (`decoder_model`)
# or reach into its folder (`tokenizer_dir: ../preprocess/1`). The entry model keeps its folder:
# SageMaker maps that folder to the TargetModel. Member names may not contain "--" or ".", so a new
# name splits back at its last "--" into one archive name and one member: two archives never derive
# the same name, and no derived name ends in ".tar.gz" as a TargetModel does.

MEMBER_SEPARATOR = "--"
_MEMBER_NAME = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")
# What SageMaker's front end matches on the raw config text to find the entry model (src/sagemaker_server.h).
SAGEMAKER_ENSEMBLE = re.compile(r'platform:(\s)*"ensemble"')
_TOKEN = re.compile(r'\s+|#[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|[{}\[\]<>:,;]|[^\s{}\[\]<>:,;#"\']+')


@dataclass(frozen=True)
class Rewrite:
    """How one Triton repository is renamed for one archive."""

    entry: str
    """The folder SageMaker loads (the ensemble); it keeps its name."""
    renamed: Mapping[str, str]
    """Every other model folder: old name -> new name."""


def model_folders(source: Path) -> list[str]:
    """Top-level folders with a config.pbtxt: the models of a Triton repository."""
    return sorted(p.name for p in source.iterdir() if p.is_dir() and (p / TRITON_CONFIG).is_file())


def plan_rewrite(source: Path, name: str) -> Rewrite | None:
    """The renames that make `source`, archived as `name`, safe beside any other archive (None: nothing to rename).

    Only a whole repository (models as top-level folders) is renamed; a single model directory or a
    directory without Triton models is archived as it is.
    """
    if (source / TRITON_CONFIG).is_file():
        return None
    models = model_folders(source)
    if len(models) < 2:
        return None
    ensembles = [
        m for m in models if SAGEMAKER_ENSEMBLE.search((source / m / TRITON_CONFIG).read_text(errors="replace"))
    ]
    if len(ensembles) != 1:
        found = f"{len(ensembles)} ({', '.join(ensembles)})" if ensembles else "none"
        raise PublishError(
            f'{source}: {len(models)} model folders and {found} with platform: "ensemble" in its config.pbtxt; '
            "SageMaker loads exactly one model per archive, so keep exactly one ensemble whose steps name the others"
        )
    entry = ensembles[0]
    renamed: dict[str, str] = {}
    for model in models:
        if model == entry:
            continue
        if not _MEMBER_NAME.fullmatch(model):
            raise PublishError(
                f"{source / model}: model folder name {model!r} cannot be renamed per archive; use letters, digits, "
                "'_' and single '-' only"
            )
        renamed[model] = f"{name}{MEMBER_SEPARATOR}{model}"
    return Rewrite(entry, renamed)


def _string_fields(text: str) -> Iterator[tuple[tuple[str, ...], re.Match[str]]]:
    """Each string literal of a protobuf text-format config, with the field path that holds it."""
    messages: list[str] = []  # fields of the enclosing messages
    lists: list[str | None] = []  # the field of each enclosing [ ... ]
    field_name: str | None = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token.isspace() or token.startswith("#") or token in (":", ",", ";"):
            continue
        if token in ("{", "<"):
            messages.append(field_name or (lists[-1] if lists and lists[-1] else ""))
            lists.append(None)
            field_name = None
        elif token in ("}", ">"):
            if messages:
                messages.pop()
                lists.pop()
            field_name = None
        elif token == "[":  # noqa: S105 - a protobuf text token, not a password
            lists.append(field_name)
        elif token == "]":  # noqa: S105
            if lists:
                lists.pop()
            field_name = None
        elif token[0] in "\"'":
            owner = field_name or (lists[-1] if lists and lists[-1] else "")
            yield (*messages, owner), match
        else:
            field_name = token


def rewrite_config(text: str, own_name: str | None, renamed: Mapping[str, str]) -> str:
    """`text` with the model names of `renamed` replaced where Triton or the models read them.

    `own_name` is the model's new name (None for the entry model, whose name SageMaker sets).
    Comments, layout and every other string stay as they are.
    """
    pieces: list[str] = []
    last = 0
    for path, match in _string_fields(text):
        raw = match.group()
        value = raw[1:-1]
        new: str | None = None
        if path == ("name",) and own_name is not None:
            new = own_name
        elif path == ("ensemble_scheduling", "step", "model_name"):
            new = renamed.get(value)
        elif path == ("parameters", "value", "string_value"):
            new = _rewrite_parameter(value, renamed)
        if new is not None and new != value:
            pieces += [text[last : match.start()], raw[0] + new + raw[0]]
            last = match.end()
    return "".join(pieces) + text[last:]


def _rewrite_parameter(value: str, renamed: Mapping[str, str]) -> str | None:
    """A parameter naming a member (`decoder_model: decoder`) or a path into a sibling's folder (`../preprocess/1`)."""
    if value in renamed:
        return renamed[value]
    parts = value.split("/")
    changed = [renamed.get(part, part) if i > 0 and parts[i - 1] == ".." else part for i, part in enumerate(parts)]
    return "/".join(changed) if changed != parts else None


def stage_repository(source: Path, staging: Path, rewrite: Rewrite) -> Path:
    """A renamed copy of `source` under `staging` (the source itself is never modified)."""
    shutil.copytree(source, staging, symlinks=False, ignore=shutil.ignore_patterns("__pycache__"))
    for old, new in rewrite.renamed.items():
        (staging / old).rename(staging / new)
    for folder in [rewrite.entry, *rewrite.renamed.values()]:
        config = staging / folder / TRITON_CONFIG
        own_name = None if folder == rewrite.entry else folder
        config.write_text(rewrite_config(config.read_text(), own_name, rewrite.renamed))
    return staging


def pack_model(source: Path, workdir: Path, *, name: str | None = None, root: str | None = None) -> ModelArchive:
    """Build `<workdir>/<name>.tar.gz` from `source` under `root` (see `default_root`).

    The same files give the same bytes. A Triton repository archived at the root has its models
    renamed for `name` first (`plan_rewrite`), in a staging copy.
    """
    if not source.is_dir():
        what = "does not exist" if not source.exists() else "is not a directory"
        raise PublishError(f"{source}: {what}; pass the directory that holds the model")
    model_name = archive_name(source, name)
    if next(iter_source_files(source), None) is None:
        raise PublishError(f"{source}: has no files to publish (caches and editor files are left out)")
    top = _clean_root(default_root(source) if root is None else root)
    rewrite = plan_rewrite(source, model_name) if top == "" else None
    packed = source
    if rewrite is not None:
        packed = stage_repository(source, workdir / f"{model_name}.staging", rewrite)
    try:
        path = build_archive(workdir / f"{model_name}{ARCHIVE_SUFFIX}", source=packed, prefix=top)
    finally:
        if packed != source:
            shutil.rmtree(packed, ignore_errors=True)
    return ModelArchive(
        name=model_name,
        path=path,
        sha256=sha256_file(path),
        size_bytes=path.stat().st_size,
        root=top,
        renamed=dict(rewrite.renamed) if rewrite else {},
    )


@dataclass(frozen=True)
class Written:
    path: Path
    sha256: str
    size_bytes: int
    outcome: WriteOutcome
    previous_sha256: str | None = None


def write_archive(archive: ModelArchive, directory: Path, *, force: bool = False) -> Written:
    """Put `archive` at `directory/<name>.tar.gz`, with the same no-op/refuse/--force rules as an upload.

    The file appears complete or not at all (written beside it, then renamed).
    """
    if directory.exists() and not directory.is_dir():
        raise PublishError(f"--output {directory}: is not a directory; pass a directory to write the archive into")
    directory.mkdir(parents=True, exist_ok=True)
    dest = directory / archive.filename
    previous: str | None = None
    if dest.exists():
        previous = sha256_file(dest)
        if previous == archive.sha256:
            return Written(dest, archive.sha256, archive.size_bytes, "unchanged", previous)
        if not force:
            raise PublishError(
                f"{dest}: already exists with different content (sha256 {previous[:12]}…, this archive sha256 "
                f"{archive.sha256[:12]}…); pass --force to replace it, or publish under another --name"
            )
    handle, partial = tempfile.mkstemp(prefix=f".{archive.filename}.", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out, archive.path.open("rb") as data:
            shutil.copyfileobj(data, out, _CHUNK)
        os.chmod(partial, 0o644)
        os.replace(partial, dest)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    outcome: WriteOutcome = "written" if previous is None else "replaced"
    return Written(dest, archive.sha256, archive.size_bytes, outcome, previous)


def _existing(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    try:
        head: dict[str, Any] = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        if is_missing(err):
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
        if error_code(err) == "ValidationError" and "does not exist" in message:
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
