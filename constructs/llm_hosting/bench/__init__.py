"""Load-test a SageMaker endpoint and report what teams report for hosted LLMs.

Requests per minute, output tokens per second, client-side latency percentiles (and time to first
token when streaming), errors by kind, and throughput over time. Usable without the command line:

    client = bench_client(timeout_s=30, concurrency=8, region_name="us-east-1")
    settings = BenchmarkSettings(endpoint_name="codegen", inference_component="codegen-inline",
                                 payload=b'{"inputs": "def main("}', concurrency=8, requests=200)
    result = run_benchmark(client, settings)
    print(render_text(result)); write_json(result, "bench.json")

Nothing here imports CDK code; matplotlib is imported only by `write_plot`.
"""

from __future__ import annotations

from llm_hosting.bench.errors import ERROR_KINDS, ErrorKind, Failure, classify, is_fatal
from llm_hosting.bench.plot import write_plot
from llm_hosting.bench.records import RequestRecord
from llm_hosting.bench.report import CSV_COLUMNS, JSON_FORMAT, csv_rows, render_text, to_dict, write_csv, write_json
from llm_hosting.bench.runner import (
    DEFAULT_TIMEOUT_S,
    BenchmarkResult,
    BenchmarkSettings,
    SettingsError,
    bench_client,
    is_json_content_type,
    run_benchmark,
)
from llm_hosting.bench.stats import LatencyStats, latency_stats, percentile
from llm_hosting.bench.summary import Bucket, Summary, summarize, throughput_buckets
from llm_hosting.bench.tokens import (
    ESTIMATE_METHOD,
    TOKEN_SOURCES,
    TokenCount,
    TokenSource,
    count_response_tokens,
    count_stream_tokens,
    estimate_tokens,
    generated_text,
    reported_tokens,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_TIMEOUT_S",
    "ERROR_KINDS",
    "ESTIMATE_METHOD",
    "JSON_FORMAT",
    "TOKEN_SOURCES",
    "BenchmarkResult",
    "BenchmarkSettings",
    "Bucket",
    "ErrorKind",
    "Failure",
    "LatencyStats",
    "RequestRecord",
    "SettingsError",
    "Summary",
    "TokenCount",
    "TokenSource",
    "bench_client",
    "classify",
    "count_response_tokens",
    "count_stream_tokens",
    "csv_rows",
    "estimate_tokens",
    "generated_text",
    "is_fatal",
    "is_json_content_type",
    "latency_stats",
    "percentile",
    "render_text",
    "reported_tokens",
    "run_benchmark",
    "summarize",
    "throughput_buckets",
    "to_dict",
    "write_csv",
    "write_json",
    "write_plot",
]
