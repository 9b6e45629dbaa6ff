"""examples/app.py, a plain CDK app built from the constructs alone, synthesizes clean.

GIVEN the example app with the three cdk-nag packs, WHEN it synthesizes, THEN nothing is left
unanswered, cfn-lint finds nothing, and the template holds what the example promises.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from llm_hosting.compliance.packs import PACKS, add_nag_packs
from tests.synth import ROOT, cdk_json_context
from tests.templates import of_type
from tests.test_cfn_lint import lint


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("example_app", ROOT / "examples" / "app.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    outdir = tmp_path_factory.mktemp("example")
    app = cdk.App(context=cdk_json_context(), outdir=str(outdir))
    add_nag_packs(app, list(PACKS))  # an unanswered finding fails synth()
    stack = example.build(app)
    assembly = app.synth()
    return outdir, assembly.get_stack_by_name(stack.stack_name).template


def test_it_passes_the_nag_packs_and_cfn_lint(synthesized: tuple[Path, dict[str, Any]]) -> None:
    outdir, _ = synthesized
    assert lint(outdir) == []


def test_two_components_share_one_endpoint_and_only_the_summarizer_scales_to_zero(
    synthesized: tuple[Path, dict[str, Any]],
) -> None:
    _, template = synthesized
    components = of_type(template, "AWS::SageMaker::InferenceComponent")
    assert sorted(c["Properties"]["InferenceComponentName"] for c in components.values()) == [
        "chat-8b",
        "chat-8b-support",
        "summarize-8b",
    ]
    assert {c["Properties"]["EndpointName"] for c in components.values()} == {"shared-llms"}
    (support,) = [c for c in components.values() if c["Properties"]["InferenceComponentName"] == "chat-8b-support"]
    assert support["Properties"]["Specification"]["BaseInferenceComponentName"] == "chat-8b"
    targets = {
        t["Properties"]["ResourceId"]: t["Properties"]
        for t in of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    }
    assert targets["inference-component/summarize-8b"]["MinCapacity"] == 0
    assert targets["inference-component/chat-8b"]["MinCapacity"] == 1
    step = [
        p["Properties"]["PolicyName"]
        for p in of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
        if p["Properties"]["PolicyType"] == "StepScaling"
    ]
    assert step == ["summarize-8b-scale-out-from-zero"]


def test_the_dedicated_endpoint_scales_on_80_percent_of_its_gpu_memory(
    synthesized: tuple[Path, dict[str, Any]],
) -> None:
    _, template = synthesized
    (policy,) = [
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"]
        for p in of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
        if p["Properties"]["PolicyName"] == "dedicated-13b-gpu-memory-utilization"
    ]
    assert policy["TargetValue"] == 320  # percent x 4 GPUs of ml.g5.12xlarge
    assert policy["CustomizedMetricSpecification"]["MetricName"] == "GPUMemoryUtilization"


def test_the_latency_alarm_watches_the_chat_component(synthesized: tuple[Path, dict[str, Any]]) -> None:
    _, template = synthesized
    (alarm,) = [
        a["Properties"]
        for a in of_type(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("AlarmDescription", "").startswith("chat-8b: p90")
    ]
    assert (alarm["MetricName"], alarm["Namespace"], alarm["ExtendedStatistic"]) == (
        "ModelLatency",
        "AWS/SageMaker",
        "p90",
    )
    assert alarm["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "chat-8b"}]
    assert alarm["AlarmActions"] and alarm["OKActions"]


def test_the_function_role_may_invoke_the_chat_component_and_the_dedicated_endpoint(
    synthesized: tuple[Path, dict[str, Any]],
) -> None:
    _, template = synthesized
    (policy,) = of_type(template, "AWS::IAM::Policy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
    names = sorted(str(r["Fn::Join"][1][-1]) for r in statement["Resource"])
    assert names == [":endpoint/dedicated-13b", ":endpoint/shared-llms", ":inference-component/chat-8b"]
