"""Adapters, instance pools, data caching, capacity reservations, scale-in and scheduling, driven
through the constructs directly: each appears in the template where it is asked for, nowhere else,
and every API range is accepted at its limit and refused one past it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam, aws_sns as sns

from llm_hosting import (
    ComputeRequirements,
    ConstructError,
    InferenceComponent,
    InferenceComponentAdapter,
    InferenceComponentEndpoint,
    ModelDefinition,
    ProductionVariant,
    ScaleInPolicy,
    Scheduling,
    ServingImage,
)
from tests.library.conftest import new_stack, template
from tests.synth import cdk_json_context
from tests.templates import of_type

LORA = {"option.rolling_batch": "vllm", "option.enable_lora": "true"}
BASE_MODEL = ModelDefinition(image=ServingImage.lmi("0.32.0"), weights="s3://weights/base/", serving_properties=LORA)
P5_THEN_P4D = ProductionVariant(instance_type="ml.p5.48xlarge", instance_pools=("ml.p4d.24xlarge",))


def shared(stack: cdk.Stack, **overrides: Any) -> InferenceComponentEndpoint:
    props: dict[str, Any] = {
        "endpoint_name": "shared",
        "variant": ProductionVariant(instance_type="ml.g5.12xlarge"),
        "max_instance_count": 2,
        **overrides,
    }
    return InferenceComponentEndpoint(stack, "Shared", **props)


def base(endpoint: InferenceComponentEndpoint, **overrides: Any) -> InferenceComponent:
    props: dict[str, Any] = {
        "component_name": "base",
        "model": BASE_MODEL,
        "compute": ComputeRequirements(memory_mb=32768),
        **overrides,
    }
    return endpoint.add_component(props["component_name"].title(), **props)


def components(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    return {
        c["Properties"]["InferenceComponentName"]: c
        for c in of_type(template(stack), "AWS::SageMaker::InferenceComponent").values()
    }


def variant_of(stack: cdk.Stack) -> dict[str, Any]:
    (config,) = of_type(template(stack), "AWS::SageMaker::EndpointConfig").values()
    (variant,) = config["Properties"]["ProductionVariants"]
    result: dict[str, Any] = variant
    return result


def expect_error(build: Callable[[cdk.Stack], object], *fragments: str) -> None:
    stack = new_stack()
    with pytest.raises(ConstructError) as raised:
        build(stack)
    assert len(str(raised.value).splitlines()) == 1, str(raised.value)
    for fragment in fragments:
        assert fragment in str(raised.value), str(raised.value)


# --- adapters -------------------------------------------------------------------------------------


def test_an_adapter_is_a_component_without_compute_that_rides_on_its_base() -> None:
    # GIVEN a base component on a shared endpoint
    stack = new_stack()
    on = base(shared(stack), initial_copies=2)
    # WHEN a customer's adapter is added
    adapter = on.add_adapter("Acme", adapter_name="acme", weights="s3://weights/adapters/acme.tar.gz")
    rendered = template(stack)
    built = {
        c["Properties"]["InferenceComponentName"]: c
        for c in of_type(rendered, "AWS::SageMaker::InferenceComponent").values()
    }
    # THEN it names its base and its archive, and nothing else: no compute, copies or variant
    assert built["acme"]["Properties"] == {
        "EndpointName": "shared",
        "InferenceComponentName": "acme",
        "Specification": {
            "BaseInferenceComponentName": "base",
            "Container": {"ArtifactUrl": "s3://weights/adapters/acme.tar.gz"},
        },
    }
    # AND it is created after its base (and deleted before it)
    ids = {
        v["Properties"]["InferenceComponentName"]: k
        for k, v in of_type(rendered, "AWS::SageMaker::InferenceComponent").items()
    }
    base_id = ids["base"]
    assert built["acme"]["DependsOn"] == [base_id]
    # AND the role reads that one archive, not a prefix
    (policy,) = of_type(rendered, "AWS::IAM::ManagedPolicy").values()
    reads = [
        str(resource)
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "s3:GetObject"
        for resource in statement["Resource"]
        if "weights/adapters" in str(resource)
    ]
    assert reads == [str({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::weights/adapters/acme.tar.gz"]]})]
    assert on.adapters == [adapter]


def test_adapters_in_another_stack_wait_for_their_base_stack() -> None:
    app = cdk.App(context=cdk_json_context())
    home, tenants = cdk.Stack(app, "Home"), cdk.Stack(app, "Tenants")
    on = base(shared(home))
    on.add_adapter("Acme", adapter_name="acme", weights="s3://w/a.tar.gz", scope=tenants)
    assert home in tenants.dependencies
    (adapter,) = of_type(template(tenants), "AWS::SageMaker::InferenceComponent").values()
    assert "DependsOn" not in adapter  # the stack dependency orders it


def test_an_adapter_alarms_on_its_own_errors_when_the_endpoint_has_a_topic() -> None:
    stack = new_stack()
    topic = sns.Topic(stack, "Alarms")
    base(shared(stack, alarm_topic=topic)).add_adapter("Acme", adapter_name="acme", weights="s3://w/a.tar.gz")
    alarms = [a["Properties"] for a in of_type(template(stack), "AWS::CloudWatch::Alarm").values()]
    (errors,) = [a for a in alarms if a["AlarmDescription"].startswith("Adapter acme")]
    assert errors["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "acme"}]
    assert (errors["MetricName"], errors["TreatMissingData"], errors["Threshold"]) == (
        "Invocation5XXErrors",
        "notBreaching",
        5,
    )
    quiet = new_stack()
    base(shared(quiet)).add_adapter("Acme", adapter_name="acme", weights="s3://w/a.tar.gz")
    assert of_type(template(quiet), "AWS::CloudWatch::Alarm") == {}


def test_grant_invoke_on_an_adapter_names_the_endpoint_and_the_adapter() -> None:
    stack = new_stack()
    adapter = base(shared(stack)).add_adapter("Acme", adapter_name="Acme-1", weights="s3://w/a.tar.gz")
    assert isinstance(adapter, InferenceComponentAdapter)
    caller = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    adapter.grant_invoke(caller)
    (policy,) = of_type(template(stack), "AWS::IAM::Policy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert ":endpoint/shared" in str(statement["Resource"])
    assert ":inference-component/acme-1" in str(statement["Resource"])  # ARNs carry names in lower case


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (
            lambda s: base(shared(s)).add_adapter("A", adapter_name="a", weights="s3://w/adapters/a/"),
            "weights 's3://w/adapters/a/' is not an S3 .tar.gz object",
        ),
        (
            lambda s: base(shared(s)).add_adapter("A", adapter_name="no spaces", weights="s3://w/a.tar.gz"),
            "adapter_name: 'no spaces' is not a valid SageMaker name",
        ),
        (
            lambda s: base(
                shared(s), model=ModelDefinition(image=ServingImage.lmi("0.32.0"), weights="s3://w/b/")
            ).add_adapter("A", adapter_name="a", weights="s3://w/a.tar.gz"),
            "the base cannot serve adapters: lmi 0.32.0 loads adapters only with option.enable_lora=true",
        ),
        (
            lambda s: base(
                shared(s),
                model=ModelDefinition(image=ServingImage.lmi("0.30.0"), weights="s3://w/b/", serving_properties=LORA),
            ).add_adapter("A", adapter_name="a", weights="s3://w/a.tar.gz"),
            "does not read SageMaker's adapter headers",
        ),
    ],
)
def test_adapters_that_cannot_work_are_refused(build: Callable[[cdk.Stack], object], fragment: str) -> None:
    expect_error(build, fragment)


def test_a_base_that_may_scale_to_zero_carries_no_adapter_whichever_comes_first() -> None:
    def scaled_then_adapter(stack: cdk.Stack) -> object:
        on = base(shared(stack))
        on.auto_scale_copy_count(min_copies=0, max_copies=2)
        return on.add_adapter("A", adapter_name="a", weights="s3://w/a.tar.gz")

    def adapter_then_scaled(stack: cdk.Stack) -> object:
        on = base(shared(stack))
        on.add_adapter("A", adapter_name="a", weights="s3://w/a.tar.gz")
        return on.auto_scale_copy_count(min_copies=0, max_copies=2)

    expect_error(scaled_then_adapter, "keeps at least one copy")
    expect_error(adapter_then_scaled, "keeps at least one copy")
    # A floor of one copy is the documented shape
    on = base(shared(new_stack()))
    on.add_adapter("A", adapter_name="a", weights="s3://w/a.tar.gz")
    on.auto_scale_copy_count(min_copies=1, max_copies=2)


# --- instance pools, provisioning, capacity reservation ----------------------------------------


def test_instance_pools_replace_the_instance_type_in_priority_order() -> None:
    stack = new_stack()
    shared(
        stack,
        variant=ProductionVariant(
            instance_type="ml.p5.48xlarge",
            instance_pools=("ml.p4d.24xlarge", "ml.p4de.24xlarge"),
            provision_timeout_s=1800,
        ),
    )
    variant = variant_of(stack)
    assert "InstanceType" not in variant
    assert variant["InstancePools"] == [
        {"InstanceType": "ml.p5.48xlarge", "Priority": 1},
        {"InstanceType": "ml.p4d.24xlarge", "Priority": 2},
        {"InstanceType": "ml.p4de.24xlarge", "Priority": 3},
    ]
    assert variant["VariantInstanceProvisionTimeoutInSeconds"] == 1800


def test_a_variant_without_the_new_settings_has_none_of_their_properties() -> None:
    stack = new_stack()
    base(shared(stack))
    variant = variant_of(stack)
    for absent in ("InstancePools", "VariantInstanceProvisionTimeoutInSeconds", "CapacityReservationConfig"):
        assert absent not in variant
    assert "ScaleInPolicy" not in variant["ManagedInstanceScaling"]
    (spec,) = [c["Properties"]["Specification"] for c in components(stack).values()]
    assert "DataCacheConfig" not in spec and "SchedulingConfig" not in spec


def test_a_capacity_reservation_launches_instances_only_into_it() -> None:
    stack = new_stack()
    arn = "arn:aws:sagemaker:us-east-1:123456789012:training-plan/p5-for-endpoints"
    shared(stack, variant=ProductionVariant(instance_type="ml.p5.48xlarge", capacity_reservation_arn=arn))
    assert variant_of(stack)["CapacityReservationConfig"] == {
        "CapacityReservationPreference": "capacity-reservations-only",
        "MlReservationArn": arn,
    }


@pytest.mark.parametrize(("seconds", "ok"), [(300, True), (3600, True), (299, False), (3601, False)])
def test_the_provision_timeout_is_300_to_3600_seconds(seconds: int, ok: bool) -> None:
    variant = ProductionVariant(
        instance_type="ml.p5.48xlarge", instance_pools=("ml.p4d.24xlarge",), provision_timeout_s=seconds
    )
    if ok:
        shared(new_stack(), variant=variant)
    else:
        expect_error(
            lambda s: shared(s, variant=variant), f"provision_timeout_s is {seconds}; SageMaker takes 300-3600"
        )


@pytest.mark.parametrize(("fallbacks", "ok"), [(4, True), (5, False)])
def test_a_variant_runs_on_at_most_five_instance_types(fallbacks: int, ok: bool) -> None:
    pools = ("ml.p4d.24xlarge", "ml.p4de.24xlarge", "ml.p5e.48xlarge", "ml.p5en.48xlarge", "ml.g6e.48xlarge")
    variant = ProductionVariant(instance_type="ml.p5.48xlarge", instance_pools=pools[:fallbacks])
    if ok:
        shared(new_stack(), variant=variant)
    else:
        expect_error(lambda s: shared(s, variant=variant), "must be at most 5 different types in all")


def test_a_pool_type_given_twice_is_refused() -> None:
    variant = ProductionVariant(instance_type="ml.p5.48xlarge", instance_pools=("ml.p4d.24xlarge", "ml.p4d.24xlarge"))
    expect_error(lambda s: shared(s, variant=variant), "must be at most 5 different types")


def test_a_component_reserves_per_pool_type_when_told_and_the_same_everywhere_otherwise() -> None:
    # GIVEN a fleet of p5 first, p4d when p5 capacity is short
    stack = new_stack()
    endpoint = shared(stack, variant=P5_THEN_P4D)
    # WHEN one component takes twice the GPUs on p4d and another the same on both
    base(
        endpoint,
        compute=ComputeRequirements(memory_mb=65536, accelerators=4),
        compute_by_instance_type={"ml.p4d.24xlarge": ComputeRequirements(memory_mb=131072, accelerators=8)},
    )
    base(endpoint, component_name="plain", compute=ComputeRequirements(memory_mb=16384))
    built = components(stack)
    # THEN the first has one specification per pool type, in priority order
    specifications = built["base"]["Properties"]["Specifications"]
    assert "Specification" not in built["base"]["Properties"]
    assert [
        (s["InstanceType"], s["ComputeResourceRequirements"]["NumberOfAcceleratorDevicesRequired"])
        for s in specifications
    ] == [
        ("ml.p5.48xlarge", 4),
        ("ml.p4d.24xlarge", 8),
    ]
    # AND the second one specification for every type
    assert "Specifications" not in built["plain"]["Properties"]
    assert "InstanceType" not in built["plain"]["Properties"]["Specification"]


def test_a_reservation_for_a_type_the_variant_does_not_run_on_is_refused() -> None:
    expect_error(
        lambda s: base(
            shared(s, variant=P5_THEN_P4D),
            compute_by_instance_type={"ml.g5.12xlarge": ComputeRequirements(memory_mb=1024)},
        ),
        "compute_by_instance_type names ml.g5.12xlarge, which is not one of the variant's fallback instance_pools",
    )


def test_a_copy_must_fit_every_pool_type() -> None:
    expect_error(
        lambda s: base(
            shared(s, variant=ProductionVariant(instance_type="ml.p4d.24xlarge", instance_pools=("ml.g5.12xlarge",))),
            compute=ComputeRequirements(memory_mb=32768, accelerators=8),
        ),
        "8 GPUs per copy but ml.g5.12xlarge has 4",
    )


# --- data caching and scheduling ------------------------------------------------------------------


def test_data_caching_comes_from_the_endpoint_unless_the_component_says_otherwise() -> None:
    stack = new_stack()
    endpoint = shared(stack, data_cache=True)
    base(endpoint)
    base(endpoint, component_name="uncached", data_cache=False)
    built = components(stack)
    assert built["base"]["Properties"]["Specification"]["DataCacheConfig"] == {"EnableCaching": True}
    assert built["uncached"]["Properties"]["Specification"]["DataCacheConfig"] == {"EnableCaching": False}


@pytest.mark.parametrize(("imbalance", "placement"), [(0, "spread"), (100, "binpack")])
def test_scheduling_places_copies_with_an_availability_zone_balance(imbalance: int, placement: str) -> None:
    stack = new_stack()
    base(shared(stack), scheduling=Scheduling(placement=placement, az_max_imbalance=imbalance))  # type: ignore[arg-type]
    (spec,) = [c["Properties"]["Specification"] for c in components(stack).values()]
    assert spec["SchedulingConfig"] == {
        "PlacementStrategy": placement.upper(),
        "AvailabilityZoneBalance": {"EnforcementMode": "PERMISSIVE", "MaxImbalance": imbalance},
    }


@pytest.mark.parametrize("imbalance", [-1, 101])
def test_an_availability_zone_imbalance_outside_0_to_100_is_refused(imbalance: int) -> None:
    expect_error(
        lambda s: base(shared(s), scheduling=Scheduling(placement="spread", az_max_imbalance=imbalance)),
        f"az_max_imbalance is {imbalance}; SageMaker takes 0-100",
    )


# --- scale-in policy ------------------------------------------------------------------------------


def test_a_scale_in_policy_reaches_managed_instance_scaling() -> None:
    stack = new_stack()
    shared(stack, scale_in=ScaleInPolicy(strategy="consolidation", cooldown_minutes=30, max_step=2))
    assert variant_of(stack)["ManagedInstanceScaling"]["ScaleInPolicy"] == {
        "Strategy": "CONSOLIDATION",
        "CooldownInMinutes": 30,
        "MaximumStepSize": 2,
    }


@pytest.mark.parametrize(
    ("policy", "fragment"),
    [
        (ScaleInPolicy(strategy="consolidation", cooldown_minutes=5), None),
        (ScaleInPolicy(strategy="consolidation", cooldown_minutes=1440), None),
        (ScaleInPolicy(strategy="consolidation", cooldown_minutes=4), "cooldown_minutes is 4; SageMaker takes 5-1440"),
        (ScaleInPolicy(strategy="consolidation", cooldown_minutes=1441), "cooldown_minutes is 1441"),
        (ScaleInPolicy(strategy="consolidation", max_step=1), None),
        (ScaleInPolicy(strategy="consolidation", max_step=100), None),
        (ScaleInPolicy(strategy="consolidation", max_step=0), "max_step is 0; SageMaker takes 1-100"),
        (ScaleInPolicy(strategy="consolidation", max_step=101), "max_step is 101"),
        (ScaleInPolicy(strategy="idle-release", max_step=2), "max_step applies to consolidation only"),
    ],
)
def test_scale_in_ranges_are_the_apis(policy: ScaleInPolicy, fragment: str | None) -> None:
    if fragment is None:
        shared(new_stack(), scale_in=policy)
    else:
        expect_error(lambda s: shared(s, scale_in=policy), fragment)
