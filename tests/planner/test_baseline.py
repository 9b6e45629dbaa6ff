"""The dedicated-endpoint baseline: which type each copy would get alone, and what the packing saves."""

from __future__ import annotations

import pytest

from llm_hosting.catalog.plan import plan_catalog
from llm_hosting.facts.instances import INSTANCE_TYPES
from llm_hosting.planner import BaselineError, Component, dedicated_baseline
from llm_hosting.planner.baseline import BaselineRule, compare
from tests.planner.catalogs import catalog, component, endpoint, unchecked

G5_12 = INSTANCE_TYPES["ml.g5.12xlarge"]
P4D = INSTANCE_TYPES["ml.p4d.24xlarge"]
G5_PRICES = {name: 1.0 + i for i, name in enumerate(sorted(n for n in INSTANCE_TYPES if n.startswith("ml.g5.")))}


def chosen(
    component: Component, endpoint_type: str, rule: BaselineRule = "same-family", prices: dict[str, float] | None = None
) -> str:
    baseline = dedicated_baseline(
        [component],
        endpoint_type=INSTANCE_TYPES[endpoint_type],
        instance_types=INSTANCE_TYPES,
        rule=rule,
        prices=prices,
    )
    return baseline.dedicated[0].instance_type


def test_same_family_takes_the_smallest_type_of_the_endpoints_family_that_fits() -> None:
    assert chosen(Component("a", 1, 16 * 1024, 4), "ml.g5.12xlarge") == "ml.g5.xlarge"
    assert chosen(Component("b", 1, 20 * 1024, 4), "ml.g5.12xlarge") == "ml.g5.2xlarge"  # more memory
    assert chosen(Component("c", 2, 16 * 1024, 4), "ml.g5.48xlarge") == "ml.g5.12xlarge"  # more GPUs
    assert chosen(Component("d", 1, 16 * 1024, 4), "ml.p4d.24xlarge") == "ml.p4d.24xlarge"  # the only p4d


def test_any_takes_the_smallest_known_type_by_gpus_then_gpu_memory() -> None:
    assert chosen(Component("a", 1, 16 * 1024, 4), "ml.p4d.24xlarge", "any") == "ml.g4dn.xlarge"
    assert chosen(Component("b", 4, 100 * 1024, 8), "ml.p4d.24xlarge", "any") == "ml.g4dn.12xlarge"


def test_prices_order_the_candidates_when_every_fitting_one_has_a_price() -> None:
    prices = dict(G5_PRICES)
    prices["ml.g5.4xlarge"] = 0.5  # cheaper than the smaller ones
    assert chosen(Component("a", 1, 16 * 1024, 4), "ml.g5.12xlarge", prices=prices) == "ml.g5.4xlarge"


def test_a_partial_price_list_falls_back_to_size() -> None:
    prices = {"ml.g5.4xlarge": 0.5, "ml.g5.12xlarge": 7.0}
    baseline = dedicated_baseline(
        [Component("a", 1, 16 * 1024, 4)],
        endpoint_type=G5_12,
        instance_types=INSTANCE_TYPES,
        prices=prices,
    )
    assert (baseline.dedicated[0].instance_type, baseline.by_price) == ("ml.g5.xlarge", False)


def test_no_fitting_candidate_is_an_error_naming_the_component() -> None:
    with pytest.raises(BaselineError, match="component 'wide': no candidate instance type fits one copy"):
        chosen(Component("wide", 16, 1024, 4), "ml.p4d.24xlarge", "any")


def test_the_baseline_takes_one_instance_per_copy() -> None:
    baseline = dedicated_baseline(
        [Component("a", 1, 16 * 1024, 4, copies=3), Component("b", 4, 64 * 1024, 8, copies=2)],
        endpoint_type=G5_12,
        instance_types=INSTANCE_TYPES,
    )
    assert baseline.instances_by_type() == {"ml.g5.12xlarge": 2, "ml.g5.xlarge": 3}
    assert (baseline.instance_count, baseline.gpus) == (5, 3 * 1 + 2 * 4)


def test_money_appears_only_when_every_type_involved_has_a_price() -> None:
    baseline = dedicated_baseline(
        [Component("a", 1, 16 * 1024, 4, copies=8)], endpoint_type=P4D, instance_types=INSTANCE_TYPES, rule="any"
    )
    partial = compare(endpoint_type=P4D, packed_instances=1, baseline=baseline, prices={"ml.p4d.24xlarge": 32.0})
    assert (partial.packed_cost, partial.baseline_cost, partial.missing_prices) == (None, None, ("ml.g4dn.xlarge",))
    assert partial.cost_ratio is None
    assert (partial.packed_gpus, partial.baseline_gpus, partial.gpu_ratio) == (8, 8, 1.0)
    assert (partial.packed_instance_hours, partial.baseline_instance_hours, partial.instance_hours_ratio) == (1, 8, 8.0)

    full = compare(
        endpoint_type=P4D,
        packed_instances=1,
        baseline=baseline,
        prices={"ml.p4d.24xlarge": 32.0, "ml.g4dn.xlarge": 0.75},
    )
    assert (full.packed_cost, full.baseline_cost, full.missing_prices) == (32.0, 6.0, ())
    assert full.cost_ratio == pytest.approx(6.0 / 32.0)


def test_the_catalog_planning_section_chooses_the_rule_and_the_prices() -> None:
    ep = endpoint(instance_type="ml.g5.48xlarge", components=[component("a", memory_mb=8192, cpu_cores=2)])
    same = unchecked(catalog(ep))
    anywhere = unchecked(catalog(ep, planning={"baseline": "any", "prices": {"ml.g5.48xlarge": 20.0}}))
    (same_plan,) = plan_catalog(same).endpoints
    (any_plan,) = plan_catalog(anywhere).endpoints
    assert same_plan.initial.baseline.dedicated[0].instance_type == "ml.g5.xlarge"
    assert any_plan.initial.baseline.dedicated[0].instance_type == "ml.g4dn.xlarge"
    assert any_plan.initial.comparison.missing_prices == ("ml.g4dn.xlarge",)
