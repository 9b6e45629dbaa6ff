"""Documented rules the shapes cannot express: one mistake, one line naming the rule's source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.preflight.stacks import Template, components_stack, edited, line, problem_lines, single_model_stack

IC_ENV = (
    'botocore sagemaker InferenceComponentContainerSpecification.Environment documentation: "We support up to 16 '
    'entries in the map"; its shape EnvironmentMap allows 100'
)
NVME = (
    "aws-facts.md A.2: SageMaker SDK volume_size_supported()/instance_supports_kms(), SDK PR #4828, "
    "DG multi-model-endpoint-instance; instance facts from llm_hosting.facts.INSTANCE_TYPES"
)
RESOURCE_ID = "botocore application-autoscaling RegisterScalableTargetRequest.ResourceId documentation"
CANARY = "botocore sagemaker TrafficRoutingConfig.CanarySize documentation"


def props(resources: dict[str, Any], logical_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = resources[logical_id]["Properties"]
    return properties


def one_line(tmp_path: Path, stack: str, template: Template) -> str:
    lines = problem_lines(tmp_path, {stack: template})
    assert len(lines) == 1, lines
    return lines[0]


def test_an_inference_component_environment_of_17_entries_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Component")["Specification"]["Container"]["Environment"] = {f"V{n}": "1" for n in range(17)}

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Component",
        "Specification.Container.Environment",
        f"17 entries, over the 16 an inference component takes ({IC_ENV})",
    )


def test_an_inference_component_environment_of_16_entries_passes(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Component")["Specification"]["Container"]["Environment"] = {f"V{n}": "1" for n in range(16)}

    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == []


def test_a_canary_of_2_of_2_instances_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        routing = props(resources, "Endpoint")["DeploymentConfig"]["BlueGreenUpdatePolicy"][
            "TrafficRoutingConfiguration"
        ]
        routing["CanarySize"]["Value"] = 2

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Endpoint",
        "DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize",
        f"a canary of 2 instances is 100 % of variant AllTraffic's 2 instances; the API allows at most 50 % ({CANARY})",
    )


def test_a_canary_of_60_percent_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        routing = props(resources, "Endpoint")["DeploymentConfig"]["BlueGreenUpdatePolicy"][
            "TrafficRoutingConfiguration"
        ]
        routing["CanarySize"] = {"Type": "CAPACITY_PERCENT", "Value": 60}

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Endpoint",
        "DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize",
        f"a canary of 60 % of capacity; the API allows at most 50 % ({CANARY})",
    )


def test_a_linear_step_under_10_percent_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        routing = props(resources, "Endpoint")["DeploymentConfig"]["BlueGreenUpdatePolicy"][
            "TrafficRoutingConfiguration"
        ]
        routing.pop("CanarySize")
        routing.update(Type="LINEAR", LinearStepSize={"Type": "CAPACITY_PERCENT", "Value": 5})

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Endpoint",
        "DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.LinearStepSize",
        "a linear step of 5 % of capacity; the API allows 10–50 % "
        "(botocore sagemaker TrafficRoutingConfig.LinearStepSize documentation)",
    )


def test_a_rolling_batch_of_every_instance_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Endpoint")["DeploymentConfig"] = {
            "RollingUpdatePolicy": {
                "MaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 2},
                "WaitIntervalInSeconds": 60,
            }
        }

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Endpoint",
        "DeploymentConfig.RollingUpdatePolicy.MaximumBatchSize",
        "a batch of 2 instances is 100 % of variant AllTraffic's 2 instances; the API allows 5–50 % "
        "(botocore sagemaker RollingUpdatePolicy.MaximumBatchSize documentation)",
    )


def test_a_component_rolling_every_copy_at_once_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        rolling = props(resources, "Component")["DeploymentConfig"]["RollingUpdatePolicy"]
        rolling["MaximumBatchSize"] = {"Type": "COPY_COUNT", "Value": 2}

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Component",
        "DeploymentConfig.RollingUpdatePolicy.MaximumBatchSize",
        "a batch of 2 copies is 100 % of the component's 2 copies; the API allows 5–50 % "
        "(botocore sagemaker InferenceComponentRollingUpdatePolicy.MaximumBatchSize documentation)",
    )


def test_a_single_model_data_url_that_is_not_an_archive_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Model")["PrimaryContainer"]["ModelDataUrl"] = "s3://artifacts-bucket/flan/"

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Model",
        "PrimaryContainer.ModelDataUrl",
        "'s3://artifacts-bucket/flan/' is not a .tar.gz archive; the API takes a single gzip-compressed tar "
        "(botocore sagemaker ContainerDefinition.ModelDataUrl documentation)",
    )


def test_a_multi_model_container_takes_a_prefix(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Model")["PrimaryContainer"].update(
            Mode="MultiModel", ModelDataUrl="s3://artifacts-bucket/mme/"
        )

    assert problem_lines(tmp_path, {"M": edited(single_model_stack(), change)}) == []


def test_a_component_artifact_that_is_not_an_archive_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Component")["Specification"]["Container"]["ArtifactUrl"] = (
            "s3://artifacts-bucket/chat/model.zip"
        )

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Component",
        "Specification.Container.ArtifactUrl",
        "'s3://artifacts-bucket/chat/model.zip' is not a .tar.gz archive; the API takes a single gzip-compressed "
        "tar (botocore sagemaker InferenceComponentContainerSpecification.ArtifactUrl documentation)",
    )


def test_a_model_environment_over_32_kb_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Model")["PrimaryContainer"]["Environment"] = {f"V{n:02}": "x" * 1000 for n in range(33)}

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Model",
        "PrimaryContainer.Environment",
        "environment keys and values total 33,099 bytes, over the 32 KB (32,768 bytes) the API allows across a "
        "model's containers (botocore sagemaker ContainerDefinition.Environment documentation)",
    )


def test_a_volume_size_on_an_nvme_instance_type_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Config")["ProductionVariants"][0]["VolumeSizeInGB"] = 100

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Config",
        "ProductionVariants[0].VolumeSizeInGB",
        "ml.g5.12xlarge has local NVMe storage: SageMaker attaches no EBS volume and rejects a volume size; "
        f"remove it ({NVME})",
    )


def test_a_volume_size_on_an_instance_type_without_local_storage_passes(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Config")["ProductionVariants"][0]["VolumeSizeInGB"] = 100

    template = edited(single_model_stack(instance_type="ml.m5.xlarge"), change)
    assert problem_lines(tmp_path, {"M": template}) == []


def test_a_kms_key_on_an_nvme_endpoint_config_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Config")["KmsKeyId"] = "alias/llm-hosting"

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Config",
        "KmsKeyId",
        "ProductionVariants[0] runs on ml.g5.12xlarge, which has local NVMe storage: omit the endpoint config's "
        "KmsKeyId there (the key cannot encrypt instance storage, and older API documentation says "
        f"CreateEndpointConfig fails) ({NVME})",
    )


def test_managed_instance_scaling_with_min_above_max_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Config")["ProductionVariants"][0]["ManagedInstanceScaling"]["MinInstanceCount"] = 3

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Config",
        "ProductionVariants[0].ManagedInstanceScaling",
        "MinInstanceCount 3 is above MaxInstanceCount 2: no instance count is both (the shape "
        "ProductionVariantManagedInstanceScaling bounds each member alone; botocore sagemaker)",
    )


def test_a_scalable_target_with_min_above_max_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Target")["MinCapacity"] = 5

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Target",
        "MinCapacity",
        "5 is above MaxCapacity 4: Application Auto Scaling scales between the two "
        "(botocore application-autoscaling RegisterScalableTargetRequest.MinCapacity/MaxCapacity documentation)",
    )


def test_a_scaling_target_naming_an_unknown_component_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Target")["ResourceId"] = "inference-component/chat-lm"

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Target",
        "ResourceId",
        "inference-component/chat-lm names inference component chat-lm, which no stack in this assembly defines; "
        f"did you mean chat-llm? (a scalable target registers an existing resource: {RESOURCE_ID})",
    )


def test_a_scaling_target_finds_a_component_in_another_stack(tmp_path: Path) -> None:
    # A shard stack's scaling target may name a component of any stack in the assembly.
    components = components_stack()
    target = components["Resources"].pop("Target")
    policy = components["Resources"].pop("Policy")
    shard = {"Resources": {"Target": target, "Policy": policy}}
    assert problem_lines(tmp_path, {"C": components, "C-part2": shard}) == []


def test_a_scaling_target_naming_an_unknown_endpoint_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Target")["ResourceId"] = "endpoint/flan-t5/variant/AllTraffic"

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Target",
        "ResourceId",
        "endpoint/flan-t5/variant/AllTraffic names endpoint flan-t5, which no stack in this assembly defines; "
        f"did you mean flan? (a scalable target registers an existing resource: {RESOURCE_ID})",
    )


def test_a_scaling_target_naming_an_unknown_variant_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Target")["ResourceId"] = "endpoint/flan/variant/Primary"

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Target",
        "ResourceId",
        "endpoint/flan/variant/Primary names variant Primary, which endpoint flan does not have (it defines "
        f"AllTraffic) (a scalable target registers an existing resource: {RESOURCE_ID})",
    )


def test_a_variant_resource_id_in_the_wrong_form_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Target")["ResourceId"] = "endpoint/flan"

    assert one_line(tmp_path, "M", edited(single_model_stack(), change)) == line(
        tmp_path,
        "M",
        "Target",
        "ResourceId",
        "'endpoint/flan' is not endpoint/<EndpointName>/variant/<VariantName>, the form "
        f"sagemaker:variant:DesiredInstanceCount takes ({RESOURCE_ID})",
    )


def test_a_component_resource_id_in_the_wrong_form_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Target")["ResourceId"] = "endpoint/chat/inference-component/chat-llm"

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Target",
        "ResourceId",
        "'endpoint/chat/inference-component/chat-llm' is not inference-component/<InferenceComponentName>, the "
        f"form sagemaker:inference-component:DesiredCopyCount takes ({RESOURCE_ID})",
    )


def test_a_dimension_of_another_namespace_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Target")["ServiceNamespace"] = "ecs"

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Target",
        "ScalableDimension",
        "sagemaker:inference-component:DesiredCopyCount belongs to namespace sagemaker, not ServiceNamespace ecs "
        "(a dimension is <namespace>:<resource type>:<property>: botocore application-autoscaling "
        "RegisterScalableTargetRequest.ScalableDimension documentation)",
    )


def test_an_unknown_component_endpoint_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Component")["EndpointName"] = "chats"

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Component",
        "EndpointName",
        "chats is no endpoint this assembly defines; did you mean chat? (CreateInferenceComponent places it on an "
        "existing endpoint and variant: botocore sagemaker CreateInferenceComponentInput.EndpointName documentation)",
    )


def test_an_unknown_component_variant_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Component")["VariantName"] = "Primary"

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Component",
        "VariantName",
        "endpoint chat has no variant Primary (it defines AllTraffic) (CreateInferenceComponent places it on an "
        "existing endpoint and variant: botocore sagemaker CreateInferenceComponentInput.VariantName documentation)",
    )


def test_names_are_not_looked_up_when_an_endpoint_name_is_generated(tmp_path: Path) -> None:
    # An endpoint without EndpointName gets one from CloudFormation: any name might be that one.
    def change(resources: dict[str, Any]) -> None:
        del props(resources, "Endpoint")["EndpointName"]
        props(resources, "Component")["EndpointName"] = "somewhere-else"

    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == []


def test_a_target_value_of_zero_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Policy")["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] = 0

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Policy",
        "TargetTrackingScalingPolicyConfiguration.TargetValue",
        "0 is not above 0: target tracking adds capacity in proportion to metric / target, so the target must be "
        "a positive level of the metric (Application Auto Scaling User Guide, target-tracking-scaling-policy-overview; "
        "the shape MetricScale has no minimum)",
    )


def test_a_variant_metric_on_a_component_target_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        configuration = props(resources, "Policy")["TargetTrackingScalingPolicyConfiguration"]
        configuration["PredefinedMetricSpecification"]["PredefinedMetricType"] = (
            "SageMakerVariantInvocationsPerInstance"
        )

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Policy",
        "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
        "SageMakerVariantInvocationsPerInstance measures a variant but the policy scales "
        "sagemaker:inference-component:DesiredCopyCount (aws-facts.md B: the SageMaker predefined metric types and "
        "the dimension each belongs to)",
    )


def test_a_policy_with_a_target_and_a_resource_id_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        props(resources, "Policy")["ResourceId"] = "inference-component/chat-llm"

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Policy",
        "ScalingTargetId",
        "set together with ResourceId; give either ScalingTargetId or ResourceId, ScalableDimension and "
        "ServiceNamespace, not both (CloudFormation AWS::ApplicationAutoScaling::ScalingPolicy ScalingTargetId)",
    )


def test_a_policy_without_a_target_is_reported_for_each_member_the_api_needs(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        del props(resources, "Policy")["ScalingTargetId"]

    lines = problem_lines(tmp_path, {"C": edited(components_stack(), change)})
    assert [entry.split(" ", 2)[2].split(":")[0] for entry in lines] == [
        "ServiceNamespace",
        "ResourceId",
        "ScalableDimension",
    ]


def test_a_target_tracking_policy_without_its_configuration_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        del props(resources, "Policy")["TargetTrackingScalingPolicyConfiguration"]

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Policy",
        "TargetTrackingScalingPolicyConfiguration",
        "missing; a TargetTrackingScaling policy needs it (botocore application-autoscaling "
        "PutScalingPolicyRequest.TargetTrackingScalingPolicyConfiguration documentation)",
    )


def test_predictive_scaling_on_sagemaker_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        policy = props(resources, "Policy")
        del policy["TargetTrackingScalingPolicyConfiguration"]
        policy["PolicyType"] = "PredictiveScaling"

    assert one_line(tmp_path, "C", edited(components_stack(), change)) == line(
        tmp_path,
        "C",
        "Policy",
        "PolicyType",
        "PredictiveScaling is not supported for namespace sagemaker (botocore application-autoscaling "
        "PutScalingPolicyRequest.PolicyType documentation: only Amazon ECS)",
    )


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        pytest.param(
            {"ExtendedStatistic": "p90"},
            "ExtendedStatistic",
            "set together with Statistic; with MetricName give exactly one of them "
            "(botocore cloudwatch PutMetricAlarmInput.Statistic documentation)",
            id="statistic-and-extended-statistic",
        ),
        pytest.param(
            {"Statistic": {"Ref": "AWS::NoValue"}},
            "Statistic",
            "missing; with MetricName give Statistic or ExtendedStatistic "
            "(botocore cloudwatch PutMetricAlarmInput.Statistic documentation)",
            id="no-statistic",
        ),
        pytest.param(
            {"DatapointsToAlarm": 3},
            "DatapointsToAlarm",
            "3 is more than EvaluationPeriods 2: an M-out-of-N alarm needs M <= N "
            "(botocore cloudwatch PutMetricAlarmInput.DatapointsToAlarm documentation)",
            id="more-datapoints-than-periods",
        ),
    ],
)
def test_alarm_rules(tmp_path: Path, change: dict[str, Any], path: str, message: str) -> None:
    template = edited(single_model_stack(), lambda resources: props(resources, "Errors").update(change))
    assert one_line(tmp_path, "M", template) == line(tmp_path, "M", "Errors", path, message)
