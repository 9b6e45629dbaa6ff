"""A PNG of a benchmark: the latency histogram and throughput over time.

Drawn on matplotlib's Agg canvas directly (no pyplot): no display, no global figure state, and
nothing imported until a plot is asked for (matplotlib takes a while to import).
"""

from __future__ import annotations

from pathlib import Path

from llm_hosting.bench.report import target_description
from llm_hosting.bench.runner import BenchmarkResult

_HISTOGRAM_BINS = 30


def write_plot(result: BenchmarkResult, path: str | Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - see the module docstring
    from matplotlib.figure import Figure  # noqa: PLC0415 - see the module docstring

    summary = result.summary
    figure = Figure(figsize=(10, 8), layout="constrained")
    FigureCanvasAgg(figure)
    latency_axes, time_axes = figure.subplots(2, 1)
    figure.suptitle(
        f"{target_description(result)}: concurrency {result.settings.concurrency}, "
        f"{summary.finished} requests, {summary.error_rate:.1%} errors"
    )

    latencies = [r.latency_s for r in result.records if r.ok]
    if latencies:
        latency_axes.hist(latencies, bins=min(_HISTOGRAM_BINS, max(len(set(latencies)), 1)), color="tab:blue")
        stats = summary.latency
        if stats is not None:
            for name, value, style in (("p50", stats.p50, "--"), ("p90", stats.p90, "-."), ("p99", stats.p99, ":")):
                latency_axes.axvline(value, color="black", linestyle=style, label=f"{name} {value:.3f} s")
            latency_axes.legend()
    else:
        latency_axes.text(0.5, 0.5, "no successful request", ha="center", va="center", transform=latency_axes.transAxes)
    latency_axes.set_title("Latency of successful requests")
    latency_axes.set_xlabel("seconds")
    latency_axes.set_ylabel("requests")

    buckets = summary.throughput
    seconds = [b.second for b in buckets]
    time_axes.bar(seconds, [b.succeeded for b in buckets], width=0.9, align="edge", color="tab:green", label="ok")
    time_axes.bar(
        seconds,
        [b.failed for b in buckets],
        width=0.9,
        align="edge",
        bottom=[b.succeeded for b in buckets],
        color="tab:red",
        label="failed",
    )
    time_axes.set_title("Throughput over time (by the second a request finished)")
    time_axes.set_xlabel("seconds since start")
    time_axes.set_ylabel("requests per second")
    tokens_axes = time_axes.twinx()
    tokens_axes.stairs(
        [b.tokens for b in buckets],
        range(len(buckets) + 1),
        baseline=None,
        color="tab:purple",
        linewidth=2,
        label="tokens/s",
    )
    tokens_axes.set_ylabel("output tokens per second")
    handles, labels = time_axes.get_legend_handles_labels()
    token_handles, token_labels = tokens_axes.get_legend_handles_labels()
    time_axes.legend(handles + token_handles, labels + token_labels, loc="upper left")

    figure.savefig(Path(path), format="png", dpi=100)
