"""Aggregation, settings checks and the output formats, from hand-made records (no HTTP)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from llm_hosting.bench import (
    CSV_COLUMNS,
    BenchmarkResult,
    BenchmarkSettings,
    Bucket,
    ErrorKind,
    RequestRecord,
    SettingsError,
    TokenSource,
    render_text,
    summarize,
    throughput_buckets,
    to_dict,
    write_csv,
    write_json,
)


def ok(
    index: int, start_s: float, latency_s: float, tokens: int = 10, *, source: TokenSource = "reported"
) -> RequestRecord:
    field = "details.generated_tokens" if source == "reported" else "generated_text"
    return RequestRecord(
        index, start_s, latency_s, ok=True, http_status=200, tokens=tokens, token_source=source, token_field=field
    )


def failed(
    index: int, start_s: float, latency_s: float, kind: ErrorKind, code: str, *, message: str = "m"
) -> RequestRecord:
    return RequestRecord(index, start_s, latency_s, ok=False, error_kind=kind, error_code=code, error_message=message)


RECORDS = (
    ok(0, 0.0, 0.5, 20),
    ok(1, 0.1, 1.0, 30),
    failed(2, 0.2, 0.01, "throttling", "ThrottlingException", message="Rate exceeded"),
    ok(3, 0.5, 2.0, 40, source="estimated"),
    failed(4, 1.0, 0.3, "model", "ModelError", message="CUDA out of memory"),
    failed(5, 1.1, 0.02, "throttling", "ThrottlingException", message="Rate exceeded again"),
    ok(6, 3.0, 0.5, 10),
)


def settings(**changes: object) -> BenchmarkSettings:
    values: dict[str, object] = {"endpoint_name": "codegen", "payload": b'{"inputs": "x"}', "requests": 7}
    values.update(changes)
    return BenchmarkSettings(**values)  # type: ignore[arg-type]


def result(records: tuple[RequestRecord, ...] = RECORDS, duration_s: float = 4.0) -> BenchmarkResult:
    return BenchmarkResult(
        settings(inference_component="codegen-inline", concurrency=2),
        records,
        (ok(0, 0.0, 0.4), failed(1, 0.0, 0.1, "other", "ModelNotReadyException")),
        datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        duration_s,
        "requests",
        65.0,
    )


# --- aggregation ----------------------------------------------------------------------------------


def test_counts_rates_and_errors_by_kind_and_code() -> None:
    summary = summarize(RECORDS, duration_s=4.0)

    assert (summary.finished, summary.succeeded, summary.failed) == (7, 4, 3)
    assert summary.error_rate == pytest.approx(3 / 7)
    assert summary.errors_by_kind == {"model": 1, "throttling": 2, "validation": 0, "timeout": 0, "other": 0}
    assert summary.errors_by_code == {"ModelError": 1, "ThrottlingException": 2}
    assert summary.error_examples == {"ModelError": "CUDA out of memory", "ThrottlingException": "Rate exceeded"}
    assert summary.requests_per_minute == pytest.approx(7 / 4 * 60)
    assert summary.successful_requests_per_minute == pytest.approx(4 / 4 * 60)


def test_tokens_per_second_counts_successful_requests_and_says_where_counts_came_from() -> None:
    summary = summarize(RECORDS, duration_s=4.0)

    assert summary.output_tokens == 100
    assert summary.tokens_per_second == pytest.approx(25.0)
    assert summary.token_sources == {"reported": 3, "counted": 0, "estimated": 1}
    assert summary.token_fields == {"estimated: generated_text": 1, "reported: details.generated_tokens": 3}


def test_latency_percentiles_cover_successful_requests_only() -> None:
    summary = summarize(RECORDS, duration_s=4.0)

    assert summary.latency is not None
    assert (summary.latency.count, summary.latency.min, summary.latency.max) == (4, 0.5, 2.0)
    assert summary.latency.p50 == pytest.approx(0.75)
    assert summary.time_to_first_token is None


def test_throughput_is_bucketed_by_the_second_requests_finished_empty_seconds_included() -> None:
    assert throughput_buckets(RECORDS, duration_s=4.0) == (
        Bucket(0, finished=2, succeeded=1, failed=1, tokens=20),  # ends at 0.5 and 0.21
        Bucket(1, finished=3, succeeded=1, failed=2, tokens=30),  # 1.1, 1.3, 1.12
        Bucket(2, finished=1, succeeded=1, failed=0, tokens=40),  # 2.5
        Bucket(3, finished=1, succeeded=1, failed=0, tokens=10),  # 3.5
    )
    assert throughput_buckets((), duration_s=2.5) == (
        Bucket(0, 0, 0, 0, 0),
        Bucket(1, 0, 0, 0, 0),
        Bucket(2, 0, 0, 0, 0),
    )


def test_nothing_measured_gives_zeros_not_errors() -> None:
    summary = summarize((), duration_s=0.0)

    assert (summary.finished, summary.error_rate, summary.requests_per_minute, summary.tokens_per_second) == (
        0,
        0,
        0,
        0,
    )
    assert summary.latency is None
    assert summary.throughput == ()


# --- settings -------------------------------------------------------------------------------------


def test_settings_build_the_invoke_arguments() -> None:
    assert settings(target_model="a.tar.gz").invoke_arguments() == {
        "EndpointName": "codegen",
        "Body": b'{"inputs": "x"}',
        "ContentType": "application/json",
        "TargetModel": "a.tar.gz",
    }
    assert settings(inference_component="codegen-inline", stream=True).invoke_arguments()["InferenceComponentName"] == (
        "codegen-inline"
    )
    assert settings(stream=True).operation == "InvokeEndpointWithResponseStream"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_model": "a.tar.gz", "inference_component": "ic"}, "cannot both be given"),
        ({"target_model": "a.tar.gz", "stream": True}, "multi-model endpoints do not stream"),
        ({"concurrency": 0}, "concurrency must be 1 or more, got 0"),
        ({"requests": None}, "give a number of requests, a duration, or both"),
        ({"requests": 0}, "requests must be 1 or more, got 0"),
        ({"duration_s": 0.0}, "duration must be more than 0 s, got 0.0"),
        ({"warmup_requests": -1}, "warm-up requests must be 0 or more, got -1"),
        ({"payload": b""}, "the payload is empty"),
        ({"payload": b"{nope"}, "the payload is not valid JSON"),
        ({"endpoint_name": "bad_name"}, "endpoint name 'bad_name' is not a SageMaker endpoint name"),
        ({"endpoint_name": "a" * 64}, "is not a SageMaker endpoint name"),
    ],
)
def test_unusable_settings_are_rejected_with_the_value_and_the_fix(changes: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        settings(**changes)


def test_every_settings_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        settings(concurrency=0, requests=0)

    assert str(raised.value) == "concurrency must be 1 or more, got 0; requests must be 1 or more, got 0"


def test_a_non_json_content_type_takes_any_payload() -> None:
    assert settings(payload=b"plain text", content_type="text/plain").payload == b"plain text"


# --- outputs --------------------------------------------------------------------------------------


def test_json_has_stable_keys_and_the_reported_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    write_json(result(), path)
    data = json.loads(path.read_text())

    assert list(data) == [
        "format",
        "endpoint",
        "settings",
        "started_at",
        "stopped",
        "duration_s",
        "requests",
        "requests_per_minute",
        "successful_requests_per_minute",
        "tokens",
        "latency_s",
        "time_to_first_token_s",
        "errors",
        "throughput_per_second",
    ]
    assert data["format"] == "llm-hosting-bench/1"
    assert data["endpoint"] == {
        "name": "codegen",
        "target_model": None,
        "inference_component": "codegen-inline",
        "operation": "InvokeEndpoint",
    }
    assert data["started_at"] == "2025-01-02T03:04:05Z"
    assert data["requests"] == {"finished": 7, "succeeded": 4, "failed": 3, "warmup": 2, "warmup_failed": 1}
    assert data["requests_per_minute"] == 105.0
    assert data["tokens"]["per_second"] == 25.0
    assert data["tokens"]["sources"] == {"reported": 3, "counted": 0, "estimated": 1}
    assert set(data["latency_s"]) == {"count", "mean", "p50", "p90", "p99", "max", "min"}
    assert data["errors"]["by_kind"] == {"model": 1, "throttling": 2, "validation": 0, "timeout": 0, "other": 0}
    assert data["errors"]["rate"] == round(3 / 7, 6)
    assert data["settings"]["sdk_retries"] is False
    assert [b["second"] for b in data["throughput_per_second"]] == [0, 1, 2, 3]
    assert to_dict(result()) == data


def test_csv_has_one_row_per_request_in_the_order_sent(tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    write_csv(result(), path)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))

    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(RECORDS)
    assert [int(r["index"]) for r in rows] == list(range(7))
    assert rows[2] == {
        "index": "2",
        "start_offset_s": "0.200000",
        "latency_s": "0.010000",
        "ttft_s": "",
        "status": "error",
        "http_status": "",
        "error_kind": "throttling",
        "error_code": "ThrottlingException",
        "tokens": "0",
        "token_source": "",
    }
    assert (rows[0]["status"], rows[0]["tokens"], rows[0]["token_source"]) == ("ok", "20", "reported")


def test_the_summary_table_names_rates_token_sources_errors_and_percentiles() -> None:
    text = render_text(result())

    assert "codegen, inference component codegen-inline (InvokeEndpoint)" in text
    assert "requests/min  105.0 (successful 60.0)" in text
    assert "tokens/s      25.0 (100 output tokens)" in text
    assert "reported by the model (details.generated_tokens) in 3 of 4" in text
    assert "estimated from generated_text in 1 of 4" in text
    assert "estimate: word pieces" in text
    assert "errors        3 (42.9%): model 1, throttling 2, validation 0, timeout 0, other 0" in text
    assert "ThrottlingException x2: Rate exceeded" in text
    assert "warm-up       2 not counted, 1 failed" in text
    latency_row = next(line for line in text.splitlines() if line.startswith("request "))
    assert latency_row.split() == ["request", "0.750", "1.700", "1.970", "2.000", "1.000", "4"]
