"""The resolved catalog: counts, copies and accelerators worked out once, and the planner's placements."""

from __future__ import annotations

import pytest

from llm_hosting.catalog.plan import plan_catalog
from llm_hosting.catalog.resolve import ResolvedEndpoint
from llm_hosting.planner import PlacementError
from tests.planner.catalogs import catalog, component, endpoint, unchecked


def resolved(**kwargs: object) -> ResolvedEndpoint:
    (first,) = unchecked(catalog(endpoint(**kwargs))).endpoints  # type: ignore[arg-type]
    return first


def test_placement_counts_the_initial_copies_by_default() -> None:
    ep = resolved(
        components=[
            component("a", accelerators=4, copies={"initial": 3, "max": 4}),
            component("b", accelerators=2, copies={"initial": 2, "max": 6}),
        ]
    )
    initial = ep.placement()
    assert initial is not None and (initial.instance_count, initial.proven_optimal) == (2, True)  # 12 + 4 GPUs
    at_max = ep.placement("max")
    assert at_max is not None and (at_max.instance_count, at_max.proven_optimal) == (4, True)  # 16 + 12 GPUs


def test_accelerators_default_to_the_tensor_parallel_degree_and_absent_cpu_to_none() -> None:
    data = component("tp", cpu_cores=None)
    del data["accelerators"]
    data["model"]["tensor_parallel_degree"] = 4
    (only,) = resolved(components=[data]).components
    assert only.accelerators == 4
    demand = only.demand()
    assert (demand.accelerators, demand.cpu_cores, demand.memory_mib, demand.copies) == (4, 0.0, 32768, 1)


def test_scale_to_zero_components_take_no_instance_initially() -> None:
    ep = resolved(components=[component("idle", copies={"initial": 0, "min": 0, "max": 2})])
    assert ep.placement() is not None and ep.placement().instance_count == 0  # type: ignore[union-attr]
    assert ep.placement("max") is not None and ep.placement("max").instance_count == 1  # type: ignore[union-attr]


def test_an_omitted_initial_instance_count_is_what_the_planner_needs() -> None:
    ep = resolved(
        components=[component(f"m{i}", accelerators=2, copies={"initial": 2, "min": 1, "max": 2}) for i in range(3)],
        instance_count={"min": 1, "max": 3},
    )
    assert (ep.instances.initial, ep.instances.min, ep.instances.max) == (2, 1, 3)  # 12 GPUs on 8-GPU hosts


def test_the_reachable_instances_are_the_planners_maximum_within_the_configured_maximum() -> None:
    two = resolved(components=[component("a", accelerators=8, copies={"initial": 1, "max": 2})])
    assert (two.instances.max, two.reachable_instances) == (4, 2)
    capped = resolved(
        components=[component("a", accelerators=8, copies={"initial": 1, "max": 9})],
        instance_count={"initial": 1, "min": 1, "max": 3},
    )
    assert capped.reachable_instances == 3


def test_a_component_larger_than_the_instance_type_has_no_placement_and_the_plan_names_it() -> None:
    data = catalog(endpoint(instance_type="ml.g5.12xlarge", components=[component("wide", accelerators=8)]))
    loaded = unchecked(data)
    assert loaded.endpoints[0].placement() is None  # the rules report it on the component's field
    with pytest.raises(PlacementError, match="component 'wide': one copy needs 8 GPUs"):
        plan_catalog(loaded)


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


def test_each_catalog_section_has_exactly_the_fields_of_the_settings_the_constructs_take() -> None:
    import dataclasses

    from llm_hosting.catalog.settings import SECTIONS

    for section, kind in SECTIONS.items():
        assert set(section.model_fields) == {f.name for f in dataclasses.fields(kind)}, section.__name__


def test_a_catalog_deployment_becomes_the_constructs_settings_with_its_nested_thresholds() -> None:
    from llm_hosting.catalog import schema
    from llm_hosting.catalog.settings import endpoint_deployment
    from llm_hosting.endpoints import settings

    given = schema.EndpointDeployment(strategy="rolling", rollback=schema.RollbackAlarms(max_5xx_errors=9))
    assert endpoint_deployment(given) == settings.EndpointDeployment(
        strategy="rolling", rollback=settings.RollbackThresholds(max_5xx_errors=9)
    )
