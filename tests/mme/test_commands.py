"""`publish` and `warmup` end to end: the registered parser, stdout/stderr lines and exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, NoRegionError

from llm_hosting.commands import publish as publish_command, warmup as warmup_command
from llm_hosting.commands.publish import aws_error_line
from llm_hosting.naming import ARTIFACT_BUCKET_OUTPUT, artifacts_stack_name
from tests.mme.conftest import BUCKET, ENDPOINT, PROJECT, put_models
from tests.standins.sagemaker_runtime import Behaviour, SageMakerRuntimeStandIn


def run(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm_hosting")
    commands = parser.add_subparsers(dest="command", required=True)
    publish_command.register(commands)
    warmup_command.register(commands)
    args = parser.parse_args([str(a) for a in argv])
    code: int = args.run(args)
    return code


def output(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], list[str]]:
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err.splitlines()


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    model = tmp_path / "models" / "bert"
    (model / "1").mkdir(parents=True)
    (model / "config.pbtxt").write_text('name: "bert"\nbackend: "python"\n')
    (model / "1" / "model.py").write_text("class TritonPythonModel: ...\n")
    return model


# --- publish --------------------------------------------------------------------------------------


def test_publish_uploads_then_finds_it_already_published(
    catalog: Path, bucket: str, model_dir: Path, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run("publish", "--endpoint", ENDPOINT, "--catalog", catalog, "--bucket", bucket, model_dir)
    first_out, first_err = output(capsys)
    again = run("publish", "--endpoint", ENDPOINT, "--catalog", catalog, "--bucket", bucket, model_dir)
    again_out, again_err = output(capsys)

    head = s3.head_object(Bucket=bucket, Key="embeddings/bert.tar.gz")
    sha, size = head["Metadata"]["sha256"], head["ContentLength"]
    assert (first, first_err) == (0, [])
    assert first_out == [f"s3://{bucket}/embeddings/bert.tar.gz: published sha256 {sha[:12]}… ({size} B)"]
    assert (again, again_err) == (0, [])
    assert again_out == [f"s3://{bucket}/embeddings/bert.tar.gz: already published (sha256 {sha[:12]}…), nothing to do"]


def test_publish_refuses_changed_content_until_forced(
    catalog: Path, bucket: str, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("publish", "--endpoint", ENDPOINT, "--catalog", catalog, "--bucket", bucket, "--name", "acme", model_dir)
    assert run(*args) == 0
    (model_dir / "1" / "model.py").write_text("class TritonPythonModel: pass  # v2\n")
    capsys.readouterr()

    refused = run(*args)
    refused_out, refused_err = output(capsys)
    forced = run(*args, "--force")
    forced_out, forced_err = output(capsys)

    assert (refused, refused_out, len(refused_err)) == (1, [], 1)
    assert refused_err[0].startswith(f"s3://{bucket}/embeddings/acme.tar.gz: already exists with different content")
    assert refused_err[0].endswith("pass --force to replace it, or publish under another --name")
    assert (forced, forced_err, len(forced_out)) == (0, [], 1)
    assert forced_out[0].startswith(f"s3://{bucket}/embeddings/acme.tar.gz: replaced sha256 ")


def test_publish_finds_the_bucket_from_the_artifacts_stack(
    catalog: Path, model_dir: Path, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = create_artifacts_stack()

    code = run("publish", "--endpoint", ENDPOINT, "--catalog", catalog, model_dir)

    assert code == 0
    assert output(capsys)[0][0].startswith(f"s3://{bucket}/embeddings/bert.tar.gz: published")
    assert s3.head_object(Bucket=bucket, Key="embeddings/bert.tar.gz")["Metadata"]["sha256"]


def test_publish_of_a_missing_directory_is_one_line(
    catalog: Path, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run("publish", "--endpoint", ENDPOINT, "--catalog", catalog, "--bucket", bucket, tmp_path / "nope")

    assert (code, output(capsys)) == (
        1,
        ([], [f"{tmp_path / 'nope'}: does not exist; pass the directory that holds the model"]),
    )


# --- warmup ---------------------------------------------------------------------------------------


def test_warmup_warms_every_model_with_the_catalogs_concurrency(
    catalog: Path, bucket: str, s3: Any, standin: SageMakerRuntimeStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    put_models(s3, bucket, f"{ENDPOINT}/", ["a.tar.gz", "b.tar.gz", "c.tar.gz", "d.tar.gz"])
    standin.default = Behaviour.ok(delay_s=0.1)

    code = run("warmup", "--endpoint", ENDPOINT, "--catalog", catalog, "--bucket", bucket)

    out, err = output(capsys)
    assert (code, err, len(out)) == (0, [], 1)
    assert out[0].startswith("embeddings: warmed 4 of 4 models in ")
    assert standin.max_in_flight == 2  # warmup.concurrency in the catalog
    assert {c.request.body for c in standin.calls} == {b'{"inputs":"warm-up"}'}


def test_warmup_concurrency_can_be_raised_on_the_command_line(
    catalog: Path, bucket: str, s3: Any, standin: SageMakerRuntimeStandIn
) -> None:
    put_models(s3, bucket, f"{ENDPOINT}/", [f"m{i}.tar.gz" for i in range(6)])
    standin.default = Behaviour.ok(delay_s=0.1)

    assert run("warmup", "--endpoint", ENDPOINT, "--catalog", catalog, "--bucket", bucket, "--concurrency", "3") == 0
    assert standin.max_in_flight == 3


def test_warmup_reports_each_failed_model_and_exits_1(
    catalog: Path, bucket: str, s3: Any, standin: SageMakerRuntimeStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    put_models(s3, bucket, f"{ENDPOINT}/", ["a.tar.gz", "broken.tar.gz", "slow.tar.gz"])
    standin.on_model("broken.tar.gz", Behaviour.model_error(500, "CUDA out of memory"))
    standin.on_model("slow.tar.gz", Behaviour.ok(delay_s=4))  # the catalog's request_timeout_s is 2

    code = run("warmup", "--endpoint", ENDPOINT, "--catalog", catalog, "--bucket", bucket)

    out, err = output(capsys)
    assert code == 1
    assert sorted(err) == [
        "embeddings: broken.tar.gz: failed: ModelError: the model answered with status 500: CUDA out of memory",
        "embeddings: slow.tar.gz: failed: timed out: no answer within 2 s",
    ]
    assert len(out) == 1
    assert out[0].startswith("embeddings: warmed 1 of 3 models in ")
    assert out[0].endswith(" s (2 failed)")


def test_warmup_of_an_empty_prefix_succeeds_and_says_how_to_add_a_model(
    catalog: Path, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run("warmup", "--endpoint", ENDPOINT, "--catalog", catalog, "--bucket", bucket)

    assert (code, output(capsys)) == (
        0,
        (
            [
                f"embeddings: no models under s3://{bucket}/embeddings/; nothing to warm "
                "(publish one with `python -m llm_hosting publish --endpoint embeddings DIR`)"
            ],
            [],
        ),
    )


# --- problems become one line ---------------------------------------------------------------------


def test_publishing_to_an_endpoint_that_is_not_multi_model_is_refused_at_its_type(
    catalog: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run("publish", "--endpoint", "flan", "--catalog", catalog, "--bucket", BUCKET, model_dir)

    out, err = output(capsys)
    assert (code, out) == (1, [])
    assert err == [
        f"{catalog}: endpoints[0].type: endpoint 'flan' is single-model; only type: multi-model endpoints load "
        "model archives from S3 (publish); multi-model endpoints here: embeddings (line 4)"
    ]


def test_warming_a_single_model_endpoint_is_refused_at_its_type(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run("warmup", "--endpoint", "flan", "--catalog", catalog, "--bucket", BUCKET)

    out, err = output(capsys)
    assert (code, out) == (1, [])
    assert err == [
        f"{catalog}: endpoints[0].type: endpoint 'flan' is single-model; warmup invokes the models of a "
        "multi-model endpoint or the adapters of an inference-component endpoint (line 4)"
    ]


def test_an_unknown_endpoint_names_the_ones_there_are(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run("warmup", "--endpoint", "nope", "--catalog", catalog, "--bucket", BUCKET)

    assert (code, output(capsys)) == (
        1,
        (
            [],
            [f"{catalog}: endpoints: no endpoint named 'nope'; use one of: flan, embeddings, or add it to the catalog"],
        ),
    )


def test_a_missing_catalog_is_the_loaders_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "catalog.yaml"

    code = run("warmup", "--endpoint", ENDPOINT, "--catalog", missing)

    assert (code, output(capsys)) == (
        1,
        ([], [f"{missing}: (file): not found; pass the path of an existing catalog file"]),
    )


@pytest.mark.parametrize("command", ["publish", "warmup"])
def test_a_missing_artifacts_stack_is_one_line_without_traceback(
    command: str, catalog: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = [model_dir] if command == "publish" else []

    code = run(command, "--endpoint", ENDPOINT, "--catalog", catalog, *extra)

    assert (code, output(capsys)) == (
        1,
        (
            [],
            [
                f"stack {PROJECT}-artifacts does not exist in us-east-1; deploy it first "
                f"(cdk deploy {PROJECT}-artifacts), or pass --bucket"
            ],
        ),
    )


def test_a_missing_bucket_is_one_line(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run("warmup", "--endpoint", ENDPOINT, "--catalog", catalog, "--bucket", "no-such-bucket")

    assert (code, output(capsys)) == (
        1,
        ([], ["ListObjectsV2: the bucket no-such-bucket does not exist; check --bucket and --region"]),
    )


def test_missing_credentials_are_one_line(
    catalog: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    code = run("warmup", "--endpoint", ENDPOINT, "--catalog", catalog)

    out, err = output(capsys)
    assert (code, out, len(err)) == (1, [], 1)
    assert err[0].startswith("no AWS credentials found; configure them")


def test_a_missing_region_is_one_line(
    catalog: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    code = run("warmup", "--endpoint", ENDPOINT, "--catalog", catalog)

    assert (code, output(capsys)) == (
        1,
        ([], ["no AWS region set; pass --region, set AWS_REGION, or set environment.region in the catalog"]),
    )


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            ClientError({"Error": {"Code": "403", "Message": "Forbidden"}}, "HeadObject"),
            "HeadObject: access denied; your credentials need s3:GetObject",
        ),
        (
            ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeStacks"),
            "DescribeStacks: access denied (no); your credentials need cloudformation:DescribeStacks",
        ),
        (
            ClientError({"Error": {"Code": "ExpiredToken", "Message": "expired"}}, "ListObjectsV2"),
            "ListObjectsV2: your AWS credentials have expired; refresh them (e.g. aws sso login)",
        ),
        (
            ClientError({"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}, "PutObject"),
            "PutObject: SlowDown: Please reduce your request rate.",
        ),
        (NoRegionError(), "no AWS region set; pass --region, set AWS_REGION, or set environment.region in the catalog"),
    ],
)
def test_aws_errors_read_as_what_went_wrong_and_the_fix(error: Exception, line: str) -> None:
    assert aws_error_line(error) == line


def test_concurrency_must_be_positive(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("warmup", "--endpoint", ENDPOINT, "--catalog", catalog, "--concurrency", "0")

    assert exit_info.value.code == 2
    assert "argument --concurrency: must be 1 or more, got 0" in capsys.readouterr().err


def create_artifacts_stack() -> str:
    template = {
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {ARTIFACT_BUCKET_OUTPUT: {"Value": {"Ref": "Bucket"}}},
    }
    cloudformation = boto3.client("cloudformation")
    name = artifacts_stack_name(PROJECT)
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template))
    outputs = cloudformation.describe_stacks(StackName=name)["Stacks"][0]["Outputs"]
    return str(outputs[0]["OutputValue"])
