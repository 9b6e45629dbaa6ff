"""SingleModelEndpoint and MultiModelEndpoint, driven directly (no catalog)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2, aws_iam as iam, aws_kms as kms

from llm_hosting import (
    ConstructError,
    EndpointDeployment,
    ModelDefinition,
    ProductionVariant,
    S3Location,
    ServingImage,
    SingleModelEndpoint,
)
from llm_hosting.endpoints.multi_model import MultiModelEndpoint
from llm_hosting.endpoints.settings import DynamicBatching
from llm_hosting.facts.instances import InstanceType
from tests.library.conftest import new_stack, template
from tests.synth import ROOT
from tests.templates import of_type

G5_12 = ProductionVariant(instance_type="ml.g5.12xlarge", initial_instance_count=2)
LMI = ModelDefinition(image=ServingImage.lmi("0.32.0"), weights="s3://weights/llama/", tensor_parallel_degree=4)


def subnet(stack: cdk.Stack, i: int) -> ec2.ISubnet:
    return ec2.Subnet.from_subnet_attributes(
        stack, f"Subnet{i}", subnet_id=f"subnet-0123456789abcde{i:02x}", route_table_id=f"rtb-0123456789abcde{i:02x}"
    )


def security_group(stack: cdk.Stack, i: int) -> ec2.ISecurityGroup:
    return ec2.SecurityGroup.from_security_group_id(stack, f"Group{i}", f"sg-0123456789abcde{i:02x}", mutable=False)


def single(stack: cdk.Stack, **overrides: Any) -> SingleModelEndpoint:
    props: dict[str, Any] = {"endpoint_name": "llama", "model": LMI, "variant": G5_12, **overrides}
    return SingleModelEndpoint(stack, "Llama", **props)


def mme(stack: cdk.Stack, **overrides: Any) -> MultiModelEndpoint:
    props: dict[str, Any] = {
        "endpoint_name": "embeddings",
        "image": ServingImage.triton("24.09"),
        "models": S3Location("models-bucket", "embeddings/"),
        "variant": ProductionVariant(instance_type="ml.g4dn.xlarge"),
        **overrides,
    }
    return MultiModelEndpoint(stack, "Embeddings", **props)


# --- what gets built -------------------------------------------------------------------------------


def test_a_single_model_endpoint_reads_its_weights_and_nothing_else() -> None:
    # GIVEN a stack
    stack = new_stack()
    # WHEN an LMI model with S3 weights and no code is put on its own endpoint
    single(stack)
    # THEN the role reads the weights prefix, and pulls one repository: there is no archive to read
    built = template(stack)
    (policy,) = of_type(built, "AWS::IAM::ManagedPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    reads = str([s["Resource"] for s in statements if s["Action"] == "s3:GetObject"])
    assert "cdk-hnb659fds-assets" not in reads and ".tar.gz" not in reads
    assert ":s3:::weights/llama/*" in reads
    buckets = [s["Resource"] for s in statements if s["Action"] == "s3:ListBucket"]
    assert ":s3:::weights" in str(buckets) and "cdk-hnb659fds" not in str(buckets)
    (model,) = of_type(built, "AWS::SageMaker::Model").values()
    container = model["Properties"]["PrimaryContainer"]
    assert "djl-inference:0.32.0-lmi14.0.0-cu126" in str(container["Image"])
    # AND its serving options are environment variables the template shows
    assert "ModelDataUrl" not in container
    assert container["Environment"]["HF_MODEL_ID"] == "s3://weights/llama/"
    assert container["Environment"]["OPTION_TENSOR_PARALLEL_DEGREE"] == "4"
    (endpoint,) = of_type(built, "AWS::SageMaker::Endpoint").values()
    assert endpoint["Properties"]["EndpointName"] == "llama"
    assert "DeploymentConfig" not in endpoint["Properties"]


def test_a_model_with_code_reads_its_one_archive_object() -> None:
    stack = new_stack()
    code = Path(__file__).resolve().parents[2] / "model_artifacts" / "flan-t5-xxl"
    single(
        stack,
        model=ModelDefinition(image=ServingImage.fastertransformer("0.21.0"), code=code, weights="s3://weights/t5/"),
    )
    (policy,) = of_type(template(stack), "AWS::IAM::ManagedPolicy").values()
    reads = str(
        [s["Resource"] for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == "s3:GetObject"]
    )
    assert "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}" in reads and ".tar.gz" in reads


def test_scaling_on_gpu_memory_converts_percent_of_the_instance_to_percent_times_gpus() -> None:
    # GIVEN a single-model endpoint on a 4-GPU instance type
    stack = new_stack()
    endpoint = single(stack, deployment=EndpointDeployment())
    # WHEN it scales on 80 % of its GPU memory between 2 and 4 instances
    scaling = endpoint.auto_scale_instance_count(min_capacity=2, max_capacity=4)
    scaling.scale_on_gpu_memory(percent=80)
    # THEN the policy tracks 320 (80 x 4), updates keep the scaled count, and a canary is possible
    built = template(stack)
    (policy,) = of_type(built, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    assert policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 320
    assert scaling.gpu_memory_target == 320
    (target,) = of_type(built, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == (2, 4)
    (resource,) = of_type(built, "AWS::SageMaker::Endpoint").values()
    assert resource["Properties"]["RetainAllVariantProperties"] is True
    routing = resource["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing["Type"] == "CANARY"


def test_a_floor_of_one_instance_makes_the_default_deployment_all_at_once() -> None:
    stack = new_stack()
    endpoint = single(stack, deployment=EndpointDeployment())
    endpoint.auto_scale_instance_count(min_capacity=1, max_capacity=4).scale_on_invocations(per_instance=100)
    (resource,) = of_type(template(stack), "AWS::SageMaker::Endpoint").values()
    routing = resource["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing["Type"] == "ALL_AT_ONCE"


def test_grant_invoke_lets_a_role_call_the_endpoint_and_stream() -> None:
    stack = new_stack()
    endpoint = single(stack)
    caller = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    endpoint.grant_invoke(caller)
    (policy,) = of_type(template(stack), "AWS::IAM::Policy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
    assert ":endpoint/llama" in str(statement["Resource"])


def test_metrics_name_the_endpoint_and_variant() -> None:
    stack = new_stack()
    endpoint = single(stack)
    latency = endpoint.metric_model_latency()
    assert (latency.metric_name, latency.namespace, latency.statistic) == ("ModelLatency", "AWS/SageMaker", "p90")
    assert latency.dimensions == {"EndpointName": "llama", "VariantName": "AllTraffic"}
    memory = endpoint.metric_gpu_memory_utilization()
    assert (memory.namespace, memory.metric_name) == ("/aws/sagemaker/Endpoints", "GPUMemoryUtilization")
    assert endpoint.metric("LoadedModelCount", instance=True).namespace == "/aws/sagemaker/Endpoints"


def test_a_djl_model_with_code_gets_its_settings_in_the_archives_serving_properties() -> None:
    stack = new_stack()
    flan = ModelDefinition(
        image=ServingImage.fastertransformer("0.21.0"),
        code=ROOT / "model_artifacts" / "flan-t5-xxl",
        weights="s3://weights/flan-t5-large/",
        tensor_parallel_degree=1,
        batching=DynamicBatching(max_batch_size=4),
    )
    properties, problems = flan.djl_properties()
    assert problems == []
    assert properties["option.tensor_parallel_degree"] == "1"
    assert properties["option.s3url"] == "s3://weights/flan-t5-large/"
    single(stack, model=flan)  # builds: no conflict with the shipped serving.properties


def test_a_multi_model_endpoint_reads_its_prefix_and_warms_up_every_model() -> None:
    stack = new_stack()
    endpoint = mme(stack)
    endpoint.add_warmup(schedule="rate(30 minutes)", payload={"inputs": "hi"}, concurrency=2)
    built = template(stack)
    (model,) = of_type(built, "AWS::SageMaker::Model").values()
    assert model["Properties"]["PrimaryContainer"]["Mode"] == "MultiModel"
    assert model["Properties"]["PrimaryContainer"]["ModelDataUrl"] == "s3://models-bucket/embeddings/"
    (rule,) = of_type(built, "AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(30 minutes)"
    (function,) = of_type(built, "AWS::Lambda::Function").values()
    assert function["Properties"]["Environment"]["Variables"]["CONCURRENCY"] == "2"


def test_subnets_and_security_groups_reach_the_model_and_the_warmup_function() -> None:
    stack = new_stack()
    subnets = [subnet(stack, i) for i in range(2)]
    groups = [security_group(stack, 0)]
    mme(stack, vpc_subnets=subnets, security_groups=groups).add_warmup()
    built = template(stack)
    (model,) = of_type(built, "AWS::SageMaker::Model").values()
    assert model["Properties"]["VpcConfig"] == {
        "SecurityGroupIds": ["sg-0123456789abcde00"],
        "Subnets": ["subnet-0123456789abcde00", "subnet-0123456789abcde01"],
    }
    (function,) = of_type(built, "AWS::Lambda::Function").values()
    assert function["Properties"]["VpcConfig"]["SubnetIds"] == ["subnet-0123456789abcde00", "subnet-0123456789abcde01"]


def test_a_volume_on_an_ebs_instance_type_is_encrypted_with_the_given_key() -> None:
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    variant = ProductionVariant(instance_type="ml.m5.xlarge", volume_size_gb=100, volume_key=key)
    custom = ModelDefinition(image=ServingImage.from_uri("123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"))
    single(stack, model=custom, variant=variant)
    (config,) = of_type(template(stack), "AWS::SageMaker::EndpointConfig").values()
    assert config["Properties"]["ProductionVariants"][0]["VolumeSizeInGB"] == 100
    assert "KmsKeyId" in config["Properties"]


# --- construct-level errors: one error, every problem, the construct's path ----------------------------


def expect_error(build: Callable[[cdk.Stack], object], *fragments: str) -> str:
    stack = new_stack()
    with pytest.raises(ConstructError) as raised:
        build(stack)
    message = str(raised.value)
    assert message.startswith("Test/"), message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_every_problem_of_one_construct_is_reported_at_once() -> None:
    bad = ModelDefinition(image=ServingImage.lmi("0.32.0"), weights="weights/llama", tensor_parallel_degree=8)
    message = expect_error(
        lambda s: single(s, endpoint_name="bad_name", model=bad),
        "Test/Llama: ",
        "tensor_parallel_degree 8 needs 8 GPUs but ml.g5.12xlarge has 4",
        "weights 'weights/llama' is not an S3 prefix",
        "endpoint_name: 'bad_name' is not a valid SageMaker name",
    )
    assert message.count("; ") >= 2


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (
            {"model": ModelDefinition(image=ServingImage.triton(), tensor_parallel_degree=1)},
            "tensor_parallel_degree is a DJL Serving setting, but triton",
        ),
        (
            {"model": ModelDefinition(image=ServingImage.triton(), serving_properties={"option.dtype": "fp16"})},
            "serving_properties is a DJL Serving setting",
        ),
        ({"model": ModelDefinition(image=ServingImage.lmi(), code="/no/such/dir")}, "is not a directory"),
        ({"network_isolation": True}, "network isolation blocks"),
        (
            {"variant": ProductionVariant(instance_type="ml.g5.12xlarge", volume_size_gb=100)},
            "ml.g5.12xlarge has local NVMe storage",
        ),
        ({"variant": ProductionVariant(instance_type="ml.g5.12xlarge", initial_instance_count=0)}, "at least 1"),
        (
            {
                "variant": ProductionVariant(instance_type="ml.g5.12xlarge", initial_instance_count=1),
                "deployment": EndpointDeployment(strategy="canary"),
            },
            "a canary of 1 instance(s) is more than half of the 1",
        ),
        ({"endpoint_name": "x" * 64}, "is 64 characters long; SageMaker names allow at most 63"),
    ],
)
def test_single_model_endpoint_props_that_cannot_work_are_refused(overrides: dict[str, Any], fragment: str) -> None:
    expect_error(lambda s: single(s, **overrides), fragment)


def test_a_conflict_with_the_code_directorys_serving_properties_is_refused() -> None:
    codegen = ModelDefinition(
        image=ServingImage.fastertransformer("0.21.0"),
        code=ROOT / "model_artifacts" / "codegen",
        serving_properties={"option.dtype": "fp32"},
    )
    expect_error(lambda s: single(s, model=codegen), "sets option.dtype=fp16 but the model definition gives fp32")


def test_an_endpoint_name_of_exactly_63_characters_is_accepted() -> None:
    single(new_stack(), endpoint_name="x" * 63)


@pytest.mark.parametrize(("count", "ok"), [(16, True), (17, False)])
def test_up_to_16_subnets_are_accepted(count: int, ok: bool) -> None:
    def build(stack: cdk.Stack) -> object:
        subnets = [subnet(stack, i) for i in range(count)]
        groups = [security_group(stack, 0)]
        return single(stack, vpc_subnets=subnets, security_groups=groups)

    if ok:
        build(new_stack())
    else:
        expect_error(build, "vpc_subnets has 17 subnets; SageMaker takes 1-16")


@pytest.mark.parametrize(("count", "ok"), [(5, True), (6, False), (0, False)])
def test_one_to_five_security_groups_are_accepted(count: int, ok: bool) -> None:
    def build(stack: cdk.Stack) -> object:
        subnets = [subnet(stack, 0)]
        groups = [security_group(stack, i) for i in range(count)]
        return single(stack, vpc_subnets=subnets, security_groups=groups)

    if ok:
        build(new_stack())
    else:
        expect_error(build, f"security_groups has {count} groups; SageMaker takes 1-5")


def test_scaling_twice_is_refused_and_so_is_one_metric_twice() -> None:
    def twice(stack: cdk.Stack) -> object:
        endpoint = single(stack)
        endpoint.auto_scale_instance_count(min_capacity=1, max_capacity=2)
        return endpoint.auto_scale_instance_count(min_capacity=1, max_capacity=3)

    expect_error(twice, "auto_scale_instance_count was already called")

    def same_metric(stack: cdk.Stack) -> object:
        scaling = single(stack).auto_scale_instance_count(min_capacity=1, max_capacity=2)
        scaling.scale_on_invocations(per_instance=100)
        return scaling.scale_on_invocations(per_instance=200)

    expect_error(same_metric, "Test/Llama/Scaling: already scales on invocations per instance")


@pytest.mark.parametrize(
    ("minimum", "maximum", "fragment"),
    [(3, 2, "min instances (3) is greater than max (2)"), (0, 2, "min instances is 0; use 1 or more")],
)
def test_instance_scaling_bounds_are_checked(minimum: int, maximum: int, fragment: str) -> None:
    expect_error(lambda s: single(s).auto_scale_instance_count(min_capacity=minimum, max_capacity=maximum), fragment)


def test_burstable_instance_types_cannot_autoscale() -> None:
    t2 = InstanceType("ml.t2.medium", "none", gpus=0, gpu_memory_mib=0, vcpus=2, memory_mib=4096, nvme=False)
    custom = ModelDefinition(image=ServingImage.from_uri("123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1"))
    variant = ProductionVariant(instance_type="ml.t2.medium", instance=t2)
    expect_error(
        lambda s: single(s, model=custom, variant=variant).auto_scale_instance_count(min_capacity=1, max_capacity=2),
        "ml.t2.medium is a burstable (ml.t*) type, which SageMaker cannot autoscale",
    )


@pytest.mark.parametrize(("percent", "ok"), [(100, True), (100.01, False), (0, False)])
def test_a_gpu_memory_target_is_more_than_0_and_at_most_100_percent(percent: float, ok: bool) -> None:
    def build(stack: cdk.Stack) -> object:
        return (
            single(stack).auto_scale_instance_count(min_capacity=1, max_capacity=2).scale_on_gpu_memory(percent=percent)
        )

    if ok:
        build(new_stack())
    else:
        expect_error(build, f"percent is {percent:g}; use more than 0 and at most 100")


@pytest.mark.parametrize(("seconds", "ok"), [(3600, True), (3601, False)])
def test_cooldowns_are_at_most_an_hour(seconds: int, ok: bool) -> None:
    def build(stack: cdk.Stack) -> object:
        scaling = single(stack).auto_scale_instance_count(min_capacity=1, max_capacity=2)
        return scaling.scale_on_invocations(per_instance=10, scale_in_cooldown_s=seconds)

    if ok:
        build(new_stack())
    else:
        expect_error(build, "scale_in_cooldown_s is 3601; use 0-3600 seconds")


def test_multi_model_endpoints_refuse_what_sagemaker_refuses() -> None:
    expect_error(
        lambda s: mme(s, variant=ProductionVariant(instance_type="ml.g5.12xlarge")),
        "ml.g5.12xlarge has 4 GPUs; SageMaker multi-model endpoints support single-GPU instance types only",
    )
    expect_error(lambda s: mme(s, models=S3Location("b", "no-slash")), "the models prefix must end with '/'")
    expect_error(
        lambda s: mme(s).auto_scale_instance_count(min_capacity=1, max_capacity=2).scale_on_concurrency(per_model=4),
        "the per-model concurrency metric is not reported for multi-model endpoints",
    )

    def warm_twice(stack: cdk.Stack) -> object:
        endpoint = mme(stack)
        endpoint.add_warmup()
        return endpoint.add_warmup()

    expect_error(warm_twice, "add_warmup was already called")
