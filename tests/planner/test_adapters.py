"""LoRA adapters in the plan: listed per base component, reserving nothing, in the table, JSON and SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # our own output, not untrusted input
from typing import Any

import pytest

from llm_hosting.catalog.plan import plan_catalog
from llm_hosting.planner.plan import CatalogPlan
from llm_hosting.planner.report import LISTED_ADAPTERS, plan_dict, plan_text
from llm_hosting.planner.svg import plan_svg
from tests.planner.catalogs import catalog, component, endpoint, unchecked

SVG = "{http://www.w3.org/2000/svg}"


def assist(adapters: int, *, pools: list[str] | None = None) -> CatalogPlan:
    """A base with `adapters` adapters and a plain component beside it."""
    ep = endpoint(
        "assist",
        instance_type="ml.g5.12xlarge",
        components=[
            component("base", copies={"initial": 2, "min": 1, "max": 4}, adapters=adapters),
            component("plain", accelerators=2, memory_mb=65536),
        ],
        instance_count={"initial": 1, "min": 1, "max": 3},
        instance_pools=pools,
    )
    return plan_catalog(unchecked(catalog(ep)))


def test_the_report_lists_each_components_adapters_and_says_they_reserve_nothing() -> None:
    lines = plan_text(assist(3)).splitlines()
    at = lines.index(
        "  LoRA adapters: they reserve nothing and have no copies of their own: each runs on its base component's copies"
    )
    assert lines[at + 1] == "    base: 3 adapters (base-lora-1, base-lora-2, base-lora-3)"
    assert not lines[at + 2].startswith("    plain:")  # a component without adapters is not listed


@pytest.mark.parametrize(
    ("count", "listed"),
    [
        (LISTED_ADAPTERS, "base-lora-1, base-lora-2, base-lora-3, base-lora-4, base-lora-5"),
        (LISTED_ADAPTERS + 1, "base-lora-1, base-lora-2, base-lora-3, base-lora-4, base-lora-5, ... 1 more"),
    ],
)
def test_the_table_names_at_most_five_adapters_and_counts_the_rest(count: int, listed: str) -> None:
    assert f"    base: {count} adapters ({listed})" in plan_text(assist(count)).splitlines()


def test_adapters_change_no_placement_on_any_type() -> None:
    def owners(plan: CatalogPlan) -> list[Any]:
        (ep,) = plan.endpoints
        levels = [ep.initial, ep.max, *(lv for pool in ep.pools for lv in pool.levels)]
        return [[i.gpu_owners for i in lv.placement.instances] for lv in levels]  # type: ignore[union-attr]

    with_adapters, without = assist(4, pools=["ml.g5.48xlarge"]), assist(0, pools=["ml.g5.48xlarge"])
    assert owners(with_adapters) == owners(without)
    assert len(owners(with_adapters)) == 4


def test_the_json_names_every_adapter_per_component() -> None:
    adapters = plan_dict(assist(7))["endpoints"][0]["adapters"]
    assert list(adapters) == ["count", "reserved", "by_component"]
    assert adapters["count"] == 7
    assert adapters["reserved"] == {"gpus": 0, "memory_mib": 0, "cpu_cores": 0.0}
    assert adapters["by_component"] == [
        {"component": "base", "count": 7, "names": [f"base-lora-{k}" for k in range(1, 8)]},
        {"component": "plain", "count": 0, "names": []},
    ]


def test_the_svg_marks_the_components_carrying_adapters() -> None:
    root = ET.fromstring(plan_svg(assist(3)))  # noqa: S314
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any(
        t.startswith("base:") and t.endswith("carries 3 LoRA adapters, which reserve nothing (they use these copies)")
        for t in texts
    )
    assert not any(t.startswith("plain:") and "LoRA" in t for t in texts)
    titles = ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]
    base_blocks = [t for t in titles if t.startswith("base #")]
    assert len(base_blocks) == 2 + 4  # every copy at the initial and at the max level
    assert all(re.fullmatch(r"base #\d on GPU \d, serving 3 LoRA adapters", t) for t in base_blocks), base_blocks
    assert not any(t.startswith("plain #") and "LoRA" in t for t in titles)
