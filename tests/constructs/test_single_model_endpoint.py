"""FLAN-T5-XXL on DJL FasterTransformer, as the default catalog synthesizes it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.synth import Synthesized
from tests.templates import of_type, one, props, statements, text

STACK = "llm-hosting-flan-t5-xxl"


@pytest.fixture(scope="module")
def template(default_synth: Synthesized) -> dict[str, Any]:
    return default_synth.template(STACK)


def test_the_model_runs_the_fastertransformer_image_from_the_regional_registry(template: dict[str, Any]) -> None:
    container = props(template, "AWS::SageMaker::Model")["PrimaryContainer"]
    assert container["Image"] == {
        "Fn::Join": [
            "",
            [
                {"Fn::FindInMap": ["ContainerRegistries", {"Ref": "AWS::Region"}, "Host"]},
                "/djl-inference:0.21.0-fastertransformer5.3.0-cu117",
            ],
        ]
    }
    assert container["Mode"] == "SingleModel"


def test_the_model_archive_is_staged_in_the_artifact_bucket_under_the_endpoint(template: dict[str, Any]) -> None:
    url = props(template, "AWS::SageMaker::Model")["PrimaryContainer"]["ModelDataUrl"]["Fn::Sub"]
    assert url.startswith("s3://llm-hosting-artifacts-${AWS::AccountId}-${AWS::Region}/assets/flan-t5-xxl/")
    assert url.endswith(".tar.gz")


def test_model_and_config_names_are_left_to_cloudformation(template: dict[str, Any]) -> None:
    assert "ModelName" not in props(template, "AWS::SageMaker::Model")
    assert "EndpointConfigName" not in props(template, "AWS::SageMaker::EndpointConfig")
    assert props(template, "AWS::SageMaker::Endpoint")["EndpointName"] == "flan-t5-xxl"


def test_the_variant_has_600_second_startup_timeouts_and_no_ebs_settings(template: dict[str, Any]) -> None:
    config = props(template, "AWS::SageMaker::EndpointConfig")
    (variant,) = config["ProductionVariants"]
    assert variant["InstanceType"] == "ml.g5.12xlarge"
    assert variant["InitialInstanceCount"] == 2
    assert variant["ModelDataDownloadTimeoutInSeconds"] == 600
    assert variant["ContainerStartupHealthCheckTimeoutInSeconds"] == 600
    # g5 has NVMe instance storage: no EBS volume size and no endpoint-config key.
    assert "VolumeSizeInGB" not in variant
    assert "KmsKeyId" not in config


def test_updates_are_canaried_and_roll_back_on_errors_or_latency(template: dict[str, Any]) -> None:
    endpoint = props(template, "AWS::SageMaker::Endpoint")
    config = endpoint["DeploymentConfig"]
    routing = config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing == {
        "Type": "CANARY",
        "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1},
        "WaitIntervalInSeconds": 600,
    }
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    assert sorted(a["AlarmName"]["Ref"] for a in config["AutoRollbackConfiguration"]["Alarms"]) == sorted(alarms)
    metrics = {a["Properties"]["MetricName"]: a["Properties"] for a in alarms.values()}
    assert metrics["Invocation5XXErrors"]["Statistic"] == "Sum"
    assert metrics["Invocation5XXErrors"]["Threshold"] == 5
    assert metrics["ModelLatency"]["ExtendedStatistic"] == "p90"
    assert metrics["ModelLatency"]["Threshold"] == 30_000_000  # 30 s in microseconds
    for alarm in metrics.values():
        assert alarm["Dimensions"] == [
            {"Name": "EndpointName", "Value": "flan-t5-xxl"},
            {"Name": "VariantName", "Value": "AllTraffic"},
        ]


def test_autoscaled_variants_keep_their_instance_count_across_updates(template: dict[str, Any]) -> None:
    assert props(template, "AWS::SageMaker::Endpoint")["RetainAllVariantProperties"] is True


def test_instances_scale_on_invocations_per_instance_through_the_service_linked_role(template: dict[str, Any]) -> None:
    target = props(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert target["ResourceId"] == "endpoint/flan-t5-xxl/variant/AllTraffic"
    assert target["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 4)
    assert "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint" in text(target["RoleARN"])
    policy = props(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
    }
    assert tracking["TargetValue"] == 100
    target_id = next(iter(of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget")))
    assert one(template, "AWS::ApplicationAutoScaling::ScalableTarget")["DependsOn"] == [
        next(iter(of_type(template, "AWS::SageMaker::Endpoint")))
    ]
    assert policy["ScalingTargetId"] == {"Ref": target_id}


def test_the_execution_role_has_no_managed_policies(template: dict[str, Any]) -> None:
    role = props(template, "AWS::IAM::Role")
    assert "ManagedPolicyArns" not in role
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}


def test_the_role_reads_only_its_own_prefixes(template: dict[str, Any]) -> None:
    s3 = [s for s in statements(template) if any(str(a).startswith("s3:") for a in _actions(s))]
    (reads,) = [s for s in s3 if _actions(s) == ["s3:GetObject"]]
    assert sorted(text(r) for r in reads["Resource"]) == sorted(
        text(r)
        for r in reads["Resource"]
        if "/assets/flan-t5-xxl/*" in text(r) or "example-weights/flan-t5-xxl/*" in text(r)
    )
    assert len(reads["Resource"]) == 2
    listings = [s for s in s3 if _actions(s) == ["s3:ListBucket"]]
    assert sorted(text(s["Condition"]) for s in listings) == sorted(
        [
            text({"StringLike": {"s3:prefix": ["assets/flan-t5-xxl/*"]}}),
            text({"StringLike": {"s3:prefix": ["flan-t5-xxl/*"]}}),
        ]
    )


def test_the_role_decrypts_with_the_artifact_key_only(template: dict[str, Any]) -> None:
    (decrypt,) = [s for s in statements(template) if "kms:Decrypt" in _actions(s)]
    assert _actions(decrypt) == ["kms:Decrypt"]
    assert "Fn::GetStackOutput" in text(decrypt["Resource"])  # the key's ARN, from the artifacts stack


def test_the_role_pulls_only_the_djl_repository(template: dict[str, Any]) -> None:
    (pull,) = [s for s in statements(template) if "ecr:BatchGetImage" in _actions(s)]
    assert text(pull["Resource"]).endswith(':repository/djl-inference"]]}')
    (token,) = [s for s in statements(template) if "ecr:GetAuthorizationToken" in _actions(s)]
    assert _actions(token) == ["ecr:GetAuthorizationToken"]  # the one ECR action IAM cannot scope


def test_the_role_writes_logs_only_to_its_endpoint_log_group(template: dict[str, Any]) -> None:
    logs = [s for s in statements(template) if any(a.startswith("logs:") for a in _actions(s))]
    assert all("/aws/sagemaker/Endpoints/flan-t5-xxl" in text(s["Resource"]) for s in logs)


def test_the_endpoint_waits_for_the_role_policy(template: dict[str, Any]) -> None:
    (policy_id,) = of_type(template, "AWS::IAM::ManagedPolicy")
    assert policy_id in one(template, "AWS::SageMaker::Endpoint")["DependsOn"]


def test_permissions_live_in_one_managed_policy_not_inline(template: dict[str, Any]) -> None:
    assert of_type(template, "AWS::IAM::Policy") == {}
    (policy,) = of_type(template, "AWS::IAM::ManagedPolicy").values()
    (role_id,) = of_type(template, "AWS::IAM::Role")
    assert policy["Properties"]["Roles"] == [{"Ref": role_id}]


def test_deploying_to_a_region_without_the_image_fails_with_a_sentence(template: dict[str, Any]) -> None:
    (rule,) = [r for name, r in template["Rules"].items() if name.startswith("ImageIn")]
    (assertion,) = rule["Assertions"]
    regions, region = assertion["Assert"]["Fn::Contains"]
    assert region == {"Ref": "AWS::Region"} and "us-east-1" in regions and "us-gov-west-1" not in regions
    assert "is not published in this region" in assertion["AssertDescription"]


def test_a_regional_stack_uses_a_literal_image_uri(regional_synth: Synthesized) -> None:
    template = regional_synth.template(STACK)
    image = props(template, "AWS::SageMaker::Model")["PrimaryContainer"]["Image"]
    assert image == "763104351884.dkr.ecr.eu-west-1.amazonaws.com/djl-inference:0.21.0-fastertransformer5.3.0-cu117"
    assert "Mappings" not in template
    assert not [name for name in template["Rules"] if name.startswith("ImageIn")]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return sorted([actions] if isinstance(actions, str) else actions)


def test_rollback_alarms_also_notify_the_alarm_topic(template: dict[str, Any]) -> None:
    for alarm in of_type(template, "AWS::CloudWatch::Alarm").values():
        (action,) = alarm["Properties"]["AlarmActions"]
        assert "AlarmTopic" in text(action) or "Alarms" in text(action)
        assert alarm["Properties"]["OKActions"] == alarm["Properties"]["AlarmActions"]
