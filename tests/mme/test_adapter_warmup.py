"""`warmup` on an inference-component endpoint: each LoRA adapter of the catalog is invoked once by its
InferenceComponentName, against a runtime stand-in that, like SageMaker, refuses a call to such an
endpoint without a component name and a name the endpoint does not host."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from llm_hosting.commands import warmup as warmup_command
from llm_hosting.warmup.function.warmup import WarmupSummary
from tests.mme.test_commands import output, run
from tests.standins.sagemaker_runtime import IC_REQUIRED, Behaviour, SageMakerRuntimeStandIn

CATALOG = """\
project: tenants
endpoints:
  - name: assist
    type: inference-components
    instance_type: ml.g5.12xlarge
    instance_count: {initial: 1, min: 1, max: 2}
    components:
      - name: assist-base
        model:
          engine: lmi
          version: "0.32.0"
          weights: s3://example-weights/base/
          properties: {option.rolling_batch: vllm, option.enable_lora: "true"}
        memory_mb: 32768
        adapters:
          - {name: assist-acme, weights: s3://example-weights/adapters/acme.tar.gz}
          - {name: assist-globex, weights: s3://example-weights/adapters/globex.tar.gz}
          - {name: assist-initech, weights: s3://example-weights/adapters/initech.tar.gz}
      - name: plain
        model: {engine: lmi, version: "0.32.0", weights: s3://example-weights/plain/}
        memory_mb: 16384
"""
HOSTED = {"assist": ["assist-base", "assist-acme", "assist-globex", "assist-initech", "plain"]}


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    return path


@pytest.fixture
def strict(standin: SageMakerRuntimeStandIn) -> SageMakerRuntimeStandIn:
    standin.components = {name: set(hosted) for name, hosted in HOSTED.items()}
    return standin


def test_every_adapter_is_invoked_once_by_its_component_name(
    catalog: Path, strict: SageMakerRuntimeStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("warmup", "--endpoint", "assist", "--catalog", catalog) == 0
    out, err = output(capsys)
    assert out[-1].startswith("assist: warmed 3 of 3 adapters in ")
    assert err == []
    calls = strict.calls
    assert sorted(c.request.inference_component or "" for c in calls) == [
        "assist-acme",
        "assist-globex",
        "assist-initech",
    ]
    assert {c.request.target_model for c in calls} == {None}
    assert all(json.loads(c.request.body) == {"inputs": "warm-up"} for c in calls)  # the warmup section's default


def test_an_adapter_that_does_not_answer_is_named_and_the_exit_code_is_1(
    catalog: Path, strict: SageMakerRuntimeStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    strict.on_component("assist-globex", Behaviour.model_error(500, "adapter weights could not be loaded"))
    assert run("warmup", "--endpoint", "assist", "--catalog", catalog) == 1
    out, err = output(capsys)
    assert out[-1].startswith("assist: warmed 2 of 3 adapters in ") and out[-1].endswith("(1 failed)")
    assert err == [
        "assist: assist-globex: failed: ModelError: the model answered with status 500: adapter weights could not "
        "be loaded"
    ]


def test_chosen_components_and_a_payload_file_replace_the_defaults(
    catalog: Path, strict: SageMakerRuntimeStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = tmp_path / "prompt.json"
    payload.write_text('{"inputs": "def fib(n):", "parameters": {"max_new_tokens": 8}}')
    code = run(
        "warmup",
        "--endpoint",
        "assist",
        "--catalog",
        catalog,
        "--component",
        "plain",
        "--component",
        "assist-acme",
        "--payload",
        payload,
    )
    assert code == 0
    assert output(capsys)[0][-1].startswith("assist: warmed 2 of 2 components in ")
    assert sorted(c.request.inference_component or "" for c in strict.calls) == ["assist-acme", "plain"]
    assert {c.request.body for c in strict.calls} == {payload.read_bytes()}


def test_a_name_the_endpoint_does_not_have_is_one_line_naming_the_ones_it_has(
    catalog: Path, strict: SageMakerRuntimeStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("warmup", "--endpoint", "assist", "--catalog", catalog, "--component", "assist-acm") == 1
    out, err = output(capsys)
    assert out == []
    assert err == [
        f"{catalog}: endpoints[0].components: endpoint 'assist' has no component or adapter named assist-acm; use "
        "one of: assist-base, plain, assist-acme, assist-globex, assist-initech"
    ]
    assert strict.calls == []


def test_a_payload_that_is_not_json_is_one_line(
    catalog: Path, strict: SageMakerRuntimeStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = tmp_path / "prompt.json"
    payload.write_text("{not json")
    assert run("warmup", "--endpoint", "assist", "--catalog", catalog, "--payload", payload) == 1
    (line,) = output(capsys)[1]
    assert line.startswith(f"--payload {payload}: not valid JSON (") and line.endswith("fix it or pass --content-type")
    assert strict.calls == []


def test_an_endpoint_without_adapters_has_nothing_to_warm(
    tmp_path: Path, strict: SageMakerRuntimeStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.split("        adapters:", maxsplit=1)[0] + CATALOG.split("adapters/initech.tar.gz}\n")[1])
    assert run("warmup", "--endpoint", "assist", "--catalog", path) == 0
    assert output(capsys)[0] == [
        "assist: no adapters on this endpoint; nothing to warm (add them under components[].adapters, or name "
        "components with --component)"
    ]


def test_the_stand_in_refuses_a_shared_endpoint_call_without_a_component_name(
    strict: SageMakerRuntimeStandIn,
) -> None:
    client = boto3.client("sagemaker-runtime", endpoint_url=strict.url)
    with pytest.raises(ClientError) as raised:
        client.invoke_endpoint(EndpointName="assist", Body=b"{}", ContentType="application/json")
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert raised.value.response["Error"]["Message"] == IC_REQUIRED


def test_adapters_the_time_budget_left_out_are_counted_with_a_fix_the_endpoint_allows(
    catalog: Path, strict: SageMakerRuntimeStandIn, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The budget running out is warm_up's own behaviour (tests/mme/test_warmup.py); here, what the command says.
    def out_of_time(runtime: object, endpoint: str, names: list[str], **options: object) -> WarmupSummary:
        return WarmupSummary(endpoint, warmed=(names[0],), failed={}, skipped=tuple(names[1:]), total=3, duration_s=1)

    monkeypatch.setattr(warmup_command, "warm_up", out_of_time)
    assert run("warmup", "--endpoint", "assist", "--catalog", catalog) == 1
    _, err = output(capsys)
    assert err == [
        "assist: 2 adapter(s) not started within the time budget of 600 s; raise --concurrency (an "
        "inference-component endpoint has no warmup section to set the budget in)"
    ]
