"""InferenceComponentEndpoint and InferenceComponent, driven directly (no catalog)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam, aws_sns as sns

from llm_hosting import (
    ComponentDeployment,
    ComputeRequirements,
    ConstructError,
    InferenceComponent,
    InferenceComponentEndpoint,
    ModelDefinition,
    ProductionVariant,
    ServingImage,
)
from llm_hosting.facts.instances import InstanceType
from tests.library.conftest import new_stack, template
from tests.templates import of_type

P4D = ProductionVariant(instance_type="ml.p4d.24xlarge", initial_instance_count=1)
LMI = ModelDefinition(image=ServingImage.lmi("0.32.0"), weights="s3://weights/a/", tensor_parallel_degree=2)


def shared(stack: cdk.Stack, **overrides: Any) -> InferenceComponentEndpoint:
    props: dict[str, Any] = {"endpoint_name": "shared", "variant": P4D, "max_instance_count": 2, **overrides}
    return InferenceComponentEndpoint(stack, "Shared", **props)


def component(endpoint: InferenceComponentEndpoint, name: str = "a", **overrides: Any) -> InferenceComponent:
    props: dict[str, Any] = {
        "component_name": name,
        "model": LMI,
        "compute": ComputeRequirements(memory_mb=32768, cpu_cores=4),
        **overrides,
    }
    return endpoint.add_component(name.title(), **props)


def test_components_share_the_fleet_each_with_its_own_reservation_and_scaling() -> None:
    # GIVEN a shared endpoint that notifies a topic
    stack = new_stack()
    topic = sns.Topic(stack, "Alarms")
    endpoint = shared(stack, alarm_topic=topic)
    # WHEN one component keeps a floor and one may scale to zero
    steady = component(endpoint, "steady", initial_copies=2)
    steady.auto_scale_copy_count(min_copies=1, max_copies=4).scale_on_concurrency(per_copy=8)
    small = ModelDefinition(image=ServingImage.lmi("0.32.0"), weights="s3://weights/small/")
    idle = component(endpoint, "idle", model=small, compute=ComputeRequirements(memory_mb=16384))
    idle.auto_scale_copy_count(min_copies=0, max_copies=2).scale_on_invocations(per_copy=5)
    built = template(stack)
    # THEN the endpoint config has no model, carries the role and scales its instances itself
    (config,) = of_type(built, "AWS::SageMaker::EndpointConfig").values()
    (variant,) = config["Properties"]["ProductionVariants"]
    assert "ModelName" not in variant and "ExecutionRoleArn" in config["Properties"]
    assert variant["ManagedInstanceScaling"] == {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 2}
    # AND each component reserves its own compute (accelerators default to the tensor parallel degree)
    specs = {
        c["Properties"]["InferenceComponentName"]: c["Properties"]
        for c in of_type(built, "AWS::SageMaker::InferenceComponent").values()
    }
    assert specs["steady"]["Specification"]["ComputeResourceRequirements"] == {
        "MinMemoryRequiredInMb": 32768,
        "NumberOfAcceleratorDevicesRequired": 2,
        "NumberOfCpuCoresRequired": 4,
    }
    assert specs["steady"]["RuntimeConfig"] == {"CopyCount": 2}
    assert specs["idle"]["Specification"]["ComputeResourceRequirements"]["NumberOfAcceleratorDevicesRequired"] == 1
    # AND only the component that may reach zero gets the way back from zero
    alarms = {
        a["Properties"]["AlarmDescription"]: a["Properties"] for a in of_type(built, "AWS::CloudWatch::Alarm").values()
    }
    (from_zero,) = [a for d, a in alarms.items() if "scale out from zero" in d]
    assert from_zero["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "idle"}]
    # AND the component with a floor tells the operators when requests find no copy
    (full,) = [a for d, a in alarms.items() if "out of capacity" in d]
    assert full["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "steady"}]
    assert full["AlarmActions"] == [{"Ref": next(iter(of_type(built, "AWS::SNS::Topic")))}]


def test_the_role_reads_each_weights_prefix_once_and_pulls_the_repository_once() -> None:
    stack = new_stack()
    endpoint = shared(stack)
    component(endpoint, "a")
    component(endpoint, "b", model=ModelDefinition(image=ServingImage.lmi("0.31.0"), weights="s3://weights/b/"))
    (policy,) = of_type(template(stack), "AWS::IAM::ManagedPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert str(statements).count("ecr:BatchGetImage") == 1
    assert "weights/a/*" in str(statements) and "weights/b/*" in str(statements)


def test_many_weights_prefixes_in_one_bucket_are_granted_as_their_common_prefix() -> None:
    from llm_hosting.endpoints.inference_components import MAX_PREFIX_GRANTS_PER_BUCKET, consolidate_prefixes
    from llm_hosting.storage.artifact_store import S3Location

    at_limit = [S3Location("w", f"models/m{i}/") for i in range(MAX_PREFIX_GRANTS_PER_BUCKET)]
    assert consolidate_prefixes(at_limit) == sorted(at_limit, key=lambda s: s.prefix)
    past = [*at_limit, S3Location("w", "models/extra/")]
    assert consolidate_prefixes(past) == [S3Location("w", "models/")]


def test_components_in_another_stack_wait_for_the_endpoints_stack() -> None:
    app = new_stack().node.scope
    assert isinstance(app, cdk.App)
    home, shard = cdk.Stack(app, "Home"), cdk.Stack(app, "Shard")
    endpoint = shared(home)
    component(endpoint, "far", scope=shard)
    assert home in shard.dependencies


def test_grant_invoke_names_the_endpoint_and_the_component() -> None:
    stack = new_stack()
    chat = component(shared(stack), "chat")
    caller = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    chat.grant_invoke(caller)
    (policy,) = of_type(template(stack), "AWS::IAM::Policy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert ":endpoint/shared" in str(statement["Resource"])
    assert ":inference-component/chat" in str(statement["Resource"])


def test_component_metrics_name_the_component() -> None:
    chat = component(shared(new_stack()), "chat")
    invocations = chat.metric_invocations()
    assert (invocations.namespace, invocations.metric_name, invocations.statistic) == (
        "AWS/SageMaker",
        "Invocations",
        "Sum",
    )
    assert invocations.dimensions == {"InferenceComponentName": "chat"}
    memory = chat.metric_gpu_memory_utilization()
    assert (memory.namespace, memory.metric_name) == (
        "/aws/sagemaker/InferenceComponents",
        "GPUMemoryUtilizationNormalized",
    )


def test_rolling_updates_roll_back_on_the_components_alarms() -> None:
    stack = new_stack()
    component(shared(stack), "a", deployment=ComponentDeployment(batch_percent=25))
    (resource,) = of_type(template(stack), "AWS::SageMaker::InferenceComponent").values()
    policy = resource["Properties"]["DeploymentConfig"]["RollingUpdatePolicy"]
    assert policy["MaximumBatchSize"] == {"Type": "CAPACITY_PERCENT", "Value": 25}
    assert len(resource["Properties"]["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]) == 2


# --- construct-level errors ----------------------------------------------------------------------


def expect_error(build: Callable[[cdk.Stack], object], *fragments: str) -> None:
    stack = new_stack()
    with pytest.raises(ConstructError) as raised:
        build(stack)
    for fragment in fragments:
        assert fragment in str(raised.value), str(raised.value)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"compute": ComputeRequirements(memory_mb=1024, accelerators=9)}, "9 GPUs per copy but ml.p4d.24xlarge has 8"),
        ({"compute": ComputeRequirements(memory_mb=127)}, "memory_mb is 127; SageMaker reserves at least 128"),
        ({"compute": ComputeRequirements(memory_mb=2_000_000)}, "MB per copy but ml.p4d.24xlarge has 1179648 MB"),
        ({"compute": ComputeRequirements(memory_mb=4096, max_memory_mb=2048)}, "max_memory_mb (2048) is below"),
        ({"compute": ComputeRequirements(memory_mb=4096, cpu_cores=0.24)}, "cpu_cores is 0.24; SageMaker reserves"),
        (
            {"compute": ComputeRequirements(memory_mb=4096, cpu_cores=97)},
            "97 cores per copy but ml.p4d.24xlarge has 96",
        ),
        ({"initial_copies": -1}, "initial_copies is -1; use 0 or more"),
        ({"component_name": "has space"}, "component_name: 'has space' is not a valid SageMaker name"),
        (
            {"compute": ComputeRequirements(memory_mb=4096, accelerators=1)},
            "tensor_parallel_degree 2 needs 2 GPUs but the component reserves 1",
        ),
    ],
)
def test_component_props_that_cannot_work_are_refused(overrides: dict[str, Any], fragment: str) -> None:
    expect_error(lambda s: component(shared(s), **overrides), "Test/Shared/A: ", fragment)


@pytest.mark.parametrize(("entries", "ok"), [(14, True), (15, False)])
def test_a_component_takes_at_most_16_environment_entries_with_its_serving_options(entries: int, ok: bool) -> None:
    # Without code, HF_MODEL_ID and OPTION_ENGINE carry the model's serving options: 2 of the 16
    model = ModelDefinition(
        image=ServingImage.lmi(), weights="s3://w/m/", environment={f"V{i}": "x" for i in range(entries)}
    )
    if ok:
        component(shared(new_stack()), model=model)
    else:
        expect_error(
            lambda s: component(shared(s), model=model),
            "the environment has 17 entries (2 of them made from the serving options); an inference component "
            "takes at most 16",
        )


@pytest.mark.parametrize(("memory_mb", "cpu_cores"), [(128, 0.25)])
def test_the_smallest_reservation_sagemaker_takes_is_accepted(memory_mb: int, cpu_cores: float) -> None:
    component(
        shared(new_stack()), compute=ComputeRequirements(memory_mb=memory_mb, cpu_cores=cpu_cores, accelerators=2)
    )


def test_copy_scaling_bounds_and_repeats_are_refused() -> None:
    expect_error(
        lambda s: component(shared(s)).auto_scale_copy_count(min_copies=3, max_copies=2),
        "Test/Shared/A/Scaling: min copies (3) is greater than max (2)",
    )

    def twice(stack: cdk.Stack) -> object:
        target = component(shared(stack))
        target.auto_scale_copy_count(min_copies=0, max_copies=2)
        return target.auto_scale_copy_count(min_copies=0, max_copies=3)

    expect_error(twice, "auto_scale_copy_count was already called")

    def two_metrics(stack: cdk.Stack) -> object:
        scaling = component(shared(stack)).auto_scale_copy_count(min_copies=1, max_copies=2)
        scaling.scale_on_invocations(per_copy=5)
        return scaling.scale_on_concurrency(per_copy=5)

    expect_error(two_metrics, "already has a target-tracking policy")
    expect_error(
        lambda s: (
            component(shared(s)).auto_scale_copy_count(min_copies=1, max_copies=2).scale_on_invocations(per_copy=0)
        ),
        "per_copy is 0; use 1 or more",
    )


@pytest.mark.parametrize(
    ("minimum", "maximum", "ok"), [(0, 1, True), (0, 2, True), (2, 2, False), (-1, 2, False), (0, 0, False)]
)
def test_managed_instance_counts_must_hold_the_initial_count(minimum: int, maximum: int, ok: bool) -> None:
    def build(stack: cdk.Stack) -> object:
        return shared(stack, min_instance_count=minimum, max_instance_count=maximum)

    if ok:
        build(new_stack())
    else:
        expect_error(build, "instance counts must keep 0 <= min")


def test_a_burstable_fleet_cannot_scale_its_instances() -> None:
    t3 = InstanceType("ml.t3.large", "none", gpus=0, gpu_memory_mib=0, vcpus=2, memory_mib=8192, nvme=False)
    variant = ProductionVariant(instance_type="ml.t3.large", instance=t3)
    expect_error(lambda s: shared(s, variant=variant), "ml.t3.large is a burstable (ml.t*) type")
    shared(new_stack(), variant=variant, max_instance_count=1)  # a fixed fleet is fine


def test_config_updates_keep_the_instance_count_managed_scaling_chose() -> None:
    stack = new_stack()
    shared(stack)
    (endpoint,) = of_type(template(stack), "AWS::SageMaker::Endpoint").values()
    assert endpoint["Properties"]["RetainAllVariantProperties"] is True
