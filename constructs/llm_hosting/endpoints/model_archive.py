"""Model archives: build a reproducible `model.tar.gz` and stage it as a file asset of a stack.

Archives are reproducible (sorted entries, fixed owners and times), so the asset hash follows the
content only and the same model never uploads twice.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from constructs import Construct

from llm_hosting.packaging.archive import build_archive
from llm_hosting.stack_info import stack_info


@functools.cache
def _staging_dir() -> Path:
    """One scratch directory per process for built archives (the assembly keeps its own copies)."""
    staging = Path(tempfile.mkdtemp(prefix="llm-hosting-archives-"))
    atexit.register(shutil.rmtree, staging, ignore_errors=True)
    return staging


def build_model_archive(name: str, *, code_dir: Path | None, replace: Mapping[str, bytes] | None = None) -> Path:
    """`<name>.tar.gz` holding `code_dir` (in a folder of its name, else of `name`) with `replace`'s files."""
    destination = Path(tempfile.mkdtemp(dir=_staging_dir())) / f"{name}.tar.gz"
    prefix = code_dir.name if code_dir is not None else name
    return build_archive(destination, source=code_dir, prefix=prefix, replace=replace)


@dataclass(frozen=True)
class StagedArchive:
    """A model archive registered as a file asset of a stack."""

    s3_url: str
    object_arn: str


def stage_archive(scope: Construct, archive: Path) -> StagedArchive:
    """Register `archive` as a file asset whose S3 key ends in `.tar.gz`, as SageMaker expects.

    The synthesizer names objects `<source hash><extension of the file name>`, and the extension of
    `x.tar.gz` is only `.gz`; so the source hash carries the `.tar` (it stays the content hash).
    """
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    info = stack_info(scope)
    # CDK stages every asset in the top-level assembly directory; a stack inside a nested Stage (a
    # pipeline's) finds it through a path relative to its own directory, as CDK's own assets do.
    staged = Path(info.asset_outdir) / f"asset.{digest}.tar.gz"
    if not staged.exists():
        staged.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(archive, staged)
    location = info.synthesizer.add_file_asset(
        source_hash=f"{digest}.tar",
        file_name=os.path.relpath(staged, info.outdir),
        packaging=cdk.FileAssetPackaging.FILE,
    )
    return StagedArchive(
        s3_url=location.s3_object_url,
        object_arn=f"arn:{info.partition}:s3:::{location.bucket_name}/{location.object_key}",
    )
