"""Turn a catalog model into the `model.tar.gz` its container reads, and stage it as a file asset.

DJL engines always get an archive, because that is where `serving.properties` (with the catalog's
tensor parallel degree, weights location and batching) lives; other engines get one when they
name a `code` directory. Archives are reproducible, so the asset hash follows the content only.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from constructs import Construct

from llm_hosting.catalog.schema import ModelSpec
from llm_hosting.packaging.archive import build_archive
from llm_hosting.packaging.serving_properties import DJL_ENGINES, merge_properties, parse_properties, render_properties
from llm_hosting.stack_info import stack_info


@functools.cache
def _staging_dir() -> Path:
    """One scratch directory per process for built archives (the assembly keeps its own copies)."""
    staging = Path(tempfile.mkdtemp(prefix="llm-hosting-archives-"))
    atexit.register(shutil.rmtree, staging, ignore_errors=True)
    return staging


def serving_properties(model: ModelSpec, code_dir: Path | None) -> str:
    """The serving.properties text an archive carries for a DJL model."""
    file_props: dict[str, str] = {}
    if code_dir is not None and (code_dir / "serving.properties").is_file():
        file_props = parse_properties((code_dir / "serving.properties").read_text(encoding="utf-8"))
    merged, conflicts = merge_properties(file_props, model)
    if conflicts:  # the catalog rules refuse these before synthesis; this guards direct use
        key, in_file, in_catalog = conflicts[0]
        raise ValueError(f"serving.properties sets {key}={in_file} but the catalog gives {in_catalog}")
    return render_properties(merged)


def package_model(model: ModelSpec, *, name: str, code_dir: Path | None) -> Path | None:
    """Build the archive for `model` (named after its owner `name`); None if it needs none."""
    if model.engine not in DJL_ENGINES and code_dir is None:
        return None
    destination = Path(tempfile.mkdtemp(dir=_staging_dir())) / f"{name}.tar.gz"
    replace = None
    if model.engine in DJL_ENGINES:
        replace = {"serving.properties": serving_properties(model, code_dir).encode()}
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
