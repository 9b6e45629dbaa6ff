"""Hundreds of per-customer adapters on one base synthesize within CloudFormation's limits: they go
to `<project>-<base>-adapters` stacks of 200, after the base's stack, each with its own dashboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from llm_hosting.catalog import CatalogError
from llm_hosting.limits import check_limits
from stacks.plan import ADAPTERS_PER_STACK, STACK_RESOURCE_LIMIT, plan_stacks
from tests.catalog.helpers import load
from tests.catalogs.many_components import many_adapters_catalog
from tests.synth import Synthesized, synthesize


@pytest.fixture(scope="module")
def three_hundred(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    root = tmp_path_factory.mktemp("three-hundred-adapters")
    path = root / "catalog.yaml"
    path.write_text(yaml.safe_dump(many_adapters_catalog(300)))
    return synthesize(path, root / "cdk.out")


def adapters_by_stack(synthesized: Synthesized) -> dict[str, list[str]]:
    placed: dict[str, list[str]] = {}
    for stack, template in synthesized.templates.items():
        for resource in template["Resources"].values():
            spec = (
                resource["Properties"].get("Specification", {})
                if resource["Type"].endswith("InferenceComponent")
                else {}
            )
            if "BaseInferenceComponentName" in spec:
                placed.setdefault(stack, []).append(resource["Properties"]["InferenceComponentName"])
    return placed


def test_300_adapters_synthesize_into_two_adapter_stacks_under_the_resource_limit(three_hundred: Synthesized) -> None:
    sizes = {name: len(t["Resources"]) for name, t in three_hundred.templates.items()}
    assert sorted(sizes) == [
        "tenants-artifacts",
        "tenants-assist",
        "tenants-coder-adapters",
        "tenants-coder-adapters-part2",
    ]
    # The CDK CLI adds one CDKMetadata resource per stack on top of what is counted here.
    assert max(sizes.values()) + 1 <= STACK_RESOURCE_LIMIT, sizes
    assert sizes["tenants-coder-adapters"] == 2 * ADAPTERS_PER_STACK + 1  # adapter and its alarm each, a dashboard
    assert check_limits(three_hundred.outdir) == []  # no limit reached, none within 10 %


def test_every_adapter_is_in_exactly_one_stack_in_catalog_order(three_hundred: Synthesized) -> None:
    placed = adapters_by_stack(three_hundred)
    assert placed["tenants-coder-adapters"] == [f"coder-customer-{i:04d}" for i in range(ADAPTERS_PER_STACK)]
    assert placed["tenants-coder-adapters-part2"] == [f"coder-customer-{i:04d}" for i in range(ADAPTERS_PER_STACK, 300)]
    assert "tenants-assist" not in placed


def test_adapter_stacks_deploy_after_their_base_stack(three_hundred: Synthesized) -> None:
    manifest = json.loads((three_hundred.outdir / "manifest.json").read_text())["artifacts"]
    for stack in ("tenants-coder-adapters", "tenants-coder-adapters-part2"):
        assert "tenants-assist" in manifest[stack]["dependencies"]


def test_the_base_role_reads_the_folder_its_300_adapters_share(three_hundred: Synthesized) -> None:
    policy = next(
        r
        for r in three_hundred.template("tenants-assist")["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
    )
    rendered = json.dumps(policy["Properties"]["PolicyDocument"], separators=(",", ":"))
    assert ":s3:::example-weights/adapters/*" in rendered
    assert "c0001.tar.gz" not in rendered
    assert len(rendered) < 6_144  # IAM's limit for a managed policy (without whitespace)


def test_each_adapter_stack_graphs_its_adapters_within_100_metrics_a_graph(three_hundred: Synthesized) -> None:
    template = three_hundred.template("tenants-coder-adapters")
    (dashboard,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    board = json.loads(dashboard["Properties"]["DashboardBody"]["Fn::Sub"].replace("${AWS::Region}", "us-east-1"))
    graphs = {w["properties"]["title"]: w["properties"]["metrics"] for w in board["widgets"] if w["type"] == "metric"}
    assert all(len(rows) <= 100 for rows in graphs.values()), {t: len(r) for t, r in graphs.items()}
    invocations = [t for t in graphs if t.startswith("Invocations per adapter")]
    assert invocations == ["Invocations per adapter, adapters 1-100", "Invocations per adapter, adapters 101-200"]
    latency = [t for t in graphs if t.startswith("Model latency p90 per adapter")]
    assert len(latency) == 4  # two rows a line (the metric and its milliseconds): 50 adapters a graph
    shown = [row[3] for title in invocations for row in graphs[title]]
    assert shown == [f"coder-customer-{i:04d}" for i in range(ADAPTERS_PER_STACK)]


@pytest.mark.parametrize("count", [1, ADAPTERS_PER_STACK, ADAPTERS_PER_STACK + 1])
def test_appending_an_adapter_never_moves_an_existing_one(tmp_path: Path, count: int) -> None:
    def placement(n: int) -> dict[int, str]:
        (endpoint,) = plan_stacks(load(tmp_path, many_adapters_catalog(n))).endpoints
        return {i: shard.stack_name for shard in endpoint.adapters for i in range(shard.start, shard.stop)}

    before, after = placement(count), placement(count + 1)
    assert {i: after[i] for i in before} == before
    assert len(after) == count + 1


def test_an_adapter_stack_named_like_an_endpoint_stack_is_a_catalog_error(tmp_path: Path) -> None:
    data = many_adapters_catalog(1)
    other = json.loads(json.dumps(data["endpoints"][0]))
    other["name"] = "coder-adapters"
    other["components"][0]["name"] = "other"
    other["components"][0]["adapters"] = []
    data["endpoints"].append(other)
    with pytest.raises(CatalogError) as caught:
        plan_stacks(load(tmp_path, data))
    (line,) = str(caught.value).splitlines()
    assert "endpoints[1].name: its stack tenants-coder-adapters has the same name as a stack of endpoints[0]" in line
