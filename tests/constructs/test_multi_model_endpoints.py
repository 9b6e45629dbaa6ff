"""Per-customer models on GPU multi-model endpoints with Triton, scaled and warmed up hourly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from llm_hosting.endpoints.images import ServingImage
from llm_hosting.endpoints.multi_model import MultiModelEndpoint
from llm_hosting.endpoints.scaling import InstanceCountScaling
from llm_hosting.endpoints.variant import ProductionVariant
from llm_hosting.monitoring.metrics import VariantMetrics
from llm_hosting.storage.artifact_store import S3Location
from tests.catalog.helpers import single_error
from tests.synth import Synthesized, cdk_json_context
from tests.templates import of_type, one, props, statements, text

EMBEDDINGS = "llm-hosting-embeddings"
AUTOCOMPLETE = "llm-hosting-autocomplete"


@pytest.fixture(scope="module")
def embeddings(default_synth: Synthesized) -> dict[str, Any]:
    return default_synth.template(EMBEDDINGS)


@pytest.fixture(scope="module")
def autocomplete(default_synth: Synthesized) -> dict[str, Any]:
    return default_synth.template(AUTOCOMPLETE)


def test_the_model_is_a_triton_multi_model_reading_the_endpoint_prefix(embeddings: dict[str, Any]) -> None:
    container = props(embeddings, "AWS::SageMaker::Model")["PrimaryContainer"]
    assert container["Mode"] == "MultiModel"
    assert container["ModelDataUrl"] == {
        "Fn::Join": [
            "",
            ["s3://llm-hosting-artifacts-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}, "/embeddings/"],
        ]
    }
    assert container["MultiModelConfig"] == {"ModelCacheSetting": "Enabled"}
    assert container["Image"]["Fn::Join"][1][1] == "/sagemaker-tritonserver:24.09-py3"
    assert props(embeddings, "AWS::SageMaker::Model")["EnableNetworkIsolation"] is True


def test_the_role_reads_only_the_endpoint_prefix(embeddings: dict[str, Any]) -> None:
    sagemaker_policy = next(
        p
        for k, p in of_type(embeddings, "AWS::IAM::ManagedPolicy").items()
        if k.startswith("embeddingsExecutionPolicy")
    )
    document = sagemaker_policy["Properties"]["PolicyDocument"]["Statement"]
    (read,) = [s for s in document if s["Action"] == "s3:GetObject"]
    assert text(read["Resource"]).endswith('"/embeddings/*"]]}')
    (listing,) = [s for s in document if s["Action"] == "s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["embeddings/*"]}}
    assert any(s["Action"] == "kms:Decrypt" for s in document)


def test_embeddings_scale_on_80_percent_of_gpu_memory(embeddings: dict[str, Any]) -> None:
    target = props(embeddings, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert (target["ResourceId"], target["MinCapacity"], target["MaxCapacity"]) == (
        "endpoint/embeddings/variant/AllTraffic",
        1,
        8,
    )
    tracking = props(embeddings, "AWS::ApplicationAutoScaling::ScalingPolicy")[
        "TargetTrackingScalingPolicyConfiguration"
    ]
    assert tracking["TargetValue"] == 80  # one GPU: percent x 1
    assert tracking["CustomizedMetricSpecification"] == {
        "Namespace": "/aws/sagemaker/Endpoints",
        "MetricName": "GPUMemoryUtilization",
        "Dimensions": [{"Name": "EndpointName", "Value": "embeddings"}, {"Name": "VariantName", "Value": "AllTraffic"}],
        "Statistic": "Average",
    }


def test_autocomplete_scales_on_225_invocations_per_instance(autocomplete: dict[str, Any]) -> None:
    tracking = props(autocomplete, "AWS::ApplicationAutoScaling::ScalingPolicy")[
        "TargetTrackingScalingPolicyConfiguration"
    ]
    assert tracking["TargetValue"] == 225
    assert tracking["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
    }
    (variant,) = props(autocomplete, "AWS::SageMaker::EndpointConfig")["ProductionVariants"]
    assert variant["InstanceType"] == "ml.g4dn.2xlarge"


def test_a_gpu_memory_target_is_converted_to_percent_times_gpus() -> None:
    app = cdk.App(context=cdk_json_context())
    stack = cdk.Stack(app, "S")
    scaling = InstanceCountScaling(
        stack, "Scaling", metrics=VariantMetrics("e", "v"), min_capacity=1, max_capacity=2, gpus=4
    )
    scaling.scale_on_gpu_memory(percent=80)
    resources = app.synth().get_stack_by_name("S").template["Resources"]
    (policy,) = [r for r in resources.values() if r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"]
    assert policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 320
    assert scaling.gpu_memory_target == 320


def test_every_model_is_warmed_hourly_by_a_scheduled_function(embeddings: dict[str, Any]) -> None:
    rule = props(embeddings, "AWS::Events::Rule")
    assert rule["ScheduleExpression"] == "rate(1 hour)"
    (function_id,) = of_type(embeddings, "AWS::Lambda::Function")
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    function = props(embeddings, "AWS::Lambda::Function")
    assert function["Runtime"] == "python3.14"
    assert function["Handler"] == "handler.handler"
    assert function["ReservedConcurrentExecutions"] == 1
    assert function["Timeout"] == 600 + 60 + 30  # budget + one last request + slack
    env = function["Environment"]["Variables"]
    assert env["ENDPOINT_NAME"] == "embeddings"
    assert env["PREFIX"] == "embeddings/"
    assert json.loads(env["PAYLOAD"]) == {
        "inputs": [{"name": "TEXT", "shape": [1, 1], "datatype": "BYTES", "data": ["warm-up"]}]
    }
    assert (env["CONCURRENCY"], env["TIME_BUDGET_S"], env["REQUEST_TIMEOUT_S"]) == ("4", "600", "60")
    assert one(embeddings, "AWS::Lambda::EventInvokeConfig")["Properties"]["MaximumRetryAttempts"] == 0
    (queue_id,) = of_type(embeddings, "AWS::SQS::Queue")
    assert function["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": [queue_id, "Arn"]}}


def test_the_warmup_role_lists_one_prefix_and_invokes_one_endpoint(embeddings: dict[str, Any]) -> None:
    policy = next(
        p for k, p in of_type(embeddings, "AWS::IAM::ManagedPolicy").items() if k.startswith("embeddingsWarmupPolicy")
    )
    by_action = {text(s["Action"]): s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert set(by_action) == {
        '"s3:ListBucket"',
        '"sagemaker:InvokeEndpoint"',
        '"sqs:SendMessage"',
        '"kms:Decrypt"',  # its environment is encrypted with the artifact key
        '["logs:CreateLogStream", "logs:PutLogEvents"]',
    }
    assert by_action['"s3:ListBucket"']["Condition"] == {"StringLike": {"s3:prefix": ["embeddings/*"]}}
    assert text(by_action['"sagemaker:InvokeEndpoint"']["Resource"]).endswith(':endpoint/embeddings"]]}')
    role_id, role = next(
        (k, r) for k, r in of_type(embeddings, "AWS::IAM::Role").items() if k.startswith("embeddingsWarmupRole")
    )
    assert "ManagedPolicyArns" not in role["Properties"]
    assert policy["Properties"]["Roles"] == [{"Ref": role_id}]
    assert not [k for k in of_type(embeddings, "AWS::IAM::Policy") if k.startswith("embeddingsWarmup")]


def test_the_warmup_logs_are_encrypted_and_kept_a_month(embeddings: dict[str, Any]) -> None:
    logs = props(embeddings, "AWS::Logs::LogGroup")
    assert logs["RetentionInDays"] == 30
    assert "Fn::GetStackOutput" in text(logs["KmsKeyId"])  # the artifact key, from the artifacts stack


def test_the_function_code_is_the_warmup_directory_without_bytecode(default_synth: Synthesized) -> None:
    function = props(default_synth.template(EMBEDDINGS), "AWS::Lambda::Function")
    key = function["Code"]["S3Key"]
    assert key.startswith("assets/embeddings/") and key.endswith(".zip")
    staged = default_synth.outdir / f"asset.{key.rsplit('/', 1)[1].removesuffix('.zip')}"
    assert sorted(p.name for p in staged.iterdir()) == ["handler.py", "warmup.py"]


def test_multi_model_endpoints_refuse_multi_gpu_instance_types(tmp_path: Path) -> None:
    data = {"project": "t", "endpoints": [{"name": "mme", "type": "multi-model", "instance_type": "ml.g5.12xlarge"}]}
    line = single_error(tmp_path, data)
    assert "endpoints[0].instance_type: multi-model endpoints support single-GPU instance types only" in line
    assert "ml.g5.12xlarge has 4 GPUs; use one of" in line and "ml.g4dn.xlarge" in line
    with pytest.raises(ValueError, match="single-GPU instance types only"):
        MultiModelEndpoint(
            cdk.Stack(cdk.App(), "S"),
            "E",
            endpoint_name="e",
            image=ServingImage.triton(),
            variant=ProductionVariant(instance_type="ml.g5.12xlarge"),
            models=S3Location("bucket", "e/"),
        )


def test_statements_of_both_roles_name_no_wildcard_bucket(embeddings: dict[str, Any]) -> None:
    for statement in statements(embeddings):
        assert ":s3:::*" not in text(statement.get("Resource"))
