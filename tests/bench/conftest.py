"""Benchmark fixtures: the SageMaker runtime stand-in on 127.0.0.1 and a real boto3 client pointed at it.

Every test runs with fake credentials and no AWS config, and the runtime's endpoint URL points at the
stand-in, so no request can leave the machine.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from llm_hosting.bench import bench_client
from tests.standins.offline_aws import offline_aws
from tests.standins.sagemaker_runtime import SageMakerRuntimeStandIn

REGION = "us-east-1"
ENDPOINT = "codegen"
PAYLOAD = b'{"inputs": "def main(", "parameters": {"max_new_tokens": 16}}'


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch, standin: SageMakerRuntimeStandIn, tmp_path: Path) -> None:
    """Fake credentials, no profile or config file, the runtime endpoint local."""
    offline_aws(monkeypatch, tmp_path, region=REGION, AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=standin.url)


@pytest.fixture
def client(standin: SageMakerRuntimeStandIn) -> Any:
    """A benchmark client as the command makes it (no SDK retries), with a timeout tests can outwait."""
    return bench_client(timeout_s=5, concurrency=8, endpoint_url=standin.url)


@pytest.fixture
def payload_file(tmp_path: Path) -> Path:
    path = tmp_path / "payload.json"
    path.write_bytes(PAYLOAD)
    return path


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
