"""Publishing model archives: reproducible packing, SHA-256 in the metadata, no silent overwrite."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path
from typing import Any

import boto3
import pytest

from llm_hosting.naming import ARTIFACT_BUCKET_OUTPUT, artifacts_stack_name, model_prefix
from llm_hosting.publish import (
    SHA256_METADATA,
    ModelArchive,
    PublishError,
    find_artifact_bucket,
    pack_model,
    publish_archive,
)
from tests.mme.conftest import ENDPOINT

PREFIX = model_prefix(ENDPOINT)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def triton_model(tmp_path: Path) -> Path:
    """One Triton model: config.pbtxt at the top, the version folder below."""
    return write_tree(
        tmp_path / "src" / "bert",
        {"config.pbtxt": 'name: "bert"\nbackend: "python"\n', "1/model.py": "class TritonPythonModel: ...\n"},
    )


def members(archive: ModelArchive) -> list[str]:
    with tarfile.open(archive.path) as tar:
        return tar.getnames()


def pack(source: Path, tmp_path: Path, **kwargs: Any) -> ModelArchive:
    workdir = tmp_path / f"work-{len(list(tmp_path.glob('work-*')))}"
    workdir.mkdir()
    return pack_model(source, workdir, **kwargs)


# --- packing --------------------------------------------------------------------------------------


def test_a_triton_model_directory_is_archived_inside_a_folder_of_its_own_name(
    triton_model: Path, tmp_path: Path
) -> None:
    archive = pack(triton_model, tmp_path)

    assert (archive.name, archive.filename, archive.root) == ("bert", "bert.tar.gz", "bert")
    assert members(archive) == ["bert", "bert/1", "bert/1/model.py", "bert/config.pbtxt"]


def test_a_model_repository_is_archived_as_it_is(tmp_path: Path) -> None:
    repository = write_tree(
        tmp_path / "src" / "embeddings-acme",
        {
            "ensemble/config.pbtxt": 'name: "ensemble"\n',
            "encoder/config.pbtxt": 'name: "encoder"\n',
            "encoder/1/model.pt": "weights",
        },
    )

    archive = pack(repository, tmp_path)

    assert archive.root == ""
    assert [m for m in members(archive) if m.endswith("config.pbtxt")] == [
        "encoder/config.pbtxt",
        "ensemble/config.pbtxt",
    ]


def test_the_name_changes_the_archive_but_not_the_triton_folder(triton_model: Path, tmp_path: Path) -> None:
    archive = pack(triton_model, tmp_path, name="bert-acme.tar.gz")

    assert archive.filename == "bert-acme.tar.gz"
    assert members(archive)[0] == "bert"


def test_the_top_level_folder_can_be_chosen_or_left_out(triton_model: Path, tmp_path: Path) -> None:
    assert members(pack(triton_model, tmp_path, root="model"))[0] == "model"
    assert "config.pbtxt" in members(pack(triton_model, tmp_path, root=""))


def test_the_same_directory_packs_to_the_same_bytes(triton_model: Path, tmp_path: Path) -> None:
    first, second = pack(triton_model, tmp_path), pack(triton_model, tmp_path)

    assert first.sha256 == second.sha256 == hashlib.sha256(second.path.read_bytes()).hexdigest()


def source_that(kind: str, tmp_path: Path) -> Path:
    if kind == "is missing":
        return tmp_path / "missing"
    if kind == "is a file":
        (tmp_path / "model.tar.gz").write_bytes(b"")
        return tmp_path / "model.tar.gz"
    if kind == "is empty":
        write_tree(tmp_path / "empty", {"__pycache__/x.pyc": ""})
        return tmp_path / "empty"
    return write_tree(tmp_path / "my model", {"config.pbtxt": ""})


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("is missing", "missing: does not exist; pass the directory that holds the model"),
        ("is a file", "model.tar.gz: is not a directory"),
        ("is empty", "empty: has no files to publish"),
        ("has a space in its name", "directory name 'my model' is not a usable model name; .* \\(or pass --name\\)"),
    ],
)
def test_unusable_sources_are_refused_with_the_fix(tmp_path: Path, kind: str, message: str) -> None:
    with pytest.raises(PublishError, match=message):
        pack(source_that(kind, tmp_path), tmp_path)


def test_a_name_that_cannot_be_a_target_model_is_refused(triton_model: Path, tmp_path: Path) -> None:
    with pytest.raises(PublishError, match=r"--name 'acme/bert' is not a usable model name"):
        pack(triton_model, tmp_path, name="acme/bert")


# --- uploading ------------------------------------------------------------------------------------


@pytest.fixture
def versioned(s3: Any, bucket: str) -> str:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def versions(s3: Any, bucket: str, key: str) -> int:
    return len(s3.list_object_versions(Bucket=bucket, Prefix=key).get("Versions", []))


def test_publishing_uploads_the_archive_with_its_sha256_and_reports_progress(
    s3: Any, versioned: str, triton_model: Path, tmp_path: Path
) -> None:
    archive = pack(triton_model, tmp_path)
    progress: list[int] = []

    result = publish_archive(s3, archive, bucket=versioned, prefix=PREFIX, on_progress=progress.append)

    assert (result.outcome, result.uri) == ("uploaded", f"s3://{versioned}/embeddings/bert.tar.gz")
    stored = s3.get_object(Bucket=versioned, Key="embeddings/bert.tar.gz")
    body = stored["Body"].read()
    assert stored["Metadata"] == {SHA256_METADATA: archive.sha256}
    assert hashlib.sha256(body).hexdigest() == archive.sha256 == result.sha256
    assert sum(progress) == archive.size_bytes == len(body)


def test_publishing_the_same_content_again_is_a_no_op(
    s3: Any, versioned: str, triton_model: Path, tmp_path: Path
) -> None:
    publish_archive(s3, pack(triton_model, tmp_path), bucket=versioned, prefix=PREFIX)
    progress: list[int] = []

    again = publish_archive(
        s3, pack(triton_model, tmp_path), bucket=versioned, prefix=PREFIX, on_progress=progress.append
    )

    assert again.outcome == "unchanged"
    assert progress == []
    assert versions(s3, versioned, "embeddings/bert.tar.gz") == 1


def test_different_content_under_the_same_name_is_refused_without_force(
    s3: Any, versioned: str, triton_model: Path, tmp_path: Path
) -> None:
    first = publish_archive(s3, pack(triton_model, tmp_path), bucket=versioned, prefix=PREFIX)
    (triton_model / "1" / "model.py").write_text("class TritonPythonModel: pass  # v2\n")

    with pytest.raises(PublishError, match=r"already exists with different content .* pass --force"):
        publish_archive(s3, pack(triton_model, tmp_path), bucket=versioned, prefix=PREFIX)

    assert s3.head_object(Bucket=versioned, Key=first.key)["Metadata"][SHA256_METADATA] == first.sha256
    assert versions(s3, versioned, first.key) == 1


def test_force_replaces_different_content_and_names_what_it_replaced(
    s3: Any, versioned: str, triton_model: Path, tmp_path: Path
) -> None:
    first = publish_archive(s3, pack(triton_model, tmp_path), bucket=versioned, prefix=PREFIX)
    (triton_model / "1" / "model.py").write_text("class TritonPythonModel: pass  # v2\n")
    archive = pack(triton_model, tmp_path)

    result = publish_archive(s3, archive, bucket=versioned, prefix=PREFIX, force=True)

    assert (result.outcome, result.previous_sha256, result.sha256) == ("replaced", first.sha256, archive.sha256)
    assert s3.head_object(Bucket=versioned, Key=first.key)["Metadata"][SHA256_METADATA] == archive.sha256
    assert versions(s3, versioned, first.key) == 2


def test_an_object_put_there_by_other_means_is_not_overwritten(
    s3: Any, bucket: str, triton_model: Path, tmp_path: Path
) -> None:
    archive = pack(triton_model, tmp_path)
    s3.put_object(Bucket=bucket, Key=f"{PREFIX}{archive.filename}", Body=archive.path.read_bytes())

    with pytest.raises(PublishError, match="no sha256 metadata"):
        publish_archive(s3, archive, bucket=bucket, prefix=PREFIX)


def test_content_is_compared_by_the_sha256_metadata_not_the_etag(
    s3: Any, bucket: str, triton_model: Path, tmp_path: Path
) -> None:
    # An SSE-KMS or multipart upload has an ETag that is not the MD5 of the bytes: only the
    # metadata can say two archives are the same.
    archive = pack(triton_model, tmp_path)
    s3.put_object(
        Bucket=bucket,
        Key=f"{PREFIX}{archive.filename}",
        Body=b"same archive, other ETag",
        Metadata={SHA256_METADATA: archive.sha256},
    )

    assert publish_archive(s3, archive, bucket=bucket, prefix=PREFIX).outcome == "unchanged"


# --- finding the bucket ---------------------------------------------------------------------------


def create_artifacts_stack(project: str, outputs: bool = True) -> str:
    template: dict[str, Any] = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    if outputs:
        template["Outputs"] = {ARTIFACT_BUCKET_OUTPUT: {"Value": {"Ref": "Bucket"}}}
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(StackName=artifacts_stack_name(project), TemplateBody=json.dumps(template))
    outputs_found = cloudformation.describe_stacks(StackName=artifacts_stack_name(project))["Stacks"][0]
    return str({o["OutputKey"]: o["OutputValue"] for o in outputs_found.get("Outputs", [])}.get(ARTIFACT_BUCKET_OUTPUT))


def test_the_artifact_bucket_is_the_output_of_the_artifacts_stack() -> None:
    name = create_artifacts_stack("proj")

    assert find_artifact_bucket(boto3.client("cloudformation"), "proj") == name


def test_a_missing_artifacts_stack_says_to_deploy_it() -> None:
    with pytest.raises(PublishError, match=r"^stack proj-artifacts does not exist in us-east-1; deploy it first"):
        find_artifact_bucket(boto3.client("cloudformation"), "proj")


def test_an_artifacts_stack_without_the_output_says_to_redeploy() -> None:
    create_artifacts_stack("proj", outputs=False)

    with pytest.raises(PublishError, match="has no output ArtifactBucketName"):
        find_artifact_bucket(boto3.client("cloudformation"), "proj")


def test_the_names_match_the_ones_the_stacks_use() -> None:
    from stacks import stack_name

    assert artifacts_stack_name("proj") == stack_name("proj", "artifacts")
