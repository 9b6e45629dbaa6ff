"""A benchmark result as text (the summary table), JSON (stable keys) and CSV (one row per request)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from llm_hosting.bench.errors import ERROR_KINDS
from llm_hosting.bench.runner import BenchmarkResult
from llm_hosting.bench.stats import LatencyStats
from llm_hosting.bench.tokens import ESTIMATE_METHOD

JSON_FORMAT = "llm-hosting-bench/1"
"""Bumped when a key changes meaning or goes away; new keys may be added within a version."""

CSV_COLUMNS = (
    "index",
    "start_offset_s",
    "latency_s",
    "ttft_s",
    "status",
    "http_status",
    "error_kind",
    "error_code",
    "tokens",
    "token_source",
)

_STOPPED = {
    "requests": "every request sent",
    "duration": "the duration was reached",
    "interrupted": "interrupted",
}


def target_description(result: BenchmarkResult) -> str:
    settings = result.settings
    if settings.target_model is not None:
        return f"{settings.endpoint_name}, target model {settings.target_model}"
    if settings.inference_component is not None:
        return f"{settings.endpoint_name}, inference component {settings.inference_component}"
    return settings.endpoint_name


def to_dict(result: BenchmarkResult) -> dict[str, Any]:
    """The result as JSON-ready data. Keys are stable (see `JSON_FORMAT`); durations are in seconds."""
    settings, summary = result.settings, result.summary
    warmup_failed = sum(1 for r in result.warmup_records if not r.ok)
    return {
        "format": JSON_FORMAT,
        "endpoint": {
            "name": settings.endpoint_name,
            "target_model": settings.target_model,
            "inference_component": settings.inference_component,
            "operation": settings.operation,
        },
        "settings": {
            "concurrency": settings.concurrency,
            "requests": settings.requests,
            "duration_s": settings.duration_s,
            "warmup_requests": settings.warmup_requests,
            "timeout_s": result.timeout_s,
            "content_type": settings.content_type,
            "payload_bytes": len(settings.payload),
            "stream": settings.stream,
            "sdk_retries": False,
        },
        "started_at": result.started_at.isoformat().replace("+00:00", "Z"),
        "stopped": result.stopped,
        "duration_s": round(summary.duration_s, 6),
        "requests": {
            "finished": summary.finished,
            "succeeded": summary.succeeded,
            "failed": summary.failed,
            "warmup": len(result.warmup_records),
            "warmup_failed": warmup_failed,
        },
        "requests_per_minute": round(summary.requests_per_minute, 3),
        "successful_requests_per_minute": round(summary.successful_requests_per_minute, 3),
        "tokens": {
            "output_total": summary.output_tokens,
            "per_second": round(summary.tokens_per_second, 3),
            "sources": dict(summary.token_sources),
            "fields": dict(summary.token_fields),
            "estimate_method": ESTIMATE_METHOD,
        },
        "latency_s": _stats(summary.latency),
        "time_to_first_token_s": _stats(summary.time_to_first_token),
        "errors": {
            "total": summary.failed,
            "rate": round(summary.error_rate, 6),
            "by_kind": dict(summary.errors_by_kind),
            "by_code": dict(summary.errors_by_code),
            "examples": dict(summary.error_examples),
        },
        "throughput_per_second": [bucket.to_dict() for bucket in summary.throughput],
    }


def _stats(stats: LatencyStats | None) -> dict[str, Any] | None:
    return stats.to_dict() if stats is not None else None


def write_json(result: BenchmarkResult, path: str | Path) -> None:
    Path(path).write_text(json.dumps(to_dict(result), indent=2) + "\n", encoding="utf-8")


def csv_rows(result: BenchmarkResult) -> list[dict[str, Any]]:
    """One row per measured request, in the order they were sent (`CSV_COLUMNS`)."""
    return [
        {
            "index": r.index,
            "start_offset_s": f"{r.start_s:.6f}",
            "latency_s": f"{r.latency_s:.6f}",
            "ttft_s": f"{r.ttft_s:.6f}" if r.ttft_s is not None else "",
            "status": "ok" if r.ok else "error",
            "http_status": r.http_status if r.http_status is not None else "",
            "error_kind": r.error_kind or "",
            "error_code": r.error_code or "",
            "tokens": r.tokens,
            "token_source": r.token_source or "",
        }
        for r in result.records
    ]


def write_csv(result: BenchmarkResult, path: str | Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(csv_rows(result))


def render_text(result: BenchmarkResult) -> str:
    """The summary table printed after a run."""
    settings, summary = result.settings, result.summary
    rows: list[tuple[str, str]] = [
        ("endpoint", f"{target_description(result)} ({settings.operation})"),
    ]
    load = f"concurrency {settings.concurrency}"
    if settings.requests is not None:
        load += f", {settings.requests} request{'s' if settings.requests != 1 else ''}"
    if settings.duration_s is not None:
        load += f", at most {settings.duration_s:g} s"
    rows.append(("load", load))
    if result.warmup_records:
        warm_failed = sum(1 for r in result.warmup_records if not r.ok)
        rows.append(
            (
                "warm-up",
                f"{len(result.warmup_records)} not counted" + (f", {warm_failed} failed" if warm_failed else ""),
            )
        )
    rows.append(
        (
            "requests",
            f"{summary.finished} finished in {summary.duration_s:.2f} s ({_STOPPED[result.stopped]}): "
            f"{summary.succeeded} ok, {summary.failed} failed",
        )
    )
    rows.append(
        (
            "requests/min",
            f"{summary.requests_per_minute:.1f} (successful {summary.successful_requests_per_minute:.1f})",
        )
    )
    rows.append(("tokens/s", f"{summary.tokens_per_second:.1f} ({summary.output_tokens} output tokens)"))
    rows.extend(("", line) for line in _token_source_lines(result))
    by_kind = ", ".join(f"{kind} {summary.errors_by_kind[kind]}" for kind in ERROR_KINDS)
    rows.append(("errors", f"{summary.failed} ({summary.error_rate:.1%}): {by_kind}"))
    for code, count in summary.errors_by_code.items():
        example = summary.error_examples.get(code, "")
        rows.append(("", f"{code} x{count}" + (f": {_clip(example)}" if example else "")))
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}".rstrip() for label, value in rows]
    lines.append("")
    lines.extend(_latency_table(result))
    return "\n".join(lines)


def _token_source_lines(result: BenchmarkResult) -> list[str]:
    summary = result.summary
    if not summary.succeeded:
        return []
    parts = []
    for field, count in summary.token_fields.items():
        source, _, name = field.partition(": ")
        what = {
            "reported": f"reported by the model ({name})",
            "counted": f"counted from the stream ({name})",
            "estimated": f"estimated from {name}",
        }[source]
        parts.append(f"{what} in {count} of {summary.succeeded}")
    lines = ["token counts " + "; ".join(parts)]
    if summary.token_sources["estimated"]:
        lines.append(f"estimate: {ESTIMATE_METHOD}")
    return lines


def _latency_table(result: BenchmarkResult) -> list[str]:
    summary = result.summary
    header = ("latency (s)", "p50", "p90", "p99", "max", "mean", "n")
    table: list[tuple[str, ...]] = [header]
    for label, stats in (("request", summary.latency), ("first token", summary.time_to_first_token)):
        if stats is None:
            if label == "request":
                table.append((label, "-", "-", "-", "-", "-", "0"))
            continue
        values = (stats.p50, stats.p90, stats.p99, stats.max, stats.mean)
        table.append((label, *(f"{v:.3f}" for v in values), str(stats.count)))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        for row in table
    ]
    lines.append("(successful requests only; client-side, from sending the request to reading the whole answer)")
    return lines


def _clip(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
