"""Publishing model archives: reproducible packing, SHA-256 in the metadata, no silent overwrite."""

from __future__ import annotations

import hashlib
import json
import shutil
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
from tests.mme.test_commands import output, run
from tests.synth import ROOT

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


def test_a_directory_without_triton_models_is_archived_as_it_is(tmp_path: Path) -> None:
    source = write_tree(tmp_path / "src" / "custom", {"code/inference.py": "def handler(): ...\n", "model.bin": "w"})

    archive = pack(source, tmp_path)

    assert (archive.root, archive.renamed) == ("", {})
    assert members(archive) == ["code", "code/inference.py", "model.bin"]


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


# --- one Triton repository, many archives ---------------------------------------------------------

AUTOCOMPLETE = ROOT / "model_artifacts" / "triton" / "autocomplete"
EMBEDDINGS = ROOT / "model_artifacts" / "triton" / "embeddings"


def unpacked(archive: ModelArchive, tmp_path: Path) -> Path:
    target = tmp_path / f"unpacked-{archive.name}-{archive.sha256[:8]}"
    with tarfile.open(archive.path) as tar:
        tar.extractall(target, filter="data")
    return target


def config(root: Path, model: str) -> Any:
    from google.protobuf import text_format
    from tritonclient.grpc.model_config_pb2 import ModelConfig

    return text_format.Parse((root / model / "config.pbtxt").read_text(), ModelConfig())


def parameters(model_config: Any) -> dict[str, str]:
    return {key: value.string_value for key, value in model_config.parameters.items()}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_model_but_the_ensemble_is_renamed_for_the_archive(tmp_path: Path) -> None:
    archive = pack(AUTOCOMPLETE, tmp_path, name="acme")
    root = unpacked(archive, tmp_path)

    renamed = {m: f"acme--{m}" for m in ("decoder", "encoder", "generate", "preprocess")}
    assert archive.renamed == renamed
    assert sorted(p.name for p in root.iterdir()) == [
        "acme--decoder",
        "acme--encoder",
        "acme--generate",
        "acme--preprocess",
        "autocomplete",
    ]
    for new in renamed.values():
        assert config(root, new).name == new
    # SageMaker maps the entry folder to the TargetModel; its steps resolve in the archive's namespace.
    entry = config(root, "autocomplete")
    assert entry.name == "autocomplete"
    assert [step.model_name for step in entry.ensemble_scheduling.step] == [
        "acme--preprocess",
        "acme--encoder",
        "acme--decoder",
        "acme--generate",
    ]
    generate = parameters(config(root, "acme--generate"))
    assert generate["decoder_model"] == "acme--decoder"  # the BLS target
    assert generate["tokenizer_dir"] == "../acme--preprocess/1"
    assert generate["EXECUTION_ENV_PATH"] == "$$TRITON_MODEL_DIRECTORY/../python-env.tar.gz"
    assert (root / generate["tokenizer_dir"].removeprefix("../")).is_dir()


def test_renaming_keeps_everything_else_of_each_config(tmp_path: Path) -> None:
    root = unpacked(pack(AUTOCOMPLETE, tmp_path, name="acme"), tmp_path)

    for folder in ("decoder", "generate", "autocomplete"):
        shipped = (AUTOCOMPLETE / folder / "config.pbtxt").read_text()
        new = "autocomplete" if folder == "autocomplete" else f"acme--{folder}"
        text = (root / new / "config.pbtxt").read_text()
        # Only quoted names change: comments (even those naming models) and layout stay.
        assert text.splitlines()[0] == shipped.splitlines()[0]
        assert len(text.splitlines()) == len(shipped.splitlines())
        assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == [
            line for line in shipped.splitlines() if line.lstrip().startswith("#")
        ]
    shipped = config(AUTOCOMPLETE, "decoder")
    shipped.name = "acme--decoder"
    assert config(root, "acme--decoder") == shipped
    model_py = "generate/1/model.py"
    assert (root / "acme--generate/1/model.py").read_bytes() == (AUTOCOMPLETE / model_py).read_bytes()


def test_the_source_directory_is_never_modified(tmp_path: Path) -> None:
    source = tmp_path / "acme-embeddings"
    shutil.copytree(EMBEDDINGS, source, ignore=shutil.ignore_patterns("__pycache__"))
    before = tree(source)

    pack(source, tmp_path, name="acme")

    assert tree(source) == before


def test_the_renamed_archive_is_reproducible_and_differs_per_name(tmp_path: Path) -> None:
    first, again = pack(EMBEDDINGS, tmp_path, name="acme"), pack(EMBEDDINGS, tmp_path, name="acme")
    other = pack(EMBEDDINGS, tmp_path, name="globex")

    assert first.sha256 == again.sha256 != other.sha256
    assert not set(first.renamed.values()) & set(other.renamed.values())


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"a/config.pbtxt": 'name: "a"\n', "b/config.pbtxt": 'name: "b"\n'},
            r"2 model folders and none with platform: \"ensemble\" .* keep exactly one ensemble",
        ),
        (
            {"a/config.pbtxt": 'platform: "ensemble"\n', "b/config.pbtxt": 'platform:"ensemble"\n'},
            r"2 model folders and 2 \(a, b\) with platform: \"ensemble\"",
        ),
        (
            {"a/config.pbtxt": 'platform: "ensemble"\n', "b.v2/config.pbtxt": 'name: "b.v2"\n'},
            r"b\.v2: model folder name 'b\.v2' cannot be renamed per archive; use letters, digits, '_' and single '-'",
        ),
        (
            {"a/config.pbtxt": 'platform: "ensemble"\n', "b--c/config.pbtxt": 'name: "b--c"\n'},
            r"model folder name 'b--c' cannot be renamed per archive",
        ),
    ],
    ids=["no ensemble", "two ensembles", "a dot", "the separator"],
)
def test_a_repository_sagemaker_cannot_load_or_we_cannot_rename_is_refused(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    source = write_tree(tmp_path / "src" / "repo", files)

    with pytest.raises(PublishError, match=message):
        pack(source, tmp_path, name="acme")
    assert not list(tmp_path.glob("work-*/*.tar.gz"))


def test_a_member_name_at_the_limits_of_the_rule_is_renamed(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path / "src" / "repo",
        {
            "entry/config.pbtxt": 'platform: "ensemble"\nensemble_scheduling { step [ { model_name: "pre-1_x" } ] }\n',
            "pre-1_x/config.pbtxt": 'name: "pre-1_x"\nbackend: "python"\n',
        },
    )

    archive = pack(source, tmp_path, name="a.b-c_d")

    assert archive.renamed == {"pre-1_x": "a.b-c_d--pre-1_x"}
    root = unpacked(archive, tmp_path)
    assert config(root, "entry").ensemble_scheduling.step[0].model_name == "a.b-c_d--pre-1_x"


# --- publish --output -----------------------------------------------------------------------------


def test_output_writes_the_archive_locally_and_says_what_it_renamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    code = run("publish", "--output", out, "--name", "acme", AUTOCOMPLETE)

    written = out / "acme.tar.gz"
    sha = hashlib.sha256(written.read_bytes()).hexdigest()
    assert (code, output(capsys)) == (
        0,
        (
            [
                "acme.tar.gz: models renamed for this archive: decoder -> acme--decoder, encoder -> acme--encoder, "
                "generate -> acme--generate, preprocess -> acme--preprocess",
                f"{written}: wrote sha256 {sha[:12]}… ({written.stat().st_size / 1024:.1f} KiB)",
            ],
            [],
        ),
    )
    assert sorted(p.name for p in out.iterdir()) == ["acme.tar.gz"]


def test_output_again_is_a_no_op_and_different_content_needs_force(
    triton_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert run("publish", "--output", out, triton_model) == 0
    first = (out / "bert.tar.gz").read_bytes()
    capsys.readouterr()

    again = run("publish", "--output", out, triton_model)
    again_out, _ = output(capsys)
    (triton_model / "1" / "model.py").write_text("class TritonPythonModel: pass  # v2\n")
    refused = run("publish", "--output", out, triton_model)
    refused_out, refused_err = output(capsys)
    unchanged_after_refusal = (out / "bert.tar.gz").read_bytes()
    forced = run("publish", "--output", out, triton_model, "--force")
    forced_out, _ = output(capsys)

    assert (again, len(again_out)) == (0, 1)
    assert again_out[0].endswith(
        "already written (sha256 " + hashlib.sha256(first).hexdigest()[:12] + "…), nothing to do"
    )
    assert (refused, refused_out, len(refused_err)) == (1, [], 1)
    assert refused_err[0].startswith(f"{out / 'bert.tar.gz'}: already exists with different content")
    assert refused_err[0].endswith("pass --force to replace it, or publish under another --name")
    assert unchanged_after_refusal == first
    assert forced == 0
    assert forced_out[0].startswith(f"{out / 'bert.tar.gz'}: replaced sha256 {hashlib.sha256(first).hexdigest()[:12]}")
    assert (out / "bert.tar.gz").read_bytes() != first
    assert sorted(p.name for p in out.iterdir()) == ["bert.tar.gz"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--endpoint", "embeddings"], "publish: --output writes the archive locally, so --endpoint would be ignored"),
        (
            ["--bucket", "b", "--region", "eu-west-1"],
            "publish: --output writes the archive locally, so --bucket, --region",
        ),
    ],
)
def test_output_with_upload_options_is_one_line(
    triton_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code = run("publish", "--output", tmp_path / "out", *extra, triton_model)

    out, err = output(capsys)
    assert (code, out, len(err)) == (1, [], 1)
    assert err[0].startswith(message)
    assert not (tmp_path / "out").exists()


def test_publish_without_endpoint_or_output_is_one_line(triton_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("publish", triton_model) == 1
    assert output(capsys) == (
        [],
        ["publish: pass --endpoint NAME to upload to a multi-model endpoint, or --output DIR"],
    )


def test_output_onto_a_file_is_one_line(triton_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").write_text("")

    assert run("publish", "--output", tmp_path / "taken", triton_model) == 1
    assert output(capsys) == (
        [],
        [f"--output {tmp_path / 'taken'}: is not a directory; pass a directory to write the archive into"],
    )
