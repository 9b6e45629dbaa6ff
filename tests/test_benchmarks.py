"""The synthesis benchmarks run end to end at a tiny size and compare like with like."""

from __future__ import annotations

import importlib.util
import sys
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from benchmarks import peer_apps
from llm_hosting.catalog import load_catalog
from llm_hosting.facts.images import ENGINES
from tests.background import RUNS, TINY_SIZE
from tests.synth import synthesize

SIZE = TINY_SIZE


@pytest.fixture(scope="module")
def tiny_run() -> tuple[str, dict[str, Any]]:
    """One run of each app at 3 components: (printed output, the --json figures)."""
    return RUNS["tiny_run"].result()


def _row(stdout: str, label: str) -> list[str]:
    line = next(line for line in stdout.splitlines() if line.startswith(label))
    return line[len(label) :].split()


def test_the_table_shows_both_apps_and_their_ratio(tiny_run: tuple[str, dict[str, Any]]) -> None:
    stdout, _ = tiny_run
    header = next(line for line in stdout.splitlines() if "app / baseline" in line)
    assert "app median" in header
    assert "baseline median" in header
    for label in ("wall time, process start to exit (s)", "peak RSS, Python process (MiB)"):
        app_median, _, baseline_median, _, ratio = (float(cell) for cell in _row(stdout, label))
        assert app_median > 0
        assert baseline_median > 0
        assert ratio == pytest.approx(app_median / baseline_median, rel=0.02)


def test_both_apps_synthesize_the_same_resources_per_type(tiny_run: tuple[str, dict[str, Any]]) -> None:
    stdout, figures = tiny_run
    result = figures["sizes"][str(SIZE)]
    app, baseline = result["app"]["output"], result["baseline"]["output"]
    assert app["resource_types"] == baseline["resource_types"]
    assert app["resource_types"]["AWS::SageMaker::InferenceComponent"] == SIZE
    assert (app["stacks"], app["file_assets"]) == (baseline["stacks"], baseline["file_assets"])
    assert result["mismatches"] == []
    assert "MISMATCH" not in stdout


def test_every_run_reports_time_and_memory_of_both_processes(tiny_run: tuple[str, dict[str, Any]]) -> None:
    _, figures = tiny_run
    for subject in ("app", "baseline"):
        (run,) = figures["sizes"][str(SIZE)][subject]["runs"]
        assert run["wall_s"] > run["synth_s"] > 0
        assert run["python_peak_mib"] > 0
        assert run["node_peak_mib"] > 0
        assert run["jsii_requests"] > 0


# --- peer_bench.py: the apps it compares ---------------------------------------------------------


def test_the_project_and_the_peer_are_told_the_same_endpoints(tmp_path: Path) -> None:
    endpoints = peer_apps.single_model_endpoints(4)
    catalog = load_catalog(peer_apps.write_catalog(tmp_path / "catalog.yaml", peer_apps.project_catalog(endpoints)))
    spec = peer_apps.peer_spec(endpoints)
    assert (
        [e["name"] for e in spec["endpoints"]]
        == [e.name for e in catalog.spec.endpoints]
        == [e.name for e in endpoints]
    )
    for told, loaded in zip(spec["endpoints"], catalog.spec.endpoints, strict=True):
        image = ENGINES[loaded.model.engine].versions[loaded.model.version]
        assert (told["image_repository"], told["image_tag"]) == (image.repository, image.tag)
        assert told["instance_type"] == loaded.instance_type == "ml.g5.2xlarge"
        assert told["weights"] == loaded.model.weights
        assert loaded.model.code is None  # weights only, like the peer's model data
    assert len({e["weights"] for e in spec["endpoints"]}) == 4


class _PeerStandIn:
    """Records what an app hands to the peer's `sagemaker_deployment` module, with the keyword-only
    props of cdklabs.generative-ai-cdk-constructs 0.1.320 (`CustomSageMakerEndpointProps` in its
    `sagemaker_deployment/__init__.py`; `src/patterns/gen-ai/aws-model-deployment-sagemaker/
    custom-sagemaker-endpoint.ts`), so a misspelt or missing prop fails as it would there. It makes
    no resources; the real peer runs only in benchmarks/peer_bench.py, in its own venv."""

    def __init__(self) -> None:
        self.endpoints: list[tuple[str, str, dict[str, Any]]] = []
        recorded = self.endpoints

        class CustomSageMakerEndpoint:
            def __init__(
                self,
                scope: cdk.Stack,
                construct_id: str,
                *,
                container: Any,
                endpoint_name: str,
                instance_type: Any,
                model_data_url: str,
                model_id: str,
                async_inference: Any = None,
                environment: Any = None,
                instance_count: int | None = None,
                max_capacity: int | None = None,
                min_capacity: int | None = None,
                model_data_download_timeout_in_seconds: int | None = None,
                role: Any = None,
                startup_health_check_timeout_in_seconds: int | None = None,
                volume_size_in_gb: int | None = None,
                vpc_config: Any = None,
            ) -> None:
                props = {key: value for key, value in locals().items() if key not in ("self", "scope", "construct_id")}
                recorded.append((scope.stack_name, construct_id, props))

        class DeepLearningContainerImage:
            @staticmethod
            def from_deep_learning_container_image(
                repository_name: str, tag: str, account_id: str | None = None
            ) -> str:
                return f"{repository_name}:{tag}"

        class SageMakerInstanceType:
            @staticmethod
            def of(instance_type: str) -> str:
                return instance_type

        self.module = types.SimpleNamespace(
            CustomSageMakerEndpoint=CustomSageMakerEndpoint,
            DeepLearningContainerImage=DeepLearningContainerImage,
            SageMakerInstanceType=SageMakerInstanceType,
        )


def test_the_peer_app_hands_every_endpoint_to_the_peers_construct(monkeypatch: pytest.MonkeyPatch) -> None:
    peer = _PeerStandIn()
    monkeypatch.setitem(sys.modules, "cdklabs", types.ModuleType("cdklabs"))
    package = types.ModuleType("cdklabs.generative_ai_cdk_constructs")
    package.sagemaker_deployment = peer.module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cdklabs.generative_ai_cdk_constructs", package)
    loader = importlib.util.spec_from_file_location("peer_app", peer_apps.APPS / "peer_app.py")
    assert loader is not None and loader.loader is not None
    peer_app = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(peer_app)

    endpoints = peer_apps.single_model_endpoints(100)
    stacks = peer_app.build(cdk.App(), peer_apps.peer_spec(endpoints))

    # 45 endpoints of 11 resources fill a stack as far as CloudFormation's 500 allow.
    assert [s.stack_name for s in stacks] == ["llm-hosting-peer-1", "llm-hosting-peer-2", "llm-hosting-peer-3"]
    assert [sum(1 for stack, _, _ in peer.endpoints if stack == s.stack_name) for s in stacks] == [45, 45, 10]
    for (_, construct_id, props), endpoint in zip(peer.endpoints, endpoints, strict=True):
        assert construct_id == props["endpoint_name"] == endpoint.name
        assert props["instance_type"] == endpoint.instance_type
        assert props["container"] == f"{endpoint.image_repository}:{endpoint.image_tag}"
        assert props["model_data_url"] == endpoint.weights
        assert (props["instance_count"], props["min_capacity"], props["max_capacity"]) == (1, 1, 2)
        assert props["model_data_download_timeout_in_seconds"] == endpoint.download_timeout_s
        assert props["startup_health_check_timeout_in_seconds"] == endpoint.health_check_timeout_s


@pytest.fixture(scope="module")
def two_endpoints(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[peer_apps.Endpoint], Path]:
    """Two of the benchmark's single-model endpoints, synthesized by this project."""
    directory = tmp_path_factory.mktemp("two-endpoints")
    endpoints = peer_apps.single_model_endpoints(2)
    catalog = peer_apps.write_catalog(directory / "catalog.yaml", peer_apps.project_catalog(endpoints))
    synthesize(catalog, directory / "cdk.out")
    return endpoints, directory / "cdk.out"


def test_what_each_endpoint_serves_is_read_back_from_the_assembly(
    two_endpoints: tuple[list[peer_apps.Endpoint], Path],
) -> None:
    endpoints, outdir = two_endpoints
    found = peer_apps.endpoint_facts(outdir)
    assert found == peer_apps.expected_facts(endpoints)
    assert found["llm-001"].weights == "s3://example-weights/llm-001/"  # from the container's HF_MODEL_ID
    assert peer_apps.facts_differences("project", found, peer_apps.expected_facts(endpoints)) == []


def test_the_projects_endpoints_like_the_peers_stage_no_model_archive(
    two_endpoints: tuple[list[peer_apps.Endpoint], Path],
) -> None:
    _, outdir = two_endpoints
    assert list(outdir.glob("asset.*")) == []
    for template in outdir.glob("*.template.json"):
        assert "ModelDataUrl" not in template.read_text(encoding="utf-8")


def test_an_endpoint_that_differs_from_what_was_asked_is_reported(
    two_endpoints: tuple[list[peer_apps.Endpoint], Path],
) -> None:
    endpoints, outdir = two_endpoints
    asked = [replace(endpoints[0], instance_type="ml.g5.4xlarge"), endpoints[1], replace(endpoints[1], name="llm-002")]
    lines = peer_apps.facts_differences("peer", peer_apps.endpoint_facts(outdir), peer_apps.expected_facts(asked))
    assert lines == [
        "peer: endpoint llm-002 is missing",
        "peer: endpoint llm-000: instance_type 'ml.g5.2xlarge' (expected 'ml.g5.4xlarge')",
    ]


# --- peer_bench.py: one round of its L1 comparison, through the CDK CLI (the peer is not needed) ---


@pytest.fixture(scope="module")
def ic_run() -> tuple[str, dict[str, Any]]:
    """`peer_bench.py --only ic` at 2 components, 1 round: (printed output, the --json figures)."""
    return RUNS["ic_run"].result()


def test_the_minimal_l1_app_makes_as_many_resources_in_as_many_stacks_as_the_project(
    ic_run: tuple[str, dict[str, Any]],
) -> None:
    stdout, figures = ic_run
    group = figures["groups"]["ic"]
    project, minimal = group["subjects"]["project"]["output"], group["subjects"]["minimal"]["output"]
    assert project["resource_types"]["AWS::SageMaker::InferenceComponent"] == 2
    assert (minimal["resources"], minimal["stacks"]) == (project["resources"], project["stacks"])
    assert set(minimal["resource_types"]) == {
        "AWS::SageMaker::InferenceComponent",
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "AWS::CDK::Metadata",
    }
    same_output = group["subjects"]["same-output"]["output"]
    assert same_output["resource_types"] == project["resource_types"]
    assert group["mismatches"] == []
    assert "MISMATCH" not in stdout


def test_every_app_reports_its_wall_time_and_the_peaks_of_python_and_node(ic_run: tuple[str, dict[str, Any]]) -> None:
    _, figures = ic_run
    for subject in ("project", "minimal", "same-output"):
        (run,) = figures["groups"]["ic"]["subjects"][subject]["runs"]
        assert run["wall_s"] > 0
        assert run["cpu_s"] > 0
        assert run["python_peak_mib"] > 0
        assert run["node_peak_mib"] > 0


def test_the_targets_are_printed_next_to_the_measured_ratios(ic_run: tuple[str, dict[str, Any]]) -> None:
    stdout, figures = ic_run
    subjects = figures["groups"]["ic"]["subjects"]

    def median(subject: str) -> float:
        return float(subjects[subject]["summary"]["wall_s"]["median"])

    row = next(line for line in stdout.splitlines() if line.startswith("this project (2 components)"))
    x_minimal, x_same_output = (float(cell) for cell in row.split(")", 2)[2].split()[:2])
    assert x_minimal == pytest.approx(median("project") / median("minimal"), abs=0.006)
    assert x_same_output == pytest.approx(median("project") / median("same-output"), abs=0.006)
    minimal_target, same_output_target = figures["targets"]
    assert (minimal_target["limit"], same_output_target["limit"]) == (1.5, 1.2)
    assert minimal_target["measured"] == pytest.approx(median("project") / median("minimal"))
    assert minimal_target["met"] == (minimal_target["measured"] <= 1.5)
    assert "<= 1.50x" in stdout and "<= 1.20x" in stdout
