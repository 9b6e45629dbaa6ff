"""Onboarding fixtures: the Hub stand-in (the real huggingface_hub client talks to it through
HF_ENDPOINT), moto for S3, CloudFormation and STS, and no AWS or Hugging Face configuration of the
machine in the way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.onboarding.tiny_model import custom_code_repo, llama_repo
from tests.standins.hf_hub import HubRepo, HubStandIn
from tests.standins.offline_aws import moto_api, offline_aws

REGION = "us-east-1"
BUCKET = "weights-test"
GOOD_TOKEN = "hf_good_token"  # noqa: S105 - a test token
OTHER_TOKEN = "hf_token_without_access"  # noqa: S105 - a test token


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubStandIn]:
    """The Hub stand-in with the tiny models, and huggingface_hub pointed at it with no token."""
    with HubStandIn(tokens={GOOD_TOKEN, OTHER_TOKEN}, page_size=4) as stand_in:
        llama = stand_in.add(llama_repo())
        llama.tags["v1.0"] = llama.commit
        stand_in.add(llama_repo("acme/tiny-llama-large", large=True))
        stand_in.add(llama_repo("acme/tiny-gated", gated="manual", readers={GOOD_TOKEN}))
        stand_in.add(llama_repo("acme/tiny-private", private=True, readers={GOOD_TOKEN}))
        stand_in.add(custom_code_repo())
        no_weights = llama_repo("acme/no-weights")
        for path in [p for p in no_weights.files if p.endswith((".safetensors", ".bin", ".index.json"))]:
            del no_weights.files[path]
        stand_in.add(HubRepo(no_weights.repo_id, files=no_weights.files))
        for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "HF_HUB_CACHE", "HF_OIDC_RESOURCE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HF_ENDPOINT", stand_in.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # no stored token from this machine
        monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        yield stand_in


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "hf-cache"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, moto_url: str, tmp_path: Path) -> None:
    """Fake credentials, every AWS endpoint on moto, and an empty moto."""
    offline_aws(monkeypatch, tmp_path, region=REGION, AWS_ENDPOINT_URL=moto_url)
    moto_api(moto_url, "reset")


@pytest.fixture
def s3(aws: None) -> Any:
    return boto3.client("s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    """A versioned bucket, as the artifact bucket is: every write shows up as a version."""
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return BUCKET
