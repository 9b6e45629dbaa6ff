"""Multi-model endpoint fixtures: moto (S3, CloudFormation) and the SageMaker runtime stand-in on 127.0.0.1.

Every test runs with fake credentials and with every AWS endpoint pointed at those local servers
(`AWS_ENDPOINT_URL*`), so boto3 clients made anywhere (the CLI, the Lambda handler) stay local.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from llm_hosting.warmup.function.warmup import runtime_client
from tests.catalog.helpers import base
from tests.standins.offline_aws import moto_api, offline_aws
from tests.standins.sagemaker_runtime import SageMakerRuntimeStandIn

REGION = "us-east-1"
BUCKET = "mme-test-artifacts"
ENDPOINT = "embeddings"
PROJECT = "mme-test"


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch, moto_url: str, standin: SageMakerRuntimeStandIn, tmp_path: Path) -> None:
    """Fake credentials, no profile or config file, every endpoint local, and an empty moto."""
    offline_aws(
        monkeypatch,
        tmp_path,
        region=REGION,
        AWS_ENDPOINT_URL=moto_url,
        AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=standin.url,
    )
    moto_api(moto_url, "reset")


@pytest.fixture
def s3() -> Any:
    return boto3.client("s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture
def runtime() -> Any:
    """A runtime client as the warm-up makes it (no SDK retries), with a timeout tests can outwait."""
    return runtime_client(request_timeout_s=5, concurrency=16)


def put_models(s3: Any, bucket: str, prefix: str, names: list[str]) -> None:
    for name in names:
        s3.put_object(Bucket=bucket, Key=f"{prefix}{name}", Body=f"archive {name}".encode())


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A catalog with the single-model test endpoint `flan` and the multi-model endpoint `embeddings`."""
    data = base()
    data["project"] = PROJECT
    data["endpoints"].append(
        {
            "name": ENDPOINT,
            "type": "multi-model",
            "instance_type": "ml.g4dn.xlarge",
            "warmup": {"concurrency": 2, "request_timeout_s": 2, "time_budget_s": 60},
        }
    )
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
