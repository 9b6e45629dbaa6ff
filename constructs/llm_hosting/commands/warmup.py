"""`warmup`: invoke every model on a multi-model endpoint once, as the scheduled function does.

Settings come from the endpoint's `warmup` section of the catalog (its defaults when absent).
Exit code 0 only when every model was warmed; a failed or skipped model makes it 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tqdm import tqdm  # type: ignore[import-untyped]

from llm_hosting.catalog.schema import Warmup
from llm_hosting.commands.publish import add_target_arguments, guarded, resolve_target
from llm_hosting.warmup.function.warmup import (
    ModelResult,
    WarmupSummary,
    encode_payload,
    list_models,
    runtime_client,
    warm_up,
)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def summary_line(summary: WarmupSummary) -> str:
    """One line: how many models were warmed, and what happened to the rest."""
    line = (
        f"{summary.endpoint_name}: warmed {len(summary.warmed)} of {summary.total} "
        f"model{'s' if summary.total != 1 else ''} in {summary.duration_s:.1f} s"
    )
    problems = [f"{len(summary.failed)} failed"] if summary.failed else []
    if summary.skipped:
        problems.append(f"{len(summary.skipped)} skipped")
    return f"{line} ({', '.join(problems)})" if problems else line


def _warmup(args: argparse.Namespace) -> int:
    target = resolve_target(args)
    settings = target.endpoint.warmup or Warmup()
    concurrency = args.concurrency or settings.concurrency
    s3 = target.session.client("s3")
    runtime = runtime_client(
        request_timeout_s=settings.request_timeout_s, concurrency=concurrency, session=target.session
    )
    models = list_models(s3, target.bucket, target.prefix)
    if not models:
        print(
            f"{target.endpoint.name}: no models under s3://{target.bucket}/{target.prefix}; nothing to warm "
            f"(publish one with `python -m llm_hosting publish --endpoint {target.endpoint.name} DIR`)"
        )
        return 0

    # disable=None: no bar when stderr is not a terminal (CI logs, pipes).
    with tqdm(
        total=len(models), desc=target.endpoint.name, unit="model", file=sys.stderr, disable=None, leave=False
    ) as bar:

        def progress(result: ModelResult) -> None:
            if result.outcome == "failed":
                bar.write(f"{target.endpoint.name}: {result.target}: failed: {result.reason}", file=sys.stderr)
            bar.update(1)

        summary = warm_up(
            runtime,
            target.endpoint.name,
            models,
            payload=encode_payload(settings.payload, settings.content_type),
            content_type=settings.content_type,
            concurrency=concurrency,
            time_budget_s=settings.time_budget_s,
            on_result=progress,
        )
    if summary.skipped:
        print(
            f"{target.endpoint.name}: {len(summary.skipped)} model(s) not started within the time budget of "
            f"{settings.time_budget_s} s; raise warmup.time_budget_s or warmup.concurrency in the catalog",
            file=sys.stderr,
        )
    print(summary_line(summary))
    return 0 if summary.ok else 1


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `warmup` to an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "warmup",
        help="invoke every model on a multi-model endpoint once, so none is cold",
        description=(
            "List every *.tar.gz under the endpoint's S3 prefix and invoke each once (TargetModel), with the "
            "payload, concurrency, request timeout and time budget of the endpoint's warmup section."
        ),
    )
    add_target_arguments(parser)
    parser.add_argument(
        "--concurrency", type=_positive, metavar="N", help="invocations at the same time (default: warmup.concurrency)"
    )
    parser.set_defaults(run=guarded(_warmup))
    return parser
