"""What `plan` shows: the table, the JSON facts (stable shape and order) and the SVG picture."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # our own output, not untrusted input
from pathlib import Path

from llm_hosting.catalog.plan import plan_catalog
from llm_hosting.planner.plan import CatalogPlan, LevelPlan
from llm_hosting.planner.report import plan_dict, plan_text
from llm_hosting.planner.svg import plan_svg
from tests.planner.catalogs import catalog, component, endpoint, unchecked

SVG = "{http://www.w3.org/2000/svg}"
EXPECTED = Path(__file__).parent / "expected"


def codegen_plan() -> CatalogPlan:
    ep = endpoint(
        "codegen",
        components=[
            component("codegen-inline", accelerators=1, copies={"initial": 2, "min": 1, "max": 4}),
            component("codegen-blockgen", accelerators=2, memory_mb=65536, cpu_cores=8),
            component("codegen-flowgpt", copies={"initial": 0, "min": 0, "max": 2}),
        ],
        instance_count={"initial": 1, "min": 1, "max": 2},
    )
    big = endpoint("large", instance_type="ml.g5.48xlarge", components=[component("large-model", accelerators=8)])
    return plan_catalog(unchecked(catalog(ep, big, planning={"prices": {"ml.p4d.24xlarge": 30.0}})))


def test_the_json_has_a_fixed_shape_and_key_order() -> None:
    data = plan_dict(codegen_plan())
    assert list(data) == ["catalog", "baseline", "prices", "endpoints"]
    first = data["endpoints"][0]
    assert list(first) == ["name", "path", "instance_type", "instance_count", "initial", "max", "adapters", "pools"]
    assert list(first["initial"]) == [
        "copies",
        "instances",
        "lower_bound",
        "proven_optimal",
        "proof",
        "configured_instances",
        "enough_instances",
        "occupancy",
        "stranded",
        "placement",
        "baseline",
        "comparison",
    ]
    assert first["initial"]["copies"] == {"codegen-inline": 2, "codegen-blockgen": 1, "codegen-flowgpt": 0}
    assert list(first["initial"]["occupancy"]) == ["gpus", "memory_mib", "cpu_cores"]
    assert list(first["initial"]["placement"][0]) == ["instance", "gpus", "copies", "used", "free", "stranded"]
    assert list(first["initial"]["comparison"]) == [
        "gpus",
        "instance_hours_per_hour",
        "cost_per_hour",
        "missing_prices",
    ]
    assert json.dumps(plan_dict(codegen_plan())) == json.dumps(data)


def test_the_json_tells_the_counts_the_occupancy_and_the_baseline() -> None:
    initial = plan_dict(codegen_plan())["endpoints"][0]["initial"]
    assert (initial["instances"], initial["lower_bound"], initial["proven_optimal"]) == (1, 1, True)
    assert initial["occupancy"]["gpus"] == {"used": 4, "capacity": 8, "percent": 50.0}
    assert initial["placement"][0]["gpus"] == ["codegen-blockgen"] * 2 + ["codegen-inline"] * 2 + [None] * 4
    assert initial["baseline"]["dedicated"][0] == {
        "component": "codegen-inline",
        "instance_type": "ml.p4d.24xlarge",
        "copies": 2,
    }
    assert initial["comparison"]["gpus"] == {"packed": 8, "baseline": 24, "ratio": 3.0}
    assert initial["comparison"]["cost_per_hour"] == {"packed": 30.0, "baseline": 90.0, "ratio": 3.0}
    large = plan_dict(codegen_plan())["endpoints"][1]["initial"]
    assert (large["comparison"]["cost_per_hour"], large["comparison"]["missing_prices"]) == (None, ["ml.g5.48xlarge"])


def test_the_table_shows_both_copy_levels_the_proof_and_missing_prices() -> None:
    text = plan_text(codegen_plan())
    assert text.splitlines()[0].startswith("catalog.yaml: 2 inference-component endpoints; baseline:")
    assert "codegen: ml.p4d.24xlarge (8 GPUs, 1152.0 GiB memory, 96 vCPUs)" in text
    assert "initial copies" in text and "max copies" in text
    assert "1 (proven optimal)" in text
    assert "GPUs 0-1 codegen-blockgen#1 | GPU 2 codegen-inline#1" in text
    assert "30.00 / 90.00 (3.0x)" in text
    assert "no price for ml.g5.48xlarge (planning.prices)" in text


def test_a_catalog_without_inference_components_says_there_is_nothing_to_plan() -> None:
    single = {
        "name": "solo",
        "type": "single-model",
        "instance_type": "ml.g5.12xlarge",
        "model": {"engine": "lmi", "weights": "s3://example-weights/solo/"},
    }
    plan = plan_catalog(unchecked(catalog(single)))
    assert plan_text(plan) == "catalog.yaml: no inference-component endpoints to plan"
    ET.fromstring(plan_svg(plan))  # noqa: S314


def test_the_svg_is_well_formed_and_labels_every_component() -> None:
    plan = codegen_plan()
    root = ET.fromstring(plan_svg(plan))  # noqa: S314
    assert root.tag == f"{SVG}svg"
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    names = {c.name for e in plan.endpoints for c in e.max.placement.components}
    for name in names:
        assert any(t.startswith(f"{name}:") for t in texts), name  # the legend line
    sections = [g.get("id") for g in root.iter(f"{SVG}g")]
    assert sections == ["endpoint-codegen", "endpoint-large"]
    # One block per placed copy, each titled with the copy and its GPUs.
    titles = ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]
    placed = sum(len(i.copies) for e in plan.endpoints for lv in (e.initial, e.max) for i in lv.placement.instances)
    assert sum(" on GPU " in t for t in titles) == placed
    assert "codegen-blockgen #1 on GPU 0, 1" in titles


def test_the_svg_escapes_what_it_writes() -> None:
    plan = codegen_plan()
    odd = CatalogPlan(source="a<b>&c.yaml", baseline_rule="any", prices={}, endpoints=plan.endpoints)
    root = ET.fromstring(plan_svg(odd))  # noqa: S314
    assert "".join(root.find(f"{SVG}title").itertext()) == "Placement plan: a<b>&c.yaml"  # type: ignore[union-attr]


G5_PRICES = {
    "ml.g5.12xlarge": 7.0,
    "ml.g5.xlarge": 1.0,
    "ml.g5.2xlarge": 1.5,
    "ml.g5.4xlarge": 2.0,
    "ml.g5.8xlarge": 3.0,
    "ml.g5.16xlarge": 5.0,
    "ml.g5.24xlarge": 10.0,
    "ml.g5.48xlarge": 20.0,
}


def chat_plan() -> CatalogPlan:
    """An endpoint without pools or adapters, priced, one level short of instances."""
    ep = endpoint(
        "chat",
        instance_type="ml.g5.12xlarge",
        components=[
            component("chat-small", memory_mb=16384, copies={"initial": 2, "min": 1, "max": 5}),
            component("chat-large", accelerators=2, memory_mb=65536, cpu_cores=8),
        ],
        instance_count={"initial": 1, "min": 1, "max": 2},
    )
    return plan_catalog(unchecked(catalog(ep, planning={"prices": G5_PRICES})))


CHAT_TEXT = "\n".join(
    [
        "catalog.yaml: 1 inference-component endpoint; baseline: one dedicated instance per copy, the smallest fitting type of the same family",
        "",
        "chat: ml.g5.12xlarge (4 GPUs, 192.0 GiB memory, 48 vCPUs), instance_count initial 1 / min 1 / max 2",
        "                                    initial copies                            max copies",
        "  copies                            3 of 2 components                         7 of 2 components",
        "  instances needed                  1 (proven optimal)                        3 (proven optimal)",
        "  configured                        initial 1: enough                         max 2: too few, needs 3",
        "  GPU occupancy                     4/4 (100.0 %)                             9/12 (75.0 %)",
        "  memory occupancy                  96.0/192.0 GiB (50.0 %)                   208.0/576.0 GiB (36.1 %)",
        "  CPU occupancy                     16/48 vCPUs (33.3 %)                      36/144 vCPUs (25.0 %)",
        "  stranded                          0 GPUs, 96.0 GiB, 32 vCPUs on 1 instance  0 GPUs, 192.0 GiB, 64 vCPUs on 2 instances",
        "  dedicated baseline (same-family)  1 x ml.g5.12xlarge + 2 x ml.g5.xlarge     2 x ml.g5.12xlarge + 5 x ml.g5.xlarge",
        "  GPUs packed / baseline            4 / 6 (1.5x)                              12 / 13 (1.1x)",
        "  instance-hours per hour           1 / 3 (3.0x)                              3 / 7 (2.3x)",
        "  cost per hour                     7.00 / 9.00 (1.3x)                        21.00 / 19.00 (0.9x)",
        "  placement at initial copies:",
        "    instance 1  GPUs 0-1 chat-large#1 | GPU 2 chat-small#1 | GPU 3 chat-small#2   (free: 0 GPUs, 96.0 GiB, 32 vCPUs, stranded)",
        "  placement at max copies:",
        "    instance 1  GPU 0 chat-small#1   (free: 3 GPUs, 176.0 GiB, 44 vCPUs)",
        "    instance 2  GPU 0 chat-small#2 | GPU 1 chat-small#3 | GPU 2 chat-small#4 | GPU 3 chat-small#5   (free: 0 GPUs, 128.0 GiB, 32 vCPUs, stranded)",
        "    instance 3  GPUs 0-1 chat-large#1 | GPUs 2-3 chat-large#2   (free: 0 GPUs, 64.0 GiB, 32 vCPUs, stranded)",
    ]
)
"""What `plan` printed for `chat_plan()` before pools and adapters were planned (commit 9afdb03)."""


def test_an_endpoint_without_pools_or_adapters_prints_exactly_as_before() -> None:
    assert plan_text(chat_plan()) == CHAT_TEXT


def test_an_endpoint_without_pools_keeps_every_json_key_and_value_and_gains_empty_pools() -> None:
    """`expected/chat-without-pools.json` is `plan_dict(chat_plan())` as commit 9afdb03 wrote it."""
    before = json.loads((EXPECTED / "chat-without-pools.json").read_text(encoding="utf-8"))
    now = plan_dict(chat_plan())
    (endpoint_now,) = now["endpoints"]
    added = {key: endpoint_now.pop(key) for key in ("adapters", "pools")}
    assert json.dumps(now) == json.dumps(before)  # same keys, same order, same values
    assert added["pools"] == []
    assert added["adapters"]["count"] == 0


def test_the_svg_draws_a_section_per_pool_type_inside_its_endpoint() -> None:
    ep = endpoint(
        "codegen",
        components=[
            component("inline", copies={"initial": 2, "min": 1, "max": 4}),
            component("wide", accelerators=8, memory_mb=65536),
        ],
        instance_pools=["ml.p5.48xlarge", "ml.g5.12xlarge"],
    )
    plan = plan_catalog(unchecked(catalog(ep)))
    root = ET.fromstring(plan_svg(plan))  # noqa: S314
    (section,) = [g for g in root.iter(f"{SVG}g") if g.get("id") == "endpoint-codegen"]
    pools = [g.get("id") for g in section.iter(f"{SVG}g") if g is not section]
    assert pools == ["pool-codegen-ml.p5.48xlarge", "pool-codegen-ml.g5.12xlarge"]
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any(
        t.startswith("pool 2: ml.p5.48xlarge (8 GPUs") and t.endswith("if ml.p4d.24xlarge is short") for t in texts
    )
    # An 8-GPU copy does not fit ml.g5.12xlarge: both of its levels say so instead of a drawing.
    assert sum(t.startswith("initial copies: not planned: component 'wide'") for t in texts) == 1
    assert sum(t.startswith("max copies: not planned: component 'wide'") for t in texts) == 1
    titles = ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]
    (ep_plan,) = plan.endpoints
    drawn = [ep_plan.initial, ep_plan.max, *(lv for p in ep_plan.pools for lv in p.levels if isinstance(lv, LevelPlan))]
    assert len(drawn) == 4
    assert sum(" on GPU " in t for t in titles) == sum(len(i.copies) for lv in drawn for i in lv.placement.instances)
