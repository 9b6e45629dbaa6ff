"""Preflight's rules for adapter components and instance pools: one mistake, one line with its source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.preflight.stacks import Template, components_stack, edited, line, problem_lines

SPEC = "botocore sagemaker InferenceComponentSpecification"
BASE = f"{SPEC}.BaseInferenceComponentName documentation"
POOLS_GUIDE = "SageMaker developer guide, realtime-endpoints-heterogeneous"


def with_adapter(**spec: Any) -> Template:
    """The components stack plus an adapter `chat-acme` on `chat-llm` (a well-formed one by default)."""

    def change(resources: dict[str, Any]) -> None:
        specification = {
            "BaseInferenceComponentName": "chat-llm",
            "Container": {"ArtifactUrl": "s3://weights/adapters/acme.tar.gz"},
            **spec,
        }
        resources["Adapter"] = {
            "Type": "AWS::SageMaker::InferenceComponent",
            "Properties": {
                "EndpointName": "chat",
                "InferenceComponentName": "chat-acme",
                "Specification": specification,
            },
        }

    return edited(components_stack(), change)


def with_pools(pools: list[str], *, keep_type: bool = False) -> Template:
    def change(resources: dict[str, Any]) -> None:
        (variant,) = resources["Config"]["Properties"]["ProductionVariants"]
        if not keep_type:
            del variant["InstanceType"]
        variant["InstancePools"] = [{"InstanceType": t, "Priority": p} for p, t in enumerate(pools, start=1)]

    return edited(components_stack(), change)


def one_line(tmp_path: Path, template: Template) -> str:
    lines = problem_lines(tmp_path, {"C": template})
    assert len(lines) == 1, lines
    return lines[0]


def test_a_well_formed_adapter_passes(tmp_path: Path) -> None:
    assert problem_lines(tmp_path, {"C": with_adapter()}) == []


def test_an_adapter_reserving_compute_is_reported(tmp_path: Path) -> None:
    template = with_adapter(ComputeResourceRequirements={"MinMemoryRequiredInMb": 1024})
    assert one_line(tmp_path, template) == line(
        tmp_path,
        "C",
        "Adapter",
        "Specification.ComputeResourceRequirements",
        f"an adapter uses its base component's compute: omit it ({SPEC}.ComputeResourceRequirements documentation)",
    )


def test_an_adapter_without_an_artifact_is_reported(tmp_path: Path) -> None:
    template = with_adapter(Container={})
    assert one_line(tmp_path, template) == line(
        tmp_path,
        "C",
        "Adapter",
        "Specification.Container.ArtifactUrl",
        f"an adapter is loaded from its ArtifactUrl: give it ({BASE})",
    )


def test_an_adapter_on_an_unknown_base_is_reported(tmp_path: Path) -> None:
    template = with_adapter(BaseInferenceComponentName="chat-lm")
    assert one_line(tmp_path, template) == line(
        tmp_path,
        "C",
        "Adapter",
        "Specification.BaseInferenceComponentName",
        "chat-lm is no inference component this assembly defines; did you mean chat-llm? (an adapter needs an "
        f"existing component with the foundation model: {BASE})",
    )


def test_an_adapter_on_an_adapter_is_reported(tmp_path: Path) -> None:
    def second(resources: dict[str, Any]) -> None:
        resources["Second"] = {
            "Type": "AWS::SageMaker::InferenceComponent",
            "Properties": {
                "EndpointName": "chat",
                "InferenceComponentName": "chat-second",
                "Specification": {
                    "BaseInferenceComponentName": "chat-acme",
                    "Container": {"ArtifactUrl": "s3://weights/adapters/second.tar.gz"},
                },
            },
        }

    assert one_line(tmp_path, edited(with_adapter(), second)) == line(
        tmp_path,
        "C",
        "Second",
        "Specification.BaseInferenceComponentName",
        f"chat-acme is an adapter itself; name the component with the foundation model ({BASE})",
    )


def test_an_adapter_on_another_endpoint_than_its_base_is_reported(tmp_path: Path) -> None:
    def elsewhere(resources: dict[str, Any]) -> None:
        resources["Other"] = {
            **resources["Endpoint"],
            "Properties": {**resources["Endpoint"]["Properties"], "EndpointName": "other"},
        }
        resources["Adapter"]["Properties"]["EndpointName"] = "other"

    assert one_line(tmp_path, edited(with_adapter(), elsewhere)) == line(
        tmp_path,
        "C",
        "Adapter",
        "EndpointName",
        f"other, but the base chat-llm is on chat: an adapter is loaded into its base's copies ({BASE})",
    )


def test_specification_and_specifications_together_are_reported(tmp_path: Path) -> None:
    def both(resources: dict[str, Any]) -> None:
        component = resources["Component"]["Properties"]
        component["Specifications"] = [
            {**component["Specification"], "InstanceType": "ml.g5.12xlarge"},
            {**component["Specification"], "InstanceType": "ml.g5.24xlarge"},
        ]

    finding = one_line(tmp_path, edited(with_pools(["ml.g5.12xlarge", "ml.g5.24xlarge"]), both))
    assert "Specifications: an inference component takes Specification or Specifications, not both" in finding


def _per_type(resources: dict[str, Any], types: list[str]) -> None:
    component = resources["Component"]["Properties"]
    single = component.pop("Specification")
    component["Specifications"] = [{**single, "InstanceType": t} for t in types]


def test_a_specification_for_a_type_the_endpoint_does_not_run_on_is_reported(tmp_path: Path) -> None:
    template = edited(
        with_pools(["ml.g5.12xlarge", "ml.g5.24xlarge"]), lambda r: _per_type(r, ["ml.g5.12xlarge", "ml.g5.48xlarge"])
    )
    assert one_line(tmp_path, template) == line(
        tmp_path,
        "C",
        "Component",
        "Specifications[1].InstanceType",
        "endpoint chat runs on ml.g5.12xlarge, ml.g5.24xlarge, not ml.g5.48xlarge: each specification maps to an "
        f"instance type of the endpoint's instance pools ({SPEC}.InstanceType documentation; {POOLS_GUIDE})",
    )


def test_specifications_for_the_pool_types_pass(tmp_path: Path) -> None:
    template = edited(
        with_pools(["ml.g5.12xlarge", "ml.g5.24xlarge"]), lambda r: _per_type(r, ["ml.g5.12xlarge", "ml.g5.24xlarge"])
    )
    assert problem_lines(tmp_path, {"C": template}) == []


def test_instance_pools_beside_an_instance_type_are_reported(tmp_path: Path) -> None:
    template = with_pools(["ml.g5.12xlarge", "ml.g5.24xlarge"], keep_type=True)
    assert one_line(tmp_path, template) == line(
        tmp_path,
        "C",
        "Config",
        "ProductionVariants[0].InstanceType",
        "the variant has InstancePools, which replace InstanceType: list the type as the priority-1 pool and "
        f"remove InstanceType ({POOLS_GUIDE})",
    )


def test_the_api_ranges_of_the_new_members_come_from_botocore(tmp_path: Path) -> None:
    def out_of_range(resources: dict[str, Any]) -> None:
        (variant,) = resources["Config"]["Properties"]["ProductionVariants"]
        variant["VariantInstanceProvisionTimeoutInSeconds"] = 3601
        variant["ManagedInstanceScaling"]["ScaleInPolicy"] = {"Strategy": "CONSOLIDATION", "CooldownInMinutes": 4}

    lines = problem_lines(tmp_path, {"C": edited(with_pools(["ml.g5.12xlarge", "ml.g5.24xlarge"]), out_of_range)})
    assert len(lines) == 2, lines
    assert "VariantInstanceProvisionTimeoutInSeconds" in lines[0] + lines[1]
    assert "CooldownInMinutes" in lines[0] + lines[1]
