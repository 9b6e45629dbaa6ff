"""Warm up a multi-model endpoint: invoke every model archive under its S3 prefix once, so none is cold.
The same invocations address inference components (an endpoint's LoRA adapters) by name instead.

Runs in AWS Lambda (stdlib and boto3 only) and from the command line. Invocations run on a bounded
thread pool, each with its own timeout and no hidden SDK retries; once the time budget is spent no
new invocation starts and the remaining models are counted as skipped. One model failing never
stops the others. The summary can be logged as a CloudWatch Embedded Metric Format line, which
publishes metrics from the function's logs without cloudwatch:PutMetricData.
"""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

Client = Any
"""A boto3 client (boto3 ships no type information)."""

Outcome = Literal["warmed", "failed", "skipped"]
Address = Literal["TargetModel", "InferenceComponentName"]
"""The InvokeEndpoint member that names each target: a model archive, or an inference component."""

METRIC_NAMESPACE = "LLMHosting/Warmup"
METRIC_DIMENSION = "EndpointName"
METRICS = ("ModelsWarmed", "ModelsFailed", "ModelsSkipped", "DurationSeconds")

ARCHIVE_SUFFIX = ".tar.gz"
CONNECT_TIMEOUT_S = 10.0
# Both say "wait and try again": a multi-model endpoint answers ModelNotReadyException while it is
# still downloading or loading the target model, which is what a warm-up sets off.
RETRYABLE_CODES = frozenset({"ModelNotReadyException", "ThrottlingException"})
_REASON_MAX_CHARS = 300

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelResult:
    """What happened to one model."""

    target: str
    """The TargetModel (the archive's key relative to the endpoint's prefix) or the inference component."""
    outcome: Outcome
    reason: str | None = None
    attempts: int = 0
    duration_s: float = 0.0


@dataclass(frozen=True)
class WarmupSummary:
    """The result of one warm-up of one endpoint."""

    endpoint_name: str
    warmed: tuple[str, ...]
    failed: Mapping[str, str]
    """Reason by model."""
    skipped: tuple[str, ...]
    """Models not invoked because the time budget was spent."""
    total: int
    duration_s: float
    results: tuple[ModelResult, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        """Every model was warmed (none failed, none skipped)."""
        return len(self.warmed) == self.total

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what the Lambda function returns."""
        return {
            "endpoint_name": self.endpoint_name,
            "total": self.total,
            "warmed": list(self.warmed),
            "failed": dict(self.failed),
            "skipped": list(self.skipped),
            "duration_s": round(self.duration_s, 3),
        }


# --- clients and inputs ---------------------------------------------------------------------------


def runtime_client(
    *,
    request_timeout_s: float,
    concurrency: int,
    region_name: str | None = None,
    session: Any | None = None,
) -> Client:
    """A `sagemaker-runtime` client whose every call is bounded by `request_timeout_s`.

    The SDK's own retries are off: a read timeout retried behind our back would multiply the
    per-request timeout and overrun the time budget. `warm_up` retries only what is worth
    retrying, and only while the budget lasts.
    """
    config = Config(
        connect_timeout=min(request_timeout_s, CONNECT_TIMEOUT_S),
        read_timeout=request_timeout_s,
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=max(concurrency, 1),
    )
    return (session or boto3).client("sagemaker-runtime", region_name=region_name, config=config)


def normalise_prefix(prefix: str) -> str:
    """`embeddings` and `embeddings/` both mean the folder `embeddings/` (not `embeddings-v2/`)."""
    prefix = prefix.lstrip("/")
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def list_models(s3: Client, bucket: str, prefix: str, *, page_size: int | None = None) -> list[str]:
    """Every `*.tar.gz` under `s3://bucket/prefix`, as TargetModel names (keys relative to the prefix)."""
    prefix = normalise_prefix(prefix)
    pagination = {"PageSize": page_size} if page_size else {}
    targets: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, PaginationConfig=pagination):
        for item in page.get("Contents", []):
            key: str = item["Key"]
            if key.endswith(ARCHIVE_SUFFIX):
                targets.append(key[len(prefix) :])
    return sorted(targets)


def encode_payload(payload: Any, content_type: str) -> bytes:
    """The request body: bytes as they are, text as-is unless the content type is JSON, else JSON."""
    if isinstance(payload, bytes):
        return payload
    media_type = content_type.split(";", 1)[0].strip().lower()
    is_json = media_type.endswith(("/json", "+json"))
    if isinstance(payload, str) and not is_json:
        return payload.encode()
    return json.dumps(payload, separators=(",", ":")).encode()


# --- warm-up --------------------------------------------------------------------------------------


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REASON_MAX_CHARS else text[: _REASON_MAX_CHARS - 3] + "..."


def describe_failure(err: BaseException, request_timeout_s: float | None = None) -> str:
    """One readable line for why an invocation failed."""
    if isinstance(err, ClientError):
        response = err.response
        error = response.get("Error", {})
        code = error.get("Code") or "Error"
        message = error.get("Message") or ""
        if code == "ModelError":
            original = response.get("OriginalStatusCode")
            detail = response.get("OriginalMessage") or message
            status = f" with status {original}" if original is not None else ""
            return _short(f"ModelError: the model answered{status}: {detail}")
        return _short(f"{code}: {message}" if message else code)
    if isinstance(err, ReadTimeoutError):
        limit = f" within {request_timeout_s:g} s" if request_timeout_s is not None else ""
        return f"timed out: no answer{limit}"
    if isinstance(err, ConnectTimeoutError | EndpointConnectionError):
        return _short(f"could not connect: {err}")
    if isinstance(err, BotoCoreError):
        return _short(str(err))
    return _short(f"{type(err).__name__}: {err}")


def _error_code(err: BaseException) -> str | None:
    if isinstance(err, ClientError):
        code = err.response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def warm_up(
    runtime: Client,
    endpoint_name: str,
    targets: Sequence[str],
    *,
    payload: bytes,
    content_type: str = "application/json",
    concurrency: int = 4,
    time_budget_s: float = 600.0,
    max_attempts: int = 3,
    retry_delay_s: float = 2.0,
    on_result: Callable[[ModelResult], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    address: Address = "TargetModel",
) -> WarmupSummary:
    """Invoke each of `targets` once on `endpoint_name`, at most `concurrency` at a time; `address` says
    whether a target is a model archive (TargetModel) or an inference component (InferenceComponentName).

    No invocation starts after `time_budget_s`; those models are skipped. An invocation that has
    started runs to the end of the client's request timeout, so a caller with a hard deadline
    (Lambda) keeps budget + request timeout inside it. Models answering ModelNotReadyException or
    ThrottlingException are tried again, up to `max_attempts` in all, with a growing pause
    (`retry_delay_s`, doubled each time) that must also fit in the budget.

    `on_result` is called once per model (warmed, failed or skipped) as it finishes, on the caller's
    thread, so it may drive a progress bar.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be 1 or more, got {concurrency}")
    started = clock()
    deadline = started + max(time_budget_s, 0.0)
    timeout = _read_timeout(runtime)

    def invoke(target: str) -> ModelResult:
        begun = clock()
        if begun >= deadline:
            return ModelResult(target, "skipped", "the time budget was spent before it started")
        attempts = 0
        while True:
            attempts += 1
            try:
                response = runtime.invoke_endpoint(
                    EndpointName=endpoint_name, ContentType=content_type, Body=payload, **{address: target}
                )
                # Read the answer to the end: the model has then really run, and the pooled
                # connection is free for the next model.
                response["Body"].read()
                return ModelResult(target, "warmed", None, attempts, clock() - begun)
            except Exception as err:  # one model failing must never stop the others
                reason = describe_failure(err, timeout)
                pause = retry_delay_s * 2 ** (attempts - 1) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter
                retry = _error_code(err) in RETRYABLE_CODES and attempts < max_attempts and clock() + pause < deadline
                if not retry:
                    if attempts > 1:
                        reason = f"{reason} (after {attempts} attempts)"
                    return ModelResult(target, "failed", reason, attempts, clock() - begun)
                time.sleep(pause)

    outcomes: dict[str, ModelResult] = {}
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="warmup")
    try:
        futures: dict[Future[ModelResult], str] = {pool.submit(invoke, target): target for target in targets}
        for future in as_completed(futures):
            result = future.result()
            outcomes[futures[future]] = result
            if on_result is not None:
                on_result(result)
    except BaseException:
        # Interrupted (Ctrl-C, or a failing callback): start nothing new; what runs ends with its timeout.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)

    results = tuple(outcomes[t] for t in targets)
    return WarmupSummary(
        endpoint_name=endpoint_name,
        warmed=tuple(r.target for r in results if r.outcome == "warmed"),
        failed={r.target: r.reason or "failed" for r in results if r.outcome == "failed"},
        skipped=tuple(r.target for r in results if r.outcome == "skipped"),
        total=len(results),
        duration_s=clock() - started,
        results=results,
    )


def _read_timeout(runtime: Client) -> float | None:
    try:
        value = runtime.meta.config.read_timeout
    except AttributeError:
        return None
    return float(value) if isinstance(value, int | float) else None


# --- reporting ------------------------------------------------------------------------------------


def emf_record(
    summary: WarmupSummary, *, namespace: str = METRIC_NAMESPACE, timestamp_ms: int | None = None
) -> dict[str, Any]:
    """The summary as a CloudWatch Embedded Metric Format document (one metric set, by EndpointName)."""
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000) if timestamp_ms is None else timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [[METRIC_DIMENSION]],
                    "Metrics": [
                        {"Name": "ModelsWarmed", "Unit": "Count"},
                        {"Name": "ModelsFailed", "Unit": "Count"},
                        {"Name": "ModelsSkipped", "Unit": "Count"},
                        {"Name": "DurationSeconds", "Unit": "Seconds"},
                    ],
                }
            ],
        },
        METRIC_DIMENSION: summary.endpoint_name,
        "ModelsWarmed": len(summary.warmed),
        "ModelsFailed": len(summary.failed),
        "ModelsSkipped": len(summary.skipped),
        "DurationSeconds": round(summary.duration_s, 3),
        # Not metrics: searchable in Logs Insights beside them.
        "ModelsTotal": summary.total,
    }


def log_summary(summary: WarmupSummary, *, stream: TextIO | None = None, namespace: str = METRIC_NAMESPACE) -> None:
    """Write the EMF line to `stream` (stdout), and one readable log line per failure and for skips.

    The EMF document is printed, not logged: CloudWatch extracts metrics only from a log event that
    is exactly one JSON object, and the Lambda runtime's log handler prefixes level and request id.
    """
    for target, reason in summary.failed.items():
        log.warning("warm-up of %s on endpoint %s failed: %s", target, summary.endpoint_name, reason)
    if summary.skipped:
        shown = ", ".join(summary.skipped[:10]) + (", ..." if len(summary.skipped) > 10 else "")
        log.warning(
            "%d model(s) on endpoint %s skipped, the time budget was spent: %s",
            len(summary.skipped),
            summary.endpoint_name,
            shown,
        )
    print(
        json.dumps(emf_record(summary, namespace=namespace), separators=(",", ":")),
        file=stream or sys.stdout,
        flush=True,
    )
