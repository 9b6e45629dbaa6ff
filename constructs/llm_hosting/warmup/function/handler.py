"""Lambda entry point of the multi-model endpoint warm-up: configuration from the environment.

Environment (set by the construct that deploys this function):
  ENDPOINT_NAME      endpoint to warm (required)
  BUCKET             artifact bucket (required)
  PREFIX             the endpoint's prefix in the bucket, e.g. `embeddings/` (required)
  PAYLOAD            request body as JSON text (default {"inputs": "warm-up"})
  CONTENT_TYPE       default application/json
  CONCURRENCY        invocations at the same time (default 4)
  TIME_BUDGET_S      no invocation starts after this many seconds (default 600)
  REQUEST_TIMEOUT_S  per-invocation timeout (default 60)

The budget is also capped by the invocation's remaining time, less one request timeout and a
reserve, so a request started at the last moment still ends before Lambda stops the function.
Failures are reported in the result and the logs, not raised: a raised error would make Lambda
retry the whole warm-up of an asynchronous (scheduled) invocation.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]
from warmup import encode_payload, list_models, log_summary, runtime_client, warm_up

ENDPOINT_NAME = "ENDPOINT_NAME"
BUCKET = "BUCKET"
PREFIX = "PREFIX"
PAYLOAD = "PAYLOAD"
CONTENT_TYPE = "CONTENT_TYPE"
CONCURRENCY = "CONCURRENCY"
TIME_BUDGET_S = "TIME_BUDGET_S"
REQUEST_TIMEOUT_S = "REQUEST_TIMEOUT_S"

# The same defaults as the catalog's `warmup` section (llm_hosting.catalog.schema.Warmup).
DEFAULT_PAYLOAD = '{"inputs": "warm-up"}'
DEFAULT_CONTENT_TYPE = "application/json"
DEFAULT_CONCURRENCY = 4
DEFAULT_TIME_BUDGET_S = 600.0
DEFAULT_REQUEST_TIMEOUT_S = 60.0

RESERVE_S = 3.0
"""Kept free at the end of the invocation for logging the summary and returning it."""

log = logging.getLogger(__name__)


class ConfigurationError(ValueError):
    """An environment variable is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    endpoint_name: str
    bucket: str
    prefix: str
    payload: bytes
    content_type: str
    concurrency: int
    time_budget_s: float
    request_timeout_s: float

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        content_type = env.get(CONTENT_TYPE) or DEFAULT_CONTENT_TYPE
        raw_payload = env.get(PAYLOAD) or DEFAULT_PAYLOAD
        try:
            payload = json.loads(raw_payload)
        except ValueError as err:
            raise ConfigurationError(f"{PAYLOAD} must be JSON text ({err}), got {raw_payload[:80]!r}") from None
        return cls(
            endpoint_name=_required(env, ENDPOINT_NAME),
            bucket=_required(env, BUCKET),
            prefix=_required(env, PREFIX),
            payload=encode_payload(payload, content_type),
            content_type=content_type,
            concurrency=int(_number(env, CONCURRENCY, DEFAULT_CONCURRENCY, whole=True)),
            time_budget_s=_number(env, TIME_BUDGET_S, DEFAULT_TIME_BUDGET_S),
            request_timeout_s=_number(env, REQUEST_TIMEOUT_S, DEFAULT_REQUEST_TIMEOUT_S),
        )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"{name} is not set; the warm-up function needs it")
    return value


def _number(env: Mapping[str, str], name: str, default: float, *, whole: bool = False) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        kind = "a whole number" if whole else "a number of seconds"
        raise ConfigurationError(f"{name} must be {kind} greater than 0, got {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be greater than 0, got {raw!r}")
    return value


def effective_budget_s(time_budget_s: float, request_timeout_s: float, remaining_s: float | None) -> float:
    """The configured budget, capped so the last request (started at the budget's end) still fits."""
    if remaining_s is None:
        return time_budget_s
    return max(0.0, min(time_budget_s, remaining_s - request_timeout_s - RESERVE_S))


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Warm every model of the configured endpoint; returns the summary as a dict."""
    started = time.monotonic()
    settings = Settings.from_env(os.environ)
    remaining_s = context.get_remaining_time_in_millis() / 1000 if context is not None else None
    budget_s = effective_budget_s(settings.time_budget_s, settings.request_timeout_s, remaining_s)
    if budget_s < settings.time_budget_s:
        log.warning(
            "time budget cut from %g s to %.1f s: %.1f s remain and each request may take %g s; "
            "raise the function timeout to use the whole budget",
            settings.time_budget_s,
            budget_s,
            remaining_s,
            settings.request_timeout_s,
        )

    s3 = boto3.client("s3")
    runtime = runtime_client(request_timeout_s=settings.request_timeout_s, concurrency=settings.concurrency)
    targets = list_models(s3, settings.bucket, settings.prefix)
    summary = warm_up(
        runtime,
        settings.endpoint_name,
        targets,
        payload=settings.payload,
        content_type=settings.content_type,
        concurrency=settings.concurrency,
        # Listing the archives came out of the same budget.
        time_budget_s=budget_s - (time.monotonic() - started),
    )
    log_summary(summary)
    return summary.to_dict()
