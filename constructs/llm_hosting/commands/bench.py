"""`bench`: load-test an endpoint and report requests/min, tokens/s, latency percentiles and errors.

Exit codes: 0 the benchmark ran (failed requests are in the numbers, not in the exit code), 1 bad
input or a credential/connection problem (one line on stderr), 130 interrupted (the partial
summary is still printed and written).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError  # type: ignore[import-untyped]
from tqdm import tqdm  # type: ignore[import-untyped]

from llm_hosting.bench import (
    DEFAULT_TIMEOUT_S,
    BenchmarkResult,
    BenchmarkSettings,
    RequestRecord,
    SettingsError,
    bench_client,
    is_json_content_type,
    render_text,
    run_benchmark,
    write_csv,
    write_json,
    write_plot,
)
from llm_hosting.commands.publish import aws_error_line

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_INTERRUPTED = 130

EPILOG = """\
what is measured:
  requests/min   every finished request (ok or failed) over the run's duration; successful ones apart
  tokens/s       output tokens of successful requests over the run's duration. Counts come from the
                 answer when it reports them (details.generated_tokens as TGI and DJL/LMI return it,
                 OpenAI-style usage.completion_tokens, one per streamed token event); otherwise they
                 are estimated without a tokenizer from the generated text. The summary says which.
  latency        client-side, from sending the request to reading the whole answer (or stream),
                 successful requests only: p50 p90 p99 max mean; with --stream also time to first token
  errors         by kind: model (ModelError, ModelStreamError), throttling (ThrottlingException, 429),
                 validation (ValidationError), timeout (no answer within --timeout-s), other; and by code

Requests are never retried: the SDK's retries are off, so a throttled request is counted as a
throttling error, once, instead of being retried behind the benchmark's back with the wait hidden
in its latency. Each worker sends its next request when its previous one has finished, so at most
--concurrency requests are in flight.

exit codes:
  0    the benchmark ran (even with failed requests: the numbers report them)
  1    bad input, or AWS credentials/region/connection problems (one line on stderr)
  2    the command line does not parse (argparse prints the usage)
  130  interrupted (what finished is still summarized and written)
"""


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_argument_group("what to invoke")
    target.add_argument("--endpoint", required=True, metavar="NAME", help="the SageMaker endpoint name")
    target.add_argument(
        "--target-model", metavar="M", help="TargetModel: the model archive to invoke on a multi-model endpoint"
    )
    target.add_argument(
        "--component",
        metavar="C",
        help="InferenceComponentName: the inference component or LoRA adapter to invoke (e.g. codegen-inline, "
        "code-assist-acme)",
    )
    target.add_argument("--payload", required=True, metavar="FILE", help="the request body, sent as it is")
    target.add_argument(
        "--content-type",
        default="application/json",
        metavar="T",
        help="ContentType of the payload (default: application/json; a JSON type requires a valid JSON payload)",
    )
    target.add_argument(
        "--stream",
        action="store_true",
        help="use InvokeEndpointWithResponseStream and also measure the time to the first token",
    )

    load = parser.add_argument_group("how hard")
    load.add_argument("--concurrency", type=int, default=1, metavar="N", help="requests in flight at most (default: 1)")
    load.add_argument(
        "--requests", type=int, metavar="K", help="measured requests (default: unlimited with --duration-s)"
    )
    load.add_argument(
        "--duration-s", type=float, metavar="S", help="start no request after S seconds (default: no time limit)"
    )
    load.add_argument(
        "--warmup-requests", type=int, default=0, metavar="W", help="requests sent first and not counted (default: 0)"
    )
    load.add_argument(
        "--timeout-s",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="T",
        help=f"per-request read timeout; a request without an answer for T s counts as a timeout "
        f"(default: {DEFAULT_TIMEOUT_S:g}, just over SageMaker's own 60 s)",
    )

    aws = parser.add_argument_group("where")
    aws.add_argument("--region", metavar="R", help="AWS region (default: your AWS config)")
    aws.add_argument("--endpoint-url", metavar="URL", help="SageMaker runtime URL (default: the region's)")

    out = parser.add_argument_group("output (the summary table always goes to stdout)")
    out.add_argument("--json", metavar="FILE", help="write the summary as JSON (stable keys)")
    out.add_argument("--csv", metavar="FILE", help="write one row per request as CSV")
    out.add_argument("--plot", metavar="FILE", help="draw the latency histogram and throughput over time as a PNG")


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `bench` to an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bench",
        help="load-test an endpoint: requests/min, tokens/s, latency percentiles, errors by kind",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_arguments(parser)
    parser.set_defaults(run=run)
    return parser


def _read_payload(path: str) -> tuple[bytes | None, str | None]:
    try:
        return Path(path).read_bytes(), None
    except FileNotFoundError:
        return None, f"--payload {path}: no such file"
    except IsADirectoryError:
        return None, f"--payload {path}: is a directory, not a file"
    except OSError as err:
        return None, f"--payload {path}: cannot be read ({err.strerror or err})"


def _input_problems(args: argparse.Namespace, payload: bytes | None) -> list[str]:
    """Problems with the command line itself, in the command line's words."""
    problems: list[str] = []
    if args.target_model is not None and args.component is not None:
        problems.append(
            "--target-model (a multi-model endpoint) and --component (an inference component) cannot be "
            "used together; pass one"
        )
    if args.stream and args.target_model is not None:
        problems.append("--stream cannot be used with --target-model: multi-model endpoints do not stream")
    if payload is not None:
        if not payload:
            problems.append(f"--payload {args.payload}: the file is empty")
        elif is_json_content_type(args.content_type):
            try:
                json.loads(payload)
            except ValueError as err:
                problems.append(
                    f"--payload {args.payload}: not valid JSON ({err}); fix the file or pass the right --content-type"
                )
    if args.requests is None and args.duration_s is None:
        problems.append("pass --requests K, --duration-s S, or both")
    if not args.timeout_s > 0:
        problems.append(f"--timeout-s must be more than 0, got {args.timeout_s:g}")
    for option, value in (("--json", args.json), ("--csv", args.csv), ("--plot", args.plot)):
        if value is None:
            continue
        parent = Path(value).parent
        if Path(value).is_dir():
            problems.append(f"{option} {value}: is a directory; name a file")
        elif not parent.is_dir():
            problems.append(f"{option} {value}: the folder {parent} does not exist")
    return problems


def _error_line(err: Exception, endpoint_url: str | None) -> str:
    if isinstance(err, EndpointConnectionError) and endpoint_url:
        line = f"{err}; check --endpoint-url"
    else:
        line = aws_error_line(err)
    return " ".join(line.split())


def run(args: argparse.Namespace) -> int:
    payload, problem = _read_payload(args.payload)
    problems = [problem] if problem else []
    problems += _input_problems(args, payload)
    if problems or payload is None:
        print("; ".join(problems), file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        settings = BenchmarkSettings(
            endpoint_name=args.endpoint,
            payload=payload,
            content_type=args.content_type,
            concurrency=args.concurrency,
            requests=args.requests,
            duration_s=args.duration_s,
            warmup_requests=args.warmup_requests,
            target_model=args.target_model,
            inference_component=args.component,
            stream=args.stream,
        )
    except SettingsError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT

    try:
        client = bench_client(
            timeout_s=args.timeout_s,
            concurrency=settings.concurrency,
            region_name=args.region,
            endpoint_url=args.endpoint_url,
        )
    except (BotoCoreError, ClientError) as err:
        print(_error_line(err, args.endpoint_url), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as err:  # botocore: a malformed --endpoint-url
        print(f"--endpoint-url {args.endpoint_url}: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = _run_with_progress(client, settings)
    except (BotoCoreError, ClientError) as err:
        print(_error_line(err, args.endpoint_url), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED

    print(render_text(result))
    try:
        _write_outputs(result, args)
    except OSError as err:
        print(f"could not write {err.filename or 'an output file'}: {err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_INTERRUPTED if result.stopped == "interrupted" else EXIT_OK


def _run_with_progress(client: Any, settings: BenchmarkSettings) -> BenchmarkResult:
    # disable=None: no bar when stderr is not a terminal (CI logs, pipes).
    bars: dict[str, Any] = {}
    failures = {"warm-up": 0, settings.endpoint_name: 0}

    def progress(name: str, total: int | None) -> Any:
        def update(record: RequestRecord) -> None:
            bar = bars.get(name)
            if bar is None:
                for other in bars.values():
                    other.close()
                bar = bars[name] = tqdm(
                    total=total, desc=name, unit="req", file=sys.stderr, disable=None, leave=False, dynamic_ncols=True
                )
            if not record.ok:
                failures[name] += 1
                bar.set_postfix_str(f"{failures[name]} failed", refresh=False)
            bar.update(1)

        return update

    try:
        return run_benchmark(
            client,
            settings,
            on_record=progress(settings.endpoint_name, settings.requests),
            on_warmup_record=progress("warm-up", settings.warmup_requests),
        )
    finally:
        for bar in bars.values():
            bar.close()


def _write_outputs(result: BenchmarkResult, args: argparse.Namespace) -> None:
    written: list[str] = []
    if args.json:
        write_json(result, args.json)
        written.append(args.json)
    if args.csv:
        write_csv(result, args.csv)
        written.append(args.csv)
    if args.plot:
        write_plot(result, args.plot)
        written.append(args.plot)
    if written:
        print(f"\nwrote {', '.join(written)}")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m llm_hosting.commands.bench ...`: the command on its own, with the same arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m llm_hosting bench",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
