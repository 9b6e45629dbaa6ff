"""Endpoints with more components than a stack can hold spread over shard stacks, deterministically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from llm_hosting.catalog import CatalogError
from stacks.plan import COMPONENTS_PER_STACK, STACK_RESOURCE_LIMIT, plan_stacks
from tests.catalog.helpers import load
from tests.catalogs.many_components import many_components_catalog
from tests.synth import ROOT, Synthesized, synthesize

COUNT = 3 * COMPONENTS_PER_STACK + 1
"""The endpoint's stack, two full shards and one with a single component."""


@pytest.fixture(scope="session")
def many(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    root = tmp_path_factory.mktemp("many-components")
    path = root / "catalog.yaml"
    path.write_text(yaml.safe_dump(many_components_catalog(COUNT)))
    return synthesize(path, root / "cdk.out")


def test_hundreds_of_components_synthesize_into_stacks_under_the_resource_limit(many: Synthesized) -> None:
    sizes = {name: len(t["Resources"]) for name, t in many.templates.items()}
    # The CDK CLI adds one CDKMetadata resource per stack on top of what is counted here.
    assert max(sizes.values()) + 1 <= STACK_RESOURCE_LIMIT, sizes
    assert sorted(sizes) == ["big-artifacts", "big-shared", *[f"big-shared-part{i}" for i in range(2, 5)]]


def test_every_component_is_in_exactly_one_stack_in_catalog_order(many: Synthesized) -> None:
    placed: dict[str, str] = {}
    for stack, template in many.templates.items():
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::SageMaker::InferenceComponent":
                name = resource["Properties"]["InferenceComponentName"]
                assert name not in placed, name
                placed[name] = stack
    assert len(placed) == COUNT
    assert placed["model-0000"] == placed[f"model-{COMPONENTS_PER_STACK - 1:04d}"] == "big-shared"
    assert placed[f"model-{COMPONENTS_PER_STACK:04d}"] == "big-shared-part2"
    assert placed[f"model-{COUNT - 1:04d}"] == "big-shared-part4"  # alone in it


def test_shard_stacks_deploy_after_the_endpoint_stack(many: Synthesized) -> None:
    manifest = json.loads((many.outdir / "manifest.json").read_text())["artifacts"]
    for part in range(2, 5):
        assert "big-shared" in manifest[f"big-shared-part{part}"]["dependencies"]
    assert "big-artifacts" in manifest["big-shared"]["dependencies"]


def test_components_without_code_stage_no_archive(many: Synthesized) -> None:
    manifest = json.loads((many.outdir / "manifest.json").read_text())["artifacts"]
    for name in many.templates:
        assets = json.loads((many.outdir / f"{name}.assets.json").read_text())["files"]
        staged = [a["source"]["path"] for a in assets.values() if not a["source"]["path"].endswith(".template.json")]
        assert staged == [], (name, staged)
    assert "big-shared-part3" in manifest
    component = next(
        r
        for r in many.template("big-shared-part3")["Resources"].values()
        if r["Type"] == "AWS::SageMaker::InferenceComponent"
    )
    container = component["Properties"]["Specification"]["Container"]
    assert "ArtifactUrl" not in container and container["Environment"]["HF_MODEL_ID"].startswith(
        "s3://example-weights/"
    )


def test_a_shard_stages_its_archives_under_the_endpoints_prefix(tmp_path: Path) -> None:
    data = many_components_catalog(COMPONENTS_PER_STACK + 1)
    data["endpoints"][0]["components"][-1]["model"] = {
        "engine": "fastertransformer",
        "version": "0.24.0",
        "architecture": "llama",
        "code": str(ROOT / "model_artifacts" / "codegen"),
        "weights": "s3://example-weights/coder/",
        "unchecked_properties": {"option.default_max_new_tokens": 32},
    }
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data))
    template = synthesize(path, tmp_path / "cdk.out").template("big-shared-part2")
    (url,) = [
        r["Properties"]["Specification"]["Container"]["ArtifactUrl"]["Fn::Sub"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::SageMaker::InferenceComponent"
    ]
    assert "/assets/shared/" in url


def test_the_shared_role_policy_stays_small_with_hundreds_of_weights_prefixes(many: Synthesized) -> None:
    policy = next(
        r for r in many.template("big-shared")["Resources"].values() if r["Type"] == "AWS::IAM::ManagedPolicy"
    )
    rendered = json.dumps(policy["Properties"]["PolicyDocument"], separators=(",", ":"))
    assert len(rendered) < 6_144  # IAM's limit for a managed policy (without whitespace)
    assert ":s3:::example-weights/*" in rendered  # hundreds of prefixes, one common grant


@pytest.mark.parametrize("count", [1, COMPONENTS_PER_STACK, COMPONENTS_PER_STACK + 1, 3 * COMPONENTS_PER_STACK + 7])
def test_appending_a_component_never_moves_an_existing_one(tmp_path: Path, count: int) -> None:
    def placement(n: int) -> dict[int, str]:
        plan = plan_stacks(load(tmp_path, many_components_catalog(n)))
        (endpoint,) = plan.endpoints
        shards = [s for s in (endpoint.components, *endpoint.shards) if s is not None]
        return {i: shard.stack_name for shard in shards for i in range(shard.start, shard.stop)}

    before, after = placement(count), placement(count + 1)
    assert {i: after[i] for i in before} == before
    assert len(after) == count + 1


def test_the_same_catalog_always_gives_the_same_stacks(tmp_path: Path) -> None:
    catalog = load(tmp_path, many_components_catalog(150))
    assert plan_stacks(catalog) == plan_stacks(catalog)
    assert plan_stacks(catalog).names == ["big-artifacts", "big-shared", "big-shared-part2", "big-shared-part3"]


def test_a_stack_name_collision_is_a_catalog_error(tmp_path: Path) -> None:
    data = many_components_catalog(COMPONENTS_PER_STACK + 1)
    data["endpoints"].append(
        {
            **data["endpoints"][0],
            "name": "shared-part2",
            "components": [{**data["endpoints"][0]["components"][0], "name": "other"}],
        }
    )
    with pytest.raises(CatalogError) as caught:
        plan_stacks(load(tmp_path, data))
    (line,) = str(caught.value).splitlines()
    assert "endpoints[1].name: its stack big-shared-part2 has the same name as a stack of endpoints[0]" in line


def test_each_shard_has_a_dashboard_of_its_own_components(many: Synthesized) -> None:
    template = many.template("big-shared-part2")
    (dashboard,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    board = json.loads(dashboard["Properties"]["DashboardBody"]["Fn::Sub"].replace("${AWS::Region}", "us-east-1"))
    invocations = next(w for w in board["widgets"] if w["properties"].get("title") == "Invocations per component")
    shown = [row[3] for row in invocations["properties"]["metrics"]]
    expected = [f"model-{i:04d}" for i in range(COMPONENTS_PER_STACK, 2 * COMPONENTS_PER_STACK)]
    assert shown == expected  # within CloudWatch's 100 metrics per graph


def test_every_graph_of_a_full_shards_dashboard_holds_at_most_100_metric_rows(many: Synthesized) -> None:
    template = many.template("big-shared-part2")
    (dashboard,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    board = json.loads(dashboard["Properties"]["DashboardBody"]["Fn::Sub"].replace("${AWS::Region}", "us-east-1"))
    sizes = {
        w["properties"]["title"]: len(w["properties"]["metrics"])
        for w in board["widgets"]
        if "metrics" in w["properties"]
    }
    assert max(sizes.values()) <= 100, sizes
    # the copies graph (3 rows per component) is split, and each part says which components it shows
    copies = sorted(t for t in sizes if t.startswith("Copies serving per component"))
    assert copies == [
        "Copies serving per component (invocations / invocations per copy), components 1-33",
        "Copies serving per component (invocations / invocations per copy), components 34-66",
        "Copies serving per component (invocations / invocations per copy), components 67-70",
    ]
