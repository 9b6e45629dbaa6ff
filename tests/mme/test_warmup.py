"""Warm-up of a multi-model endpoint: every archive invoked once, failures isolated, time bounded."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from llm_hosting.catalog.schema import Warmup
from llm_hosting.warmup.function.warmup import (
    METRIC_NAMESPACE,
    ModelResult,
    WarmupSummary,
    emf_record,
    encode_payload,
    list_models,
    log_summary,
    runtime_client,
    warm_up,
)
from tests.mme.conftest import ENDPOINT, put_models
from tests.standins.sagemaker_runtime import Behaviour, SageMakerRuntimeStandIn

PREFIX = f"{ENDPOINT}/"
PAYLOAD = b'{"inputs":"warm-up"}'


def names(count: int) -> list[str]:
    return [f"model-{i:02d}.tar.gz" for i in range(count)]


# --- listing --------------------------------------------------------------------------------------


def test_every_archive_under_the_prefix_is_listed_relative_to_it_across_pages(s3: Any, bucket: str) -> None:
    put_models(s3, bucket, PREFIX, [*names(5), "customers/acme.tar.gz"])
    s3.put_object(Bucket=bucket, Key=f"{PREFIX}README.md", Body=b"not a model")
    s3.put_object(Bucket=bucket, Key="embeddings-v2/other.tar.gz", Body=b"another endpoint's")
    s3.put_object(Bucket=bucket, Key="assets/embeddings/abc.tar.gz", Body=b"cdk asset")

    found = list_models(s3, bucket, "embeddings", page_size=2)

    assert found == ["customers/acme.tar.gz", *names(5)]


def test_an_empty_prefix_lists_no_models(s3: Any, bucket: str) -> None:
    assert list_models(s3, bucket, PREFIX) == []


# --- invoking -------------------------------------------------------------------------------------


def test_all_models_are_warmed_with_the_payload_as_target_models(
    s3: Any, bucket: str, runtime: Any, standin: SageMakerRuntimeStandIn
) -> None:
    put_models(s3, bucket, PREFIX, names(4))
    seen: list[ModelResult] = []

    summary = warm_up(
        runtime, ENDPOINT, list_models(s3, bucket, PREFIX), payload=PAYLOAD, concurrency=2, on_result=seen.append
    )

    assert summary.ok
    assert summary.warmed == tuple(names(4))
    assert (summary.total, summary.failed, summary.skipped) == (4, {}, ())
    assert sorted(r.target for r in seen) == names(4)
    calls = standin.calls
    assert sorted(c.request.target_model or "" for c in calls) == names(4)
    assert {(c.request.endpoint, c.request.body, c.request.content_type) for c in calls} == {
        (ENDPOINT, PAYLOAD, "application/json")
    }


def test_a_failing_model_is_reported_and_the_others_are_still_warmed(
    runtime: Any, standin: SageMakerRuntimeStandIn
) -> None:
    standin.on_model("model-01.tar.gz", Behaviour.model_error(500, "CUDA out of memory"))
    standin.models = {*names(3)}  # model-03 is not in S3 (any more)

    summary = warm_up(runtime, ENDPOINT, names(4), payload=PAYLOAD, concurrency=2)

    assert not summary.ok
    assert summary.warmed == ("model-00.tar.gz", "model-02.tar.gz")
    assert summary.failed == {
        "model-01.tar.gz": "ModelError: the model answered with status 500: CUDA out of memory",
        "model-03.tar.gz": summary.failed["model-03.tar.gz"],
    }
    assert summary.failed["model-03.tar.gz"].startswith("ValidationError: Failed to download model data")


def test_a_model_slower_than_the_request_timeout_fails_once_without_sdk_retries(
    standin: SageMakerRuntimeStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Retry settings a user may have in their environment must not bring SDK retries back.
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    standin.on_model("model-00.tar.gz", Behaviour.ok(delay_s=3))
    quick = runtime_client(request_timeout_s=0.5, concurrency=2)

    summary = warm_up(quick, ENDPOINT, names(2), payload=PAYLOAD, concurrency=2)

    assert summary.failed == {"model-00.tar.gz": "timed out: no answer within 0.5 s"}
    assert summary.warmed == ("model-01.tar.gz",)
    assert summary.duration_s < 2.5
    # botocore would retry a read timeout on its own (and multiply the wait): one request per model.
    assert standin.received == 2


def test_models_still_loading_are_tried_again_within_the_budget(runtime: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.on_model("model-00.tar.gz", [Behaviour.model_not_ready(), Behaviour.throttled(), Behaviour.ok()])
    standin.on_model("model-01.tar.gz", Behaviour.model_not_ready())

    summary = warm_up(runtime, ENDPOINT, names(2), payload=PAYLOAD, max_attempts=3, retry_delay_s=0.01)

    assert summary.warmed == ("model-00.tar.gz",)
    assert summary.failed == {
        "model-01.tar.gz": "ModelNotReadyException: Model is still loading; try again (after 3 attempts)"
    }
    assert [r.attempts for r in summary.results] == [3, 3]


def test_no_model_starts_after_the_time_budget_and_later_ones_are_skipped(
    runtime: Any, standin: SageMakerRuntimeStandIn
) -> None:
    standin.default = Behaviour.ok(delay_s=0.5)

    # One at a time: model-00 runs 0-0.5 s, model-01 starts at 0.5 s (< 0.9) and ends at 1.0 s,
    # by then the budget is spent.
    summary = warm_up(runtime, ENDPOINT, names(5), payload=PAYLOAD, concurrency=1, time_budget_s=0.9)

    assert summary.warmed == ("model-00.tar.gz", "model-01.tar.gz")
    assert summary.skipped == ("model-02.tar.gz", "model-03.tar.gz", "model-04.tar.gz")
    assert not summary.failed
    assert not summary.ok
    assert [c.request.target_model for c in standin.calls] == ["model-00.tar.gz", "model-01.tar.gz"]


def test_zero_models_is_a_success(runtime: Any, standin: SageMakerRuntimeStandIn) -> None:
    summary = warm_up(runtime, ENDPOINT, [], payload=PAYLOAD)

    assert summary.ok
    assert (summary.total, summary.warmed, summary.skipped) == (0, (), ())
    assert standin.calls == []


@pytest.mark.parametrize("concurrency", [1, 3])
def test_in_flight_invocations_never_exceed_the_concurrency(
    runtime: Any, standin: SageMakerRuntimeStandIn, concurrency: int
) -> None:
    standin.default = Behaviour.ok(delay_s=0.1)

    summary = warm_up(runtime, ENDPOINT, names(9), payload=PAYLOAD, concurrency=concurrency)

    assert summary.ok
    # Equal, not just at most: the pool really runs that many at once.
    assert standin.max_in_flight == concurrency


def test_progress_is_reported_once_per_model_whatever_happened_to_it(
    runtime: Any, standin: SageMakerRuntimeStandIn
) -> None:
    standin.default = Behaviour.ok(delay_s=0.3)
    standin.on_model("model-00.tar.gz", Behaviour.model_error(400, "bad input"))
    seen: list[ModelResult] = []

    warm_up(runtime, ENDPOINT, names(4), payload=PAYLOAD, concurrency=1, time_budget_s=0.2, on_result=seen.append)

    assert sorted((r.target, r.outcome) for r in seen) == [
        ("model-00.tar.gz", "failed"),
        ("model-01.tar.gz", "warmed"),
        ("model-02.tar.gz", "skipped"),
        ("model-03.tar.gz", "skipped"),
    ]


def test_payloads_are_json_unless_text_for_a_non_json_content_type() -> None:
    assert encode_payload({"inputs": "hi"}, "application/json") == b'{"inputs":"hi"}'
    assert encode_payload("hi", "application/json; charset=utf-8") == b'"hi"'
    assert encode_payload("1.0,2.0", "text/csv") == b"1.0,2.0"
    assert encode_payload(b"\x00raw", "application/octet-stream") == b"\x00raw"
    assert encode_payload({"inputs": []}, "application/vnd.sagemaker-triton.binary+json") == b'{"inputs":[]}'


# --- reporting ------------------------------------------------------------------------------------


SUMMARY = WarmupSummary(
    endpoint_name=ENDPOINT,
    warmed=("a.tar.gz", "b.tar.gz", "c.tar.gz"),
    failed={"d.tar.gz": "ModelError: the model answered with status 500: boom"},
    skipped=("e.tar.gz", "f.tar.gz"),
    total=6,
    duration_s=12.3456,
)


def test_the_summary_is_one_embedded_metric_format_line(caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    with caplog.at_level(logging.WARNING):
        log_summary(SUMMARY, stream=stream)

    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    directive = record["_aws"]["CloudWatchMetrics"][0]
    assert isinstance(record["_aws"]["Timestamp"], int)
    assert directive["Namespace"] == METRIC_NAMESPACE == "LLMHosting/Warmup"
    assert directive["Dimensions"] == [["EndpointName"]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "ModelsWarmed": "Count",
        "ModelsFailed": "Count",
        "ModelsSkipped": "Count",
        "DurationSeconds": "Seconds",
    }
    # EMF: every metric and dimension named in the directive is a member of the root.
    assert {k: record[k] for k in ("EndpointName", "ModelsWarmed", "ModelsFailed", "ModelsSkipped")} == {
        "EndpointName": ENDPOINT,
        "ModelsWarmed": 3,
        "ModelsFailed": 1,
        "ModelsSkipped": 2,
    }
    assert record["DurationSeconds"] == 12.346


def test_each_failure_and_the_skipped_models_get_a_readable_log_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        log_summary(SUMMARY, stream=io.StringIO())

    messages = [r.getMessage() for r in caplog.records if r.name.endswith("warmup")]
    assert messages == [
        "warm-up of d.tar.gz on endpoint embeddings failed: ModelError: the model answered with status 500: boom",
        "2 model(s) on endpoint embeddings skipped, the time budget was spent: e.tar.gz, f.tar.gz",
    ]


def test_the_emf_timestamp_is_in_milliseconds() -> None:
    assert emf_record(SUMMARY, timestamp_ms=1_700_000_000_123)["_aws"]["Timestamp"] == 1_700_000_000_123
    assert emf_record(SUMMARY)["_aws"]["Timestamp"] > 1_600_000_000_000


def test_the_summary_dict_is_json() -> None:
    assert json.loads(json.dumps(SUMMARY.to_dict())) == {
        "endpoint_name": ENDPOINT,
        "total": 6,
        "warmed": ["a.tar.gz", "b.tar.gz", "c.tar.gz"],
        "failed": {"d.tar.gz": "ModelError: the model answered with status 500: boom"},
        "skipped": ["e.tar.gz", "f.tar.gz"],
        "duration_s": 12.346,
    }


def test_the_catalog_default_payload_is_what_is_sent() -> None:
    settings = Warmup()
    assert encode_payload(settings.payload, settings.content_type) == b'{"inputs":"warm-up"}'
