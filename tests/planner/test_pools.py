"""Instance pools in the plan: each fallback type planned as the fleet it becomes when the types
before it are short, with its own reservations, its own verdict and a like-for-like baseline."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from llm_hosting.catalog.plan import plan_catalog
from llm_hosting.cli import main
from llm_hosting.facts.instances import INSTANCE_TYPES
from llm_hosting.planner import Component, InstanceCapacity, plan_placement
from llm_hosting.planner.baseline import like_for_like
from llm_hosting.planner.plan import EndpointPlan, LevelPlan, PoolPlan, Unplanned
from llm_hosting.planner.report import plan_dict, plan_text
from tests.planner.catalogs import catalog, component, endpoint, unchecked, write

P5_TO_P4D = {"ml.p4d.24xlarge": {"accelerators": 4, "memory_mb": 131072, "cpu_cores": 12}}
"""On an A100 the component takes twice the GPUs it takes on an H100."""


def planned(*endpoints: dict[str, Any], planning: dict[str, Any] | None = None) -> tuple[EndpointPlan, ...]:
    return plan_catalog(unchecked(catalog(*endpoints, planning=planning))).endpoints


def text(ep: dict[str, Any]) -> str:
    return plan_text(plan_catalog(unchecked(catalog(ep))))


def as_json(ep: dict[str, Any], planning: dict[str, Any] | None = None) -> dict[str, Any]:
    return plan_dict(plan_catalog(unchecked(catalog(ep, planning=planning))))


def level(pool: PoolPlan, which: str) -> LevelPlan:
    chosen = pool.initial if which == "initial" else pool.max
    assert isinstance(chosen, LevelPlan), chosen
    return chosen


def chat() -> dict[str, Any]:
    """ml.g5.48xlarge (8 GPUs) first, ml.g5.12xlarge (4 GPUs) after it; 6 and 12 one-GPU copies."""
    return endpoint(
        "chat",
        instance_type="ml.g5.48xlarge",
        components=[component("chat", memory_mb=16384, copies={"initial": 6, "min": 1, "max": 12})],
        instance_count={"initial": 1, "min": 1, "max": 3},
        instance_pools=["ml.g5.12xlarge"],
    )


def mixed(initial: int, maximum: int) -> dict[str, Any]:
    """ml.p5.48xlarge first (2 GPUs a copy), ml.p4d.24xlarge after it (4 GPUs a copy); 4 and 8 copies."""
    big = component(
        "big",
        accelerators=2,
        memory_mb=65536,
        cpu_cores=8,
        copies={"initial": 4, "min": 1, "max": 8},
        compute_by_instance_type=P5_TO_P4D,
    )
    return endpoint(
        "mixed",
        instance_type="ml.p5.48xlarge",
        components=[big],
        instance_count={"initial": initial, "min": 1, "max": maximum},
        instance_pools=["ml.p4d.24xlarge"],
    )


def test_a_fallback_type_that_holds_fewer_copies_per_instance_needs_more_instances() -> None:
    (plan,) = planned(chat())
    (pool,) = plan.pools
    assert (plan.initial.placement.instance_count, plan.max.placement.instance_count) == (1, 2)
    assert (pool.priority, pool.instance_type, pool.short) == (2, "ml.g5.12xlarge", ("ml.g5.48xlarge",))
    initial, maximum = level(pool, "initial"), level(pool, "max")
    assert initial.placement.instance.name == "ml.g5.12xlarge"
    assert (initial.placement.instance_count, maximum.placement.instance_count) == (2, 3)
    assert sorted(len(i.copies) for i in initial.placement.instances) == [2, 4]
    assert (initial.placement.used.gpus, initial.placement.capacity.gpus) == (6, 8)
    assert (initial.enough_instances, maximum.enough_instances) == (False, True)


def test_the_report_says_what_holds_the_copies_when_the_first_type_is_short() -> None:
    lines = text(chat()).splitlines()
    assert (
        "    if ml.g5.48xlarge is short: 2 x ml.g5.12xlarge hold the initial copies "
        "(instance_count.initial 1: too few, needs 2)"
    ) in lines
    assert (
        "    if ml.g5.48xlarge is short: 3 x ml.g5.12xlarge hold the max copies (instance_count.max 3: enough)" in lines
    )
    assert "  pool 2: ml.g5.12xlarge (4 GPUs, 192.0 GiB memory, 48 vCPUs), if ml.g5.48xlarge is short" in lines
    assert "    per copy: what each component reserves on ml.g5.48xlarge" in lines
    assert lines[0].endswith(
        "; per pool type like for like: the same copies with that type's reservations and family, at the same prices"
    )


def test_a_compute_by_instance_type_reservation_is_what_the_fallback_packs() -> None:
    (plan,) = planned(mixed(2, 4))
    (pool,) = plan.pools
    (reservation,) = pool.reservations
    assert (reservation.accelerators, reservation.memory_mib, reservation.cpu_cores, reservation.specific) == (
        4,
        131072,
        12.0,
        True,
    )
    assert [c.accelerators for c in level(pool, "max").placement.components] == [4]
    assert [c.accelerators for c in plan.max.placement.components] == [2]  # the first type keeps its own
    # Four 2-GPU copies fill one 8-GPU p5; as 4-GPU copies they take two p4d, and eight take four.
    assert (plan.initial.placement.instance_count, plan.max.placement.instance_count) == (1, 2)
    assert (level(pool, "initial").placement.instance_count, level(pool, "max").placement.instance_count) == (2, 4)
    assert "    per copy (compute_by_instance_type): big 4 GPUs, 128.0 GiB, 12 vCPUs" in text(mixed(2, 4)).splitlines()


@pytest.mark.parametrize(
    ("initial", "maximum", "initial_verdict", "max_verdict"),
    [
        (2, 4, "instance_count.initial 2: enough", "instance_count.max 4: enough"),  # exactly what p4d needs
        (1, 3, "instance_count.initial 1: too few, needs 2", "instance_count.max 3: too few, needs 4"),  # one short
    ],
)
def test_the_fallback_verdict_is_enough_at_exactly_its_need_and_too_few_one_below(
    initial: int, maximum: int, initial_verdict: str, max_verdict: str
) -> None:
    (plan,) = planned(mixed(initial, maximum))
    (pool,) = plan.pools
    assert level(pool, "initial").enough_instances == (initial >= 2)
    assert level(pool, "max").enough_instances == (maximum >= 4)
    assert plan.initial.enough_instances and plan.max.enough_instances  # the first type needs 1 and 2
    lines = text(mixed(initial, maximum)).splitlines()
    assert f"    if ml.p5.48xlarge is short: 2 x ml.p4d.24xlarge hold the initial copies ({initial_verdict})" in lines
    assert f"    if ml.p5.48xlarge is short: 4 x ml.p4d.24xlarge hold the max copies ({max_verdict})" in lines


def test_a_later_fallback_is_the_fleet_when_every_type_before_it_is_short() -> None:
    ep = chat()
    ep["instance_pools"] = ["ml.g5.24xlarge", "ml.g5.12xlarge"]
    (plan,) = planned(ep)
    assert [(p.priority, p.instance_type) for p in plan.pools] == [(2, "ml.g5.24xlarge"), (3, "ml.g5.12xlarge")]
    assert plan.pools[1].short == ("ml.g5.48xlarge", "ml.g5.24xlarge")
    assert plan.pools[1].scenario == "if ml.g5.48xlarge and ml.g5.24xlarge are short"
    assert "if ml.g5.48xlarge and ml.g5.24xlarge are short: 3 x ml.g5.12xlarge hold the max copies" in text(ep)


def test_a_pool_type_a_copy_does_not_fit_is_reported_as_not_planned() -> None:
    ep = endpoint(
        "wide",
        instance_type="ml.p4d.24xlarge",
        components=[component("wide", accelerators=8, memory_mb=65536)],
        instance_pools=["ml.g5.12xlarge", "ml.p5.48xlarge"],
    )
    (plan,) = planned(ep)  # no exception: the other types are still planned
    small, big = plan.pools
    assert isinstance(small.initial, Unplanned) and isinstance(small.max, Unplanned)
    assert small.initial.reason.startswith("component 'wide': one copy needs 8 GPUs (it has 4)")
    assert level(big, "initial").placement.instance_count == 1
    report = text(ep)
    assert (
        "    if ml.p4d.24xlarge is short: ml.g5.12xlarge cannot hold the initial copies: component 'wide': one copy "
        "needs 8 GPUs (it has 4)"
    ) in report
    assert re.search(r"^    instances needed +not planned +not planned$", report, re.MULTILINE)
    pool = as_json(ep)["endpoints"][0]["pools"][0]
    assert (pool["initial"], pool["max"]) == (None, None)
    assert list(pool["unplanned"]) == ["initial", "max"]


def test_an_unknown_pool_type_is_reported_as_not_planned() -> None:
    ep = endpoint("odd", components=[component("odd")], instance_pools=["ml.zz9.48xlarge"])
    (plan,) = planned(ep)
    (pool,) = plan.pools
    assert pool.facts is None
    assert isinstance(pool.initial, Unplanned)
    assert pool.initial.reason == "ml.zz9.48xlarge is not a known instance type; describe it under instance_types"
    data = as_json(ep)["endpoints"][0]["pools"][0]
    assert data["instance_type"] == {
        "name": "ml.zz9.48xlarge",
        "gpus": None,
        "gpu_memory_mib": None,
        "memory_mib": None,
        "vcpus": None,
    }
    assert "  pool 2: ml.zz9.48xlarge (unknown type), if ml.p4d.24xlarge is short" in text(ep)


def test_each_pool_types_baseline_uses_that_types_family_and_reservations() -> None:
    prices = {"ml.p4d.24xlarge": 30.0, "ml.g5.12xlarge": 6.0, "ml.g5.2xlarge": 1.5, "ml.g5.xlarge": 1.0}
    prices |= {name: 50.0 for name in INSTANCE_TYPES if name.startswith("ml.g5.") and name not in prices}
    small = component(
        "small",
        memory_mb=16384,
        copies={"initial": 2, "min": 1, "max": 4},
        compute_by_instance_type={"ml.g5.12xlarge": {"accelerators": 1, "memory_mb": 24576, "cpu_cores": 4}},
    )
    ep = endpoint("fam", instance_type="ml.p4d.24xlarge", components=[small], instance_pools=["ml.g5.12xlarge"])
    (plan,) = planned(ep, planning={"prices": prices})
    (pool,) = plan.pools
    assert (plan.initial.baseline.family, plan.initial.baseline.instances_by_type()) == ("p4d", {"ml.p4d.24xlarge": 2})
    pooled = level(pool, "initial")
    # 24 GiB a copy on g5 (not the 16 GiB given for p4d): ml.g5.xlarge has 16 GiB, so ml.g5.2xlarge it is.
    assert (pooled.baseline.family, pooled.baseline.instances_by_type()) == ("g5", {"ml.g5.2xlarge": 2})
    assert (pooled.comparison.packed_gpus, pooled.comparison.baseline_gpus) == (4, 2)
    assert (pooled.comparison.packed_cost, pooled.comparison.baseline_cost) == (6.0, 3.0)
    basis = as_json(ep, planning={"prices": prices})["endpoints"][0]["pools"][0]
    assert basis["baseline_basis"] == {"rule": "same-family", "family": "g5", "reservations_of": "ml.g5.12xlarge"}


def test_with_rule_any_each_pool_types_baseline_takes_any_type_for_that_types_reservations() -> None:
    small = component(
        "small",
        memory_mb=16384,
        compute_by_instance_type={"ml.g5.12xlarge": {"accelerators": 1, "memory_mb": 24576, "cpu_cores": 4}},
    )
    ep = endpoint("any", instance_type="ml.p4d.24xlarge", components=[small], instance_pools=["ml.g5.12xlarge"])
    (plan,) = planned(ep, planning={"baseline": "any"})
    pooled = level(plan.pools[0], "initial")
    assert pooled.baseline.family is None
    # 24 GiB does not fit ml.g4dn.xlarge (16 GiB), which the 16 GiB reservation on p4d does.
    assert plan.initial.baseline.dedicated[0].instance_type == "ml.g4dn.xlarge"
    assert pooled.baseline.dedicated[0].instance_type == "ml.g4dn.2xlarge"


def test_like_for_like_refuses_a_placement_made_on_another_type() -> None:
    placement = plan_placement(InstanceCapacity.of(INSTANCE_TYPES["ml.g5.12xlarge"]), [Component("a", 1, 1024)])
    with pytest.raises(ValueError, match=r"the placement is on ml\.g5\.12xlarge, not on ml\.p4d\.24xlarge"):
        like_for_like(
            placement, INSTANCE_TYPES["ml.p4d.24xlarge"], instance_types=INSTANCE_TYPES, rule="any", prices={}
        )


def test_the_pool_json_has_a_fixed_shape_and_key_order() -> None:
    data = as_json(mixed(2, 4))
    (ep,) = data["endpoints"]
    assert list(ep)[-2:] == ["adapters", "pools"]
    (pool,) = ep["pools"]
    assert list(pool) == [
        "priority",
        "instance_type",
        "if_short",
        "reservations",
        "baseline_basis",
        "initial",
        "max",
        "unplanned",
    ]
    assert pool["if_short"] == ["ml.p5.48xlarge"]
    assert pool["reservations"] == [
        {
            "component": "big",
            "accelerators": 4,
            "memory_mib": 131072,
            "cpu_cores": 12.0,
            "from": "compute_by_instance_type",
        }
    ]
    assert list(pool["initial"]) == list(ep["initial"])  # a pool level reads like the first type's
    assert (pool["initial"]["instances"], pool["max"]["instances"]) == (2, 4)
    assert pool["unplanned"] == {}
    assert json.dumps(as_json(mixed(2, 4))) == json.dumps(data)


def test_plan_on_a_validated_catalog_with_pools_prints_the_fallbacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, catalog(mixed(2, 4)))
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    assert main(["plan", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "    if ml.p5.48xlarge is short: 4 x ml.p4d.24xlarge hold the max copies (instance_count.max 4: enough)" in (
        out.splitlines()
    )
    assert err == ""
    assert main(["plan", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["endpoints"][0]["pools"][0]["priority"] == 2
