"""What `plan` shows: the table, the JSON facts (stable shape and order) and the SVG picture."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # our own output, not untrusted input

from llm_hosting.catalog.plan import plan_catalog
from llm_hosting.planner.plan import CatalogPlan
from llm_hosting.planner.report import plan_dict, plan_text
from llm_hosting.planner.svg import plan_svg
from tests.planner.catalogs import catalog, component, endpoint, unchecked

SVG = "{http://www.w3.org/2000/svg}"


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
    assert list(first) == ["name", "path", "instance_type", "instance_count", "initial", "max"]
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
