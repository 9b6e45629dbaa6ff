"""`stage --endpoint [--component]`: the artifact bucket's weights/ area, and `--write` into the catalog entry."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import boto3
import pytest

from llm_hosting.cli import main
from llm_hosting.naming import ARTIFACT_BUCKET_OUTPUT, artifacts_stack_name
from llm_hosting.onboarding.catalog_edit import write_model_weights
from llm_hosting.onboarding.manifest import MANIFEST
from tests.onboarding.test_stage import TQDM
from tests.onboarding.tiny_model import ENGINE_FILES
from tests.standins.hf_hub import HubStandIn

CATALOG = """\
# Onboarding test catalog: comments and layout must survive `stage --write`.
project: onb

endpoints:
  # A code model on its own endpoint.
  - name: coder
    type: single-model
    instance_type: ml.g5.2xlarge        # 1 x A10G
    instance_count: {initial: 1, max: 2}
    model:
      engine: lmi
      version: "0.32.0"
      weights: s3://old-weights/coder/   # replaced by stage --write
      properties: {option.rolling_batch: vllm, option.dtype: fp16}
  # Two models sharing one endpoint.
  - name: shared
    type: inference-components
    instance_type: ml.g5.12xlarge
    instance_count: {min: 1, max: 3}
    components:
      - name: small
        model: {engine: lmi, version: "0.32.0", weights: s3://old-weights/small/, properties: {option.rolling_batch: vllm}}
        memory_mb: 16384
        copies: {initial: 1, max: 4}
      - name: big
        model:
          engine: lmi
          version: "0.32.0"
          weights: s3://old-weights/big/
          tensor_parallel_degree: 2
        accelerators: 2
        memory_mb: 65536
        copies: {initial: 1, max: 2}
  - name: embeddings
    type: multi-model
    instance_type: ml.g4dn.xlarge
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    return path


@pytest.fixture
def artifact_bucket(aws: None) -> str:
    """The artifacts stack of project `onb` in moto, with its ArtifactBucketName output."""
    template = {
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {ARTIFACT_BUCKET_OUTPUT: {"Value": {"Ref": "Bucket"}}},
    }
    cloudformation = boto3.client("cloudformation")
    name = artifacts_stack_name("onb")
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template))
    return str(cloudformation.describe_stacks(StackName=name)["Stacks"][0]["Outputs"][0]["OutputValue"])


def run(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def errors(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line and not TQDM.search(line)]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.usefixtures("hub")
def test_an_endpoint_stages_into_the_artifact_buckets_weights_area_and_writes_the_entry(
    catalog: Path, artifact_bucket: str, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        "stage", "acme/tiny-llama", "--endpoint", "coder", "--catalog", catalog, "--cache-dir", cache_dir, "--write"
    )

    uri = f"s3://{artifact_bucket}/weights/coder/"
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.splitlines() == [f"weights: {uri}", "architecture: llama"]
    assert captured.err.splitlines()[-1] == f"{catalog}: wrote weights and architecture into endpoints[0].model"
    assert changed_lines(CATALOG, catalog.read_text()) == [
        "-      weights: s3://old-weights/coder/   # replaced by stage --write",
        f"+      weights: {uri} # replaced by stage --write",  # the comment stays, one space after a longer value
        "+      architecture: llama",
    ]
    listing = boto3.client("s3").list_objects_v2(Bucket=artifact_bucket, Prefix="weights/coder/")["Contents"]
    assert sorted(o["Key"] for o in listing) == sorted(f"weights/coder/{p}" for p in [*ENGINE_FILES, MANIFEST])
    assert run("validate", catalog) == 0


@pytest.mark.usefixtures("hub")
def test_a_component_stages_under_its_endpoint_and_a_flow_mapping_stays_on_its_line(
    catalog: Path, artifact_bucket: str, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--endpoint", "shared", "--component", "small", "--catalog", catalog, "--cache-dir", cache_dir, "--write"]
    assert run("stage", "acme/tiny-llama", *argv) == 0

    uri = f"s3://{artifact_bucket}/weights/shared/small/"
    assert capsys.readouterr().out.splitlines() == [f"weights: {uri}", "architecture: llama"]
    assert changed_lines(CATALOG, catalog.read_text()) == [
        '-        model: {engine: lmi, version: "0.32.0", weights: s3://old-weights/small/, properties: '
        "{option.rolling_batch: vllm}}",
        f'+        model: {{engine: lmi, version: "0.32.0", weights: {uri}, architecture: llama, properties: '
        "{option.rolling_batch: vllm}}",
    ]


def test_write_keeps_a_four_space_layout(tmp_path: Path) -> None:
    text = (
        "project: onb\n"
        "endpoints:\n"
        "    -   name: coder   # the only one\n"
        "        type: single-model\n"
        "        instance_type: ml.g5.2xlarge\n"
        "        model:\n"
        "            engine: lmi\n"
        '            version: "0.32.0"\n'
        "            architecture: gpt2   # a guess\n"
        "            weights: s3://old-weights/coder/\n"
    )
    path = tmp_path / "catalog.yaml"
    path.write_text(text)

    write_model_weights(path, ("endpoints", 0, "model"), weights="s3://new-weights/coder/", architecture="llama")

    assert path.read_text() == text.replace("gpt2 ", "llama").replace("old-weights", "new-weights")


def test_a_write_the_catalog_refuses_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    path.chmod(0o640)

    from llm_hosting.catalog import CatalogError

    with pytest.raises(CatalogError) as raised:
        write_model_weights(
            path, ("endpoints", 0, "model"), weights="s3://new-weights/y/", architecture="Not-A-Model-Type"
        )

    assert str(raised.value).startswith(f"{path}: endpoints[0].model.architecture: ")
    assert path.read_text() == CATALOG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.yaml"]  # no temporary file left behind
    write_model_weights(path, ("endpoints", 0, "model"), weights="s3://new-weights/y/", architecture="llama")
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--endpoint", "nope"],
            "{catalog}: --endpoint 'nope': no such endpoint; use one of: coder, shared, embeddings",
        ),
        (
            ["--endpoint", "embeddings"],
            "{catalog}: --endpoint 'embeddings' is a multi-model endpoint, whose models are archives (python -m "
            "llm_hosting publish), not weights; name a single-model endpoint or an inference component",
        ),
        (
            ["--endpoint", "shared"],
            "{catalog}: --endpoint 'shared' has inference components; pass --component with one of: small, big",
        ),
        (
            ["--endpoint", "coder", "--component", "small"],
            "{catalog}: --component: endpoint 'coder' is single-model and has no components; leave --component out",
        ),
        (
            ["--endpoint", "shared", "--component", "huge"],
            "{catalog}: --component 'huge': endpoint 'shared' has no such component; use one of: small, big",
        ),
    ],
    ids=["no-endpoint", "multi-model", "no-component", "component-on-single", "no-such-component"],
)
@pytest.mark.usefixtures("hub", "aws")
def test_a_catalog_entry_that_takes_no_weights_is_one_line(
    argv: list[str], expected: str, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("stage", "acme/tiny-llama", "--catalog", catalog, *argv) == 1
    assert errors(capsys) == [expected.format(catalog=catalog)]


@pytest.mark.usefixtures("hub", "aws")
def test_without_the_artifacts_stack_the_endpoint_destination_is_one_line(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("stage", "acme/tiny-llama", "--endpoint", "coder", "--catalog", catalog) == 1
    assert errors(capsys) == [
        "stack onb-artifacts does not exist in us-east-1; deploy it first (cdk deploy onb-artifacts)"
    ]


@pytest.mark.usefixtures("artifact_bucket")
def test_nothing_is_written_when_the_hub_refuses(
    hub: HubStandIn, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("stage", "acme/nope", "--endpoint", "coder", "--catalog", catalog, "--write") == 1
    assert catalog.read_text() == CATALOG
    assert errors(capsys) == [
        f"acme/nope: no such model on {hub.url}, or it is private and HF_TOKEN is not set; check the id, or set "
        "HF_TOKEN to a token that can read it"
    ]
