"""Aggregate per-request records into the numbers teams report: rates, latency percentiles, errors.

Pure: no clock, no I/O. Definitions (also in the command's help):

- requests per minute: every finished request, succeeded or failed, over the measured duration;
  `successful_requests_per_minute` counts only the successes;
- tokens per second: output tokens of successful requests over the measured duration;
- latency and time to first token: successful requests only (a throttled request answers in
  milliseconds and would flatter the percentiles);
- error rate: failed / finished;
- throughput over time: requests and tokens by the second in which they finished.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from llm_hosting.bench.errors import ERROR_KINDS, ErrorKind
from llm_hosting.bench.records import RequestRecord
from llm_hosting.bench.stats import LatencyStats, latency_stats
from llm_hosting.bench.tokens import TOKEN_SOURCES, TokenSource


@dataclass(frozen=True)
class Bucket:
    """What finished in one second of the run, [second, second + 1)."""

    second: int
    finished: int
    succeeded: int
    failed: int
    tokens: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "second": self.second,
            "finished": self.finished,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "tokens": self.tokens,
        }


@dataclass(frozen=True)
class Summary:
    finished: int
    succeeded: int
    failed: int
    error_rate: float
    errors_by_kind: dict[ErrorKind, int]
    """Every kind, in `ERROR_KINDS` order, zeros included."""
    errors_by_code: dict[str, int]
    error_examples: dict[str, str]
    """The first message seen for each error code."""
    duration_s: float
    requests_per_minute: float
    successful_requests_per_minute: float
    output_tokens: int
    tokens_per_second: float
    token_sources: dict[TokenSource, int]
    """Successful requests by where their token count came from (every source, zeros included)."""
    token_fields: dict[str, int]
    latency: LatencyStats | None
    time_to_first_token: LatencyStats | None
    throughput: tuple[Bucket, ...]


def summarize(records: Sequence[RequestRecord], duration_s: float) -> Summary:
    """The summary of a run's measured records, over `duration_s` seconds."""
    succeeded = [r for r in records if r.ok]
    failed = [r for r in records if not r.ok]
    kinds = Counter(r.error_kind for r in failed)
    codes = Counter(r.error_code or "Unknown" for r in failed)
    examples: dict[str, str] = {}
    for record in failed:
        examples.setdefault(record.error_code or "Unknown", record.error_message or "")
    tokens = sum(r.tokens for r in succeeded)
    sources = Counter(r.token_source for r in succeeded if r.token_source is not None)
    fields = Counter(f"{r.token_source}: {r.token_field}" for r in succeeded if r.token_source is not None)
    per_second = 1 / duration_s if duration_s > 0 else 0.0
    return Summary(
        finished=len(records),
        succeeded=len(succeeded),
        failed=len(failed),
        error_rate=len(failed) / len(records) if records else 0.0,
        errors_by_kind={kind: kinds.get(kind, 0) for kind in ERROR_KINDS},
        errors_by_code=dict(sorted(codes.items())),
        error_examples=dict(sorted(examples.items())),
        duration_s=duration_s,
        requests_per_minute=len(records) * per_second * 60,
        successful_requests_per_minute=len(succeeded) * per_second * 60,
        output_tokens=tokens,
        tokens_per_second=tokens * per_second,
        token_sources={source: sources.get(source, 0) for source in TOKEN_SOURCES},
        token_fields=dict(sorted(fields.items())),
        latency=latency_stats([r.latency_s for r in succeeded]),
        time_to_first_token=latency_stats([r.ttft_s for r in succeeded if r.ttft_s is not None]),
        throughput=throughput_buckets(records, duration_s),
    )


def throughput_buckets(records: Sequence[RequestRecord], duration_s: float = 0.0) -> tuple[Bucket, ...]:
    """One bucket per second from 0 to the end of the run (empty seconds included), by finish time."""
    last = max([math.ceil(duration_s) - 1, *(math.floor(r.end_s) for r in records)], default=-1)
    finished = [0] * (last + 1)
    succeeded = [0] * (last + 1)
    tokens = [0] * (last + 1)
    for record in records:
        second = max(math.floor(record.end_s), 0)
        finished[second] += 1
        if record.ok:
            succeeded[second] += 1
            tokens[second] += record.tokens
    return tuple(
        Bucket(second, finished[second], succeeded[second], finished[second] - succeeded[second], tokens[second])
        for second in range(last + 1)
    )
