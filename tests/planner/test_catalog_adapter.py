"""The planner on catalog endpoints: the counts rules and synthesis use, at initial and max copies."""

from __future__ import annotations

import subprocess
import sys

import pytest

from llm_hosting.catalog.schema import InferenceComponentEndpointSpec
from llm_hosting.facts.instances import INSTANCE_TYPES
from llm_hosting.planner import PlacementError, plan_catalog, required_instances
from llm_hosting.planner.catalog import component_demand
from tests.planner.catalogs import catalog, component, endpoint, unchecked

P4D = INSTANCE_TYPES["ml.p4d.24xlarge"]


def spec(**kwargs: object) -> InferenceComponentEndpointSpec:
    return InferenceComponentEndpointSpec.model_validate(endpoint(**kwargs))  # type: ignore[arg-type]


def test_required_instances_counts_the_initial_copies_by_default() -> None:
    ep = spec(
        components=[
            component("a", accelerators=4, copies={"initial": 3, "max": 4}),
            component("b", accelerators=2, copies={"initial": 2, "max": 6}),
        ]
    )
    initial = required_instances(ep, P4D)
    assert (initial.instance_count, initial.proven_optimal) == (2, True)  # 12 + 4 GPUs on 8-GPU instances
    at_max = required_instances(ep, P4D, copies="max")
    assert (at_max.instance_count, at_max.proven_optimal) == (4, True)  # 16 + 12 GPUs


def test_accelerators_default_to_the_tensor_parallel_degree_and_absent_cpu_to_none() -> None:
    data = component("tp", cpu_cores=None)
    del data["accelerators"]
    data["model"]["tensor_parallel_degree"] = 4
    ep = spec(components=[data])
    demand = component_demand(ep.components[0])
    assert (demand.accelerators, demand.cpu_cores, demand.memory_mib, demand.copies) == (4, 0.0, 32768, 1)


def test_scale_to_zero_components_take_no_instance_initially() -> None:
    ep = spec(components=[component("idle", copies={"initial": 0, "min": 0, "max": 2})])
    assert required_instances(ep, P4D).instance_count == 0
    assert required_instances(ep, P4D, copies="max").instance_count == 1


def test_a_component_larger_than_the_instance_type_raises_a_placement_error() -> None:
    ep = spec(instance_type="ml.g5.12xlarge", components=[component("wide", accelerators=8)])
    with pytest.raises(PlacementError, match="component 'wide': one copy needs 8 GPUs"):
        required_instances(ep, INSTANCE_TYPES["ml.g5.12xlarge"])


def test_plan_catalog_plans_every_inference_component_endpoint_in_order() -> None:
    single = {
        "name": "solo",
        "type": "single-model",
        "instance_type": "ml.g5.12xlarge",
        "model": {"engine": "lmi", "weights": "s3://example-weights/solo/"},
    }
    plan = plan_catalog(unchecked(catalog(endpoint("first"), single, endpoint("second"))))
    assert [(e.index, e.name) for e in plan.endpoints] == [(0, "first"), (2, "second")]
    first = plan.endpoints[0]
    assert (first.initial.level, first.max.level) == ("initial", "max")
    assert (first.initial.configured_instances, first.max.configured_instances) == (2, 4)


def test_too_few_configured_instances_are_flagged() -> None:
    ep = endpoint(
        components=[component("a", accelerators=8, copies={"initial": 3, "max": 5})],
        instance_count={"initial": 2, "min": 1, "max": 4},
    )
    (plan,) = plan_catalog(unchecked(catalog(ep))).endpoints
    assert (plan.initial.placement.instance_count, plan.initial.enough_instances) == (3, False)
    assert (plan.max.placement.instance_count, plan.max.enough_instances) == (5, False)


def test_the_planner_imports_nothing_from_the_catalog_so_the_rules_can_import_it() -> None:
    code = (
        "import sys, llm_hosting.planner; print(sorted(m for m in sys.modules if m.startswith('llm_hosting.catalog')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
