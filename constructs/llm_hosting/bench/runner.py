"""Run a benchmark: N workers invoking one endpoint (or model, or component) until K requests or a deadline.

Closed-loop load: each worker sends its next request when its previous one has finished, so at most
`concurrency` requests are in flight. Latency is measured on the client, from just before the call
until the whole answer (or the end of the stream) has been read. The client is expected to have the
SDK's retries turned off (`bench_client` does): a throttled or failed request is counted as it
happened, never hidden behind a retry that would also inflate the latency.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from llm_hosting.bench.errors import classify, is_fatal
from llm_hosting.bench.records import RequestRecord
from llm_hosting.bench.summary import Summary, summarize
from llm_hosting.bench.tokens import count_response_tokens, count_stream_tokens

Client = Any
"""A boto3 `sagemaker-runtime` client (boto3 ships no type information)."""

Stopped = Literal["requests", "duration", "interrupted"]

DEFAULT_TIMEOUT_S = 65.0
"""SageMaker gives a real-time invocation 60 s; a little more lets its own timeout answer arrive first."""
CONNECT_TIMEOUT_S = 10.0
# botocore's constraint on EndpointName, checked before the first request rather than K times.
_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
_ENDPOINT_NAME_MAX = 63
_POLL_S = 0.05


class SettingsError(ValueError):
    """The benchmark's settings are unusable; the message names every problem and its fix."""


def is_json_content_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.endswith(("/json", "+json"))


@dataclass(frozen=True)
class BenchmarkSettings:
    """What to invoke, with what, and how hard. Checked when built (`SettingsError`)."""

    endpoint_name: str
    payload: bytes
    content_type: str = "application/json"
    concurrency: int = 1
    requests: int | None = 100
    """Measured requests; None for as many as `duration_s` allows."""
    duration_s: float | None = None
    """No new request starts after this many seconds (those in flight finish). Default: no limit."""
    warmup_requests: int = 0
    """Sent first and not counted (cold caches, lazy model loading, connection set-up)."""
    target_model: str | None = None
    """TargetModel: the model archive on a multi-model endpoint."""
    inference_component: str | None = None
    """InferenceComponentName: the component on an endpoint with inference components."""
    stream: bool = False
    """InvokeEndpointWithResponseStream, measuring the time to the first payload part too."""

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise SettingsError("; ".join(problems))

    def problems(self) -> list[str]:
        problems: list[str] = []
        name = self.endpoint_name
        if not _ENDPOINT_NAME.match(name) or len(name) > _ENDPOINT_NAME_MAX:
            problems.append(
                f"endpoint name {name!r} is not a SageMaker endpoint name "
                f"(up to {_ENDPOINT_NAME_MAX} letters, digits and inner hyphens)"
            )
        if self.target_model is not None and self.inference_component is not None:
            problems.append(
                "a target model (multi-model endpoint) and an inference component cannot both be given; pass one"
            )
        if self.stream and self.target_model is not None:
            problems.append(
                "multi-model endpoints do not stream (InvokeEndpointWithResponseStream has no TargetModel); "
                "drop the stream option or the target model"
            )
        if self.concurrency < 1:
            problems.append(f"concurrency must be 1 or more, got {self.concurrency}")
        if self.requests is None and self.duration_s is None:
            problems.append("give a number of requests, a duration, or both")
        if self.requests is not None and self.requests < 1:
            problems.append(f"requests must be 1 or more, got {self.requests}")
        if self.duration_s is not None and not self.duration_s > 0:
            problems.append(f"duration must be more than 0 s, got {self.duration_s}")
        if self.warmup_requests < 0:
            problems.append(f"warm-up requests must be 0 or more, got {self.warmup_requests}")
        if not self.payload:
            problems.append("the payload is empty")
        elif is_json_content_type(self.content_type):
            try:
                json.loads(self.payload)
            except ValueError as err:
                problems.append(f"the payload is not valid JSON ({err}) but the content type is {self.content_type}")
        return problems

    @property
    def operation(self) -> str:
        return "InvokeEndpointWithResponseStream" if self.stream else "InvokeEndpoint"

    def invoke_arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "EndpointName": self.endpoint_name,
            "Body": self.payload,
            "ContentType": self.content_type,
        }
        if self.target_model is not None:
            arguments["TargetModel"] = self.target_model
        if self.inference_component is not None:
            arguments["InferenceComponentName"] = self.inference_component
        return arguments


@dataclass(frozen=True)
class BenchmarkResult:
    settings: BenchmarkSettings
    records: tuple[RequestRecord, ...]
    """Measured requests, by index (the order they were sent)."""
    warmup_records: tuple[RequestRecord, ...]
    started_at: datetime
    """Wall-clock time (UTC) the measured phase began."""
    duration_s: float
    """From the first measured request sent to the last one finished."""
    stopped: Stopped
    timeout_s: float | None
    """The client's read timeout, when it could be read."""
    summary: Summary = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", summarize(self.records, self.duration_s))


def bench_client(
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    concurrency: int = 1,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    session: Any | None = None,
) -> Client:
    """A `sagemaker-runtime` client for benchmarking: no SDK retries, a connection per worker.

    Like the warm-up's `runtime_client` (which cannot take an endpoint URL): with retries on, a
    throttled request would be retried behind our back and counted once, with the retries' waits
    in its latency.
    """
    config = Config(
        connect_timeout=min(timeout_s, CONNECT_TIMEOUT_S),
        read_timeout=timeout_s,
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=max(concurrency, 1),
    )
    return (session or boto3.session.Session()).client(
        "sagemaker-runtime", region_name=region_name, endpoint_url=endpoint_url, config=config
    )


class _Phase:
    """One pass of requests (warm-up or measured) on `concurrency` worker threads."""

    def __init__(
        self,
        client: Client,
        settings: BenchmarkSettings,
        *,
        requests: int | None,
        duration_s: float | None,
        concurrency: int,
        answered: threading.Event,
    ) -> None:
        self.client = client
        self.settings = settings
        self.arguments = settings.invoke_arguments()
        self.requests = requests
        self.duration_s = duration_s
        self.concurrency = concurrency
        self.answered = answered
        self.stop = threading.Event()
        self.deadline_passed = False
        self.fatal: BaseException | None = None
        self._lock = threading.Lock()
        self._next = 0
        self._done: queue.Queue[RequestRecord] = queue.Queue()
        self.started = 0.0

    def run(self, on_record: Callable[[RequestRecord], None] | None) -> tuple[list[RequestRecord], float, bool]:
        """Records (by index), duration, and whether it was interrupted."""
        self.started = time.perf_counter()
        threads = [threading.Thread(target=self._work, name=f"bench-{n}", daemon=True) for n in range(self.concurrency)]
        for thread in threads:
            thread.start()
        records: list[RequestRecord] = []
        interrupted = False
        try:
            self._collect(threads, records, on_record)
        except KeyboardInterrupt:
            # Start nothing new; what is in flight ends within the client's timeout and is kept.
            interrupted = True
            self.stop.set()
            for thread in threads:
                thread.join()
            self._drain(records, None)
        except BaseException:
            self.stop.set()  # a failing callback: let the workers end, then report it
            raise
        if self.fatal is not None:
            raise self.fatal
        duration = max((r.end_s for r in records), default=time.perf_counter() - self.started)
        return sorted(records, key=lambda r: r.index), duration, interrupted

    def _collect(
        self,
        threads: list[threading.Thread],
        records: list[RequestRecord],
        on_record: Callable[[RequestRecord], None] | None,
    ) -> None:
        while any(t.is_alive() for t in threads):
            try:
                record = self._done.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            records.append(record)
            if on_record is not None:
                on_record(record)
        self._drain(records, on_record)

    def _drain(self, records: list[RequestRecord], on_record: Callable[[RequestRecord], None] | None) -> None:
        while True:
            try:
                record = self._done.get_nowait()
            except queue.Empty:
                return
            records.append(record)
            if on_record is not None:
                on_record(record)

    def _claim(self) -> int | None:
        with self._lock:
            if self.stop.is_set() or (self.requests is not None and self._next >= self.requests):
                return None
            if self.duration_s is not None and time.perf_counter() - self.started >= self.duration_s:
                self.deadline_passed = True
                return None
            index = self._next
            self._next += 1
            return index

    def _work(self) -> None:
        try:
            while (index := self._claim()) is not None:
                self._done.put(self._invoke(index))
        except BaseException as err:  # a fatal error: stop every worker, the caller raises it
            with self._lock:
                if self.fatal is None:
                    self.fatal = err
            self.stop.set()

    def _invoke(self, index: int) -> RequestRecord:
        sent = time.perf_counter()
        start_s = sent - self.started
        ttft_s: float | None = None
        try:
            if self.settings.stream:
                response = self.client.invoke_endpoint_with_response_stream(**self.arguments)
                self.answered.set()
                parts: list[bytes] = []
                stream = response["Body"]
                try:
                    for event in stream:
                        data = event.get("PayloadPart", {}).get("Bytes", b"")
                        if data and ttft_s is None:
                            ttft_s = time.perf_counter() - sent
                        parts.append(data)
                finally:
                    stream.close()
                finished = time.perf_counter()
                tokens = count_stream_tokens(b"".join(parts))
            else:
                response = self.client.invoke_endpoint(**self.arguments)
                self.answered.set()
                body = response["Body"].read()
                finished = time.perf_counter()
                tokens = count_response_tokens(body)
        except Exception as err:
            finished = time.perf_counter()
            if isinstance(err, ClientError):
                self.answered.set()
            if is_fatal(err, answered=self.answered.is_set()):
                raise
            failure = classify(err)
            return RequestRecord(
                index=index,
                start_s=start_s,
                latency_s=finished - sent,
                ok=False,
                http_status=failure.http_status,
                error_kind=failure.kind,
                error_code=failure.code,
                error_message=failure.message,
                ttft_s=ttft_s,
            )
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return RequestRecord(
            index=index,
            start_s=start_s,
            latency_s=finished - sent,
            ok=True,
            http_status=int(status) if isinstance(status, int) else None,
            tokens=tokens.tokens,
            token_source=tokens.source,
            token_field=tokens.field,
            ttft_s=ttft_s,
        )


def run_benchmark(
    client: Client,
    settings: BenchmarkSettings,
    *,
    on_record: Callable[[RequestRecord], None] | None = None,
    on_warmup_record: Callable[[RequestRecord], None] | None = None,
) -> BenchmarkResult:
    """Send the warm-up requests, then the measured ones, and summarize what happened.

    Request failures (model errors, throttling, timeouts, ...) are recorded and counted. Errors that
    would fail every request alike are raised as botocore raised them: missing or rejected
    credentials, no region, invalid parameters, and a connection failure before anything answered.
    Ctrl-C stops starting requests; the result then has `stopped == "interrupted"`.

    `on_record` / `on_warmup_record` are called on the caller's thread as each request finishes
    (progress bars).
    """
    answered = threading.Event()
    warmup: list[RequestRecord] = []
    if settings.warmup_requests:
        phase = _Phase(
            client,
            settings,
            requests=settings.warmup_requests,
            duration_s=None,
            concurrency=min(settings.concurrency, settings.warmup_requests),
            answered=answered,
        )
        warmup, _, interrupted = phase.run(on_warmup_record)
        if interrupted:
            return BenchmarkResult(settings, (), tuple(warmup), _now(), 0.0, "interrupted", _read_timeout(client))
    phase = _Phase(
        client,
        settings,
        requests=settings.requests,
        duration_s=settings.duration_s,
        concurrency=settings.concurrency,
        answered=answered,
    )
    started_at = _now()
    records, duration_s, interrupted = phase.run(on_record)
    stopped: Stopped = "interrupted" if interrupted else "duration" if phase.deadline_passed else "requests"
    return BenchmarkResult(
        settings, tuple(records), tuple(warmup), started_at, duration_s, stopped, _read_timeout(client)
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _read_timeout(client: Client) -> float | None:
    try:
        value = client.meta.config.read_timeout
    except AttributeError:
        return None
    return float(value) if isinstance(value, int | float) else None
