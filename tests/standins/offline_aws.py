"""Point every AWS client a test makes at local servers, with fake credentials and no AWS config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def offline_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, region: str, **endpoint_urls: str) -> None:
    """Drop every `AWS_*` variable, hide the config and credentials files, switch off instance
    metadata, set fake keys and `region`, then `AWS_ENDPOINT_URL*` from `endpoint_urls`
    (`AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=...`), so no request can leave the machine."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    missing = str(tmp_path / "no-aws-config")
    monkeypatch.setenv("AWS_CONFIG_FILE", missing)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    for name, url in endpoint_urls.items():
        monkeypatch.setenv(name, url)
