"""`run_benchmark` end to end: a real boto3 client against the SageMaker runtime stand-in on 127.0.0.1."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError

from llm_hosting.bench import BenchmarkSettings, RequestRecord, bench_client, run_benchmark
from tests.bench.conftest import ENDPOINT, PAYLOAD, closed_port_url
from tests.standins.sagemaker_runtime import Behaviour, Request, SageMakerRuntimeStandIn

FAST = 0.04
SLOW = 0.16
# Client-side latency adds the HTTP round trip, signing and parsing to the scripted delay; on a busy
# two-core CI machine that stays well below this.
OVERHEAD_S = 0.25


def settings(**changes: Any) -> BenchmarkSettings:
    values: dict[str, Any] = {"endpoint_name": ENDPOINT, "payload": PAYLOAD, "concurrency": 4, "requests": 20}
    values.update(changes)
    return BenchmarkSettings(**values)


def counting(script: Callable[[int], Behaviour]) -> Callable[[Request], Behaviour]:
    """A stand-in script that is given the number of the call (0, 1, 2, ... in the order received)."""
    counter = itertools.count()
    lock = threading.Lock()

    def answer(request: Request) -> Behaviour:
        with lock:
            n = next(counter)
        return script(n)

    return answer


def test_measured_latency_percentiles_bracket_the_injected_delays(
    client: Any, standin: SageMakerRuntimeStandIn
) -> None:
    # Half the calls take FAST, half SLOW: p50 lies between them, p90 and up at SLOW or above.
    standin.on_endpoint(ENDPOINT, counting(lambda n: Behaviour.ok(delay_s=FAST if n % 2 else SLOW)))

    result = run_benchmark(client, settings(requests=24))

    latency = result.summary.latency
    assert latency is not None
    assert latency.count == 24
    assert FAST <= latency.min < FAST + OVERHEAD_S
    assert FAST <= latency.p50 <= SLOW + OVERHEAD_S
    assert SLOW <= latency.p90 <= latency.p99 <= latency.max < SLOW + OVERHEAD_S
    assert (FAST + SLOW) / 2 <= latency.mean < (FAST + SLOW) / 2 + OVERHEAD_S
    assert result.summary.requests_per_minute > 0


def test_a_fraction_of_model_errors_is_counted_by_kind(client: Any, standin: SageMakerRuntimeStandIn) -> None:
    def every_fourth_fails(n: int) -> Behaviour:
        return Behaviour.model_error(500, "CUDA out of memory") if n % 4 == 3 else Behaviour.ok()

    standin.on_endpoint(ENDPOINT, counting(every_fourth_fails))

    result = run_benchmark(client, settings(requests=24))

    summary = result.summary
    assert (summary.finished, summary.succeeded, summary.failed) == (24, 18, 6)
    assert summary.errors_by_kind == {"model": 6, "throttling": 0, "validation": 0, "timeout": 0, "other": 0}
    assert summary.error_rate == 0.25
    assert "CUDA out of memory" in summary.error_examples["ModelError"]
    assert {r.http_status for r in result.records if not r.ok} == {424}


def test_throttled_requests_are_counted_once_and_never_retried(client: Any, standin: SageMakerRuntimeStandIn) -> None:
    # A burst: the first five calls are throttled, the rest succeed.
    standin.on_endpoint(ENDPOINT, [Behaviour.throttled()] * 5 + [Behaviour.ok()])

    result = run_benchmark(client, settings(concurrency=1, requests=12))

    assert result.summary.errors_by_kind["throttling"] == 5
    assert result.summary.errors_by_code == {"ThrottlingException": 5}
    assert standin.received == 12  # one call per request: the SDK retried nothing
    assert [r.ok for r in result.records] == [False] * 5 + [True] * 7


def test_validation_errors_and_timeouts_are_their_own_kinds(standin: SageMakerRuntimeStandIn) -> None:
    standin.models = {"known.tar.gz"}
    standin.on_model("slow.tar.gz", Behaviour.ok(delay_s=2))
    client = bench_client(timeout_s=0.3, concurrency=2, endpoint_url=standin.url)

    unknown = run_benchmark(client, settings(target_model="unknown.tar.gz", requests=3))
    standin.models = None
    slow = run_benchmark(client, settings(target_model="slow.tar.gz", concurrency=2, requests=2))

    assert unknown.summary.errors_by_kind["validation"] == 3
    assert "Failed to download model data" in unknown.summary.error_examples["ValidationError"]
    assert slow.summary.errors_by_kind["timeout"] == 2
    assert all(0.3 <= r.latency_s < 0.3 + OVERHEAD_S for r in slow.records)


def test_the_target_model_reaches_a_multi_model_endpoint(client: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.on_model("customer-7.tar.gz", Behaviour.ok({"generated_text": "ok"}))

    result = run_benchmark(client, settings(target_model="customer-7.tar.gz", requests=5))

    assert result.summary.succeeded == 5
    assert {(c.request.endpoint, c.request.target_model, c.request.inference_component) for c in standin.calls} == {
        (ENDPOINT, "customer-7.tar.gz", None)
    }
    assert {c.request.body for c in standin.calls} == {PAYLOAD}
    assert {c.request.content_type for c in standin.calls} == {"application/json"}


def test_the_inference_component_name_reaches_the_endpoint(client: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.on_component("codegen-inline", Behaviour.ok({"generated_text": "x", "details": {"generated_tokens": 8}}))

    result = run_benchmark(client, settings(inference_component="codegen-inline", requests=5))

    assert {(c.request.inference_component, c.request.target_model) for c in standin.calls} == {
        ("codegen-inline", None)
    }
    assert result.summary.output_tokens == 40
    assert result.summary.token_sources["reported"] == 5


def test_no_more_requests_are_in_flight_than_the_concurrency(client: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.default = Behaviour.ok(delay_s=0.05)

    run_benchmark(client, settings(concurrency=3, requests=24))

    assert standin.max_in_flight == 3  # reached, and never more
    assert standin.received == 24


def test_warm_up_requests_are_sent_first_and_not_counted(client: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.on_endpoint(ENDPOINT, [Behaviour.model_not_ready()] * 2 + [Behaviour.ok()])
    warmed: list[RequestRecord] = []

    result = run_benchmark(client, settings(requests=5, warmup_requests=3), on_warmup_record=warmed.append)

    assert standin.received == 8
    assert len(result.warmup_records) == len(warmed) == 3
    assert sum(not r.ok for r in result.warmup_records) == 2  # the cold model's answers
    assert (result.summary.finished, result.summary.failed) == (5, 0)


def test_a_duration_stops_starting_requests(client: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.default = Behaviour.ok(delay_s=0.05)

    result = run_benchmark(client, settings(concurrency=2, requests=None, duration_s=0.4))

    assert result.stopped == "duration"
    assert 4 <= result.summary.finished <= 20
    assert max(r.start_s for r in result.records) < 0.4
    assert standin.received == result.summary.finished


def test_a_stream_measures_time_to_first_token_and_counts_token_events(
    client: Any, standin: SageMakerRuntimeStandIn
) -> None:
    events = [f'data:{{"token": {{"id": {i}, "text": "t{i}"}}, "details": null}}\n\n' for i in range(4)]
    standin.on_component("codegen-inline", Behaviour.stream(events, delay_s=FAST, part_delay_s=0.03))

    result = run_benchmark(client, settings(inference_component="codegen-inline", stream=True, requests=6))

    ttft, latency = result.summary.time_to_first_token, result.summary.latency
    assert ttft is not None
    assert latency is not None
    assert ttft.min >= FAST and ttft.max < FAST + OVERHEAD_S
    assert latency.min >= FAST + 3 * 0.03
    assert all(r.ttft_s is not None and r.ttft_s < r.latency_s for r in result.records)
    assert result.summary.token_sources["counted"] == 6
    assert result.summary.output_tokens == 24
    assert {c.request.operation for c in standin.calls} == {"InvokeEndpointWithResponseStream"}


def test_a_stream_failing_mid_answer_is_a_model_error(client: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.on_component("codegen-inline", Behaviour.stream(["partial"], error_code="ModelStreamError"))

    result = run_benchmark(client, settings(inference_component="codegen-inline", stream=True, requests=3))

    assert result.summary.errors_by_kind["model"] == 3
    assert result.summary.errors_by_code == {"ModelStreamError": 3}
    assert all(r.ttft_s is not None for r in result.records)  # the first part did arrive


def test_a_connection_failure_before_any_answer_ends_the_run() -> None:
    client = bench_client(timeout_s=2, concurrency=2, endpoint_url=closed_port_url())

    with pytest.raises(EndpointConnectionError):
        run_benchmark(client, settings(requests=50))


def test_missing_credentials_end_the_run(standin: SageMakerRuntimeStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    client = bench_client(timeout_s=2, concurrency=2, endpoint_url=standin.url)

    with pytest.raises(NoCredentialsError):
        run_benchmark(client, settings(requests=50))
    assert standin.received == 0


def test_an_interrupt_keeps_what_finished(client: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.default = Behaviour.ok(delay_s=0.02)
    seen: list[RequestRecord] = []

    def interrupt_after_three(record: RequestRecord) -> None:
        seen.append(record)
        if len(seen) == 3:
            raise KeyboardInterrupt

    result = run_benchmark(client, settings(concurrency=2, requests=100), on_record=interrupt_after_three)

    assert result.stopped == "interrupted"
    assert 3 <= result.summary.finished < 100
    assert standin.received == result.summary.finished  # nothing left running unrecorded
