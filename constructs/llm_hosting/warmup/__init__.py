"""Multi-model endpoint warm-up: the Lambda function's code and the settings a construct gives it.

`function/` is the function's whole asset (stdlib and boto3 only, handler `handler.handler`); the
command line runs the same `warm_up` from `function/warmup.py`. Nothing here imports CDK code, nor
boto3 (the constructs need neither the function's code nor its SDK to deploy it).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from llm_hosting.endpoints.settings import WarmupSettings

FUNCTION_DIR = str(Path(__file__).resolve().parent / "function")
"""The Lambda asset directory: `lambda_.Code.from_asset(FUNCTION_DIR, exclude=list(ASSET_EXCLUDE))`."""

ASSET_EXCLUDE = (".*", "__pycache__", "*.pyc")
"""Left out of the asset: bytecode from test runs and tool caches (.mypy_cache, ...) would change the
asset's hash from one machine to the next."""

HANDLER = "handler.handler"

LAMBDA_MAX_TIMEOUT_S = 900
# Listing the archives, a cold start and the summary at the end (the handler keeps 3 s of it).
_TIMEOUT_SLACK_S = 30


def function_environment(*, endpoint_name: str, bucket: str, prefix: str, settings: WarmupSettings) -> dict[str, str]:
    """The function's environment variables for one endpoint (`bucket` may be a CDK token)."""
    return {
        "ENDPOINT_NAME": endpoint_name,
        "BUCKET": bucket,
        "PREFIX": prefix,
        "PAYLOAD": json.dumps(settings.payload),
        "CONTENT_TYPE": settings.content_type,
        "CONCURRENCY": str(settings.concurrency),
        "TIME_BUDGET_S": str(settings.time_budget_s),
        "REQUEST_TIMEOUT_S": str(settings.request_timeout_s),
    }


def function_timeout_s(settings: WarmupSettings) -> int:
    """A function timeout that fits the whole budget plus one last request, within Lambda's 900 s.

    When the sum passes 900 s the handler shortens the budget to what the invocation has left.
    """
    needed = settings.time_budget_s + settings.request_timeout_s + _TIMEOUT_SLACK_S
    return min(LAMBDA_MAX_TIMEOUT_S, math.ceil(needed))


__all__ = [
    "ASSET_EXCLUDE",
    "FUNCTION_DIR",
    "HANDLER",
    "LAMBDA_MAX_TIMEOUT_S",
    "WarmupSettings",
    "function_environment",
    "function_timeout_s",
]
