"""`warmup`: invoke every model on a multi-model endpoint once, as the scheduled function does; or
every LoRA adapter of an inference-component endpoint once, so each customer's adapter is seen to
answer (after onboarding one, or a deployment).

Settings come from the endpoint's `warmup` section of the catalog (its defaults when absent).
Exit code 0 only when every model or adapter was warmed; a failed or skipped one makes it 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from tqdm import tqdm  # type: ignore[import-untyped]

from llm_hosting.bench.runner import is_json_content_type
from llm_hosting.catalog import CatalogError, load_catalog
from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.loader import LoadedCatalog
from llm_hosting.catalog.resolve import ResolvedEndpoint
from llm_hosting.catalog.schema import MultiModelEndpointSpec, Warmup
from llm_hosting.commands.arguments import whole_number
from llm_hosting.commands.publish import add_target_arguments, guarded, resolve_target
from llm_hosting.publish import PublishError
from llm_hosting.warmup.function.warmup import (
    Address,
    ModelResult,
    WarmupSummary,
    encode_payload,
    list_models,
    runtime_client,
    warm_up,
)


def summary_line(summary: WarmupSummary, what: str = "model") -> str:
    """One line: how many models (or adapters) were warmed, and what happened to the rest."""
    line = (
        f"{summary.endpoint_name}: warmed {len(summary.warmed)} of {summary.total} "
        f"{what}{'s' if summary.total != 1 else ''} in {summary.duration_s:.1f} s"
    )
    problems = [f"{len(summary.failed)} failed"] if summary.failed else []
    if summary.skipped:
        problems.append(f"{len(summary.skipped)} skipped")
    return f"{line} ({', '.join(problems)})" if problems else line


@dataclass(frozen=True)
class Targets:
    """What one warm-up invokes: the names, how they are addressed, and what they are called."""

    names: list[str]
    address: Address
    what: str
    settings: Warmup
    empty: str
    """What to say when there is nothing to invoke."""
    more_time: str
    """How to give the invocations more time when the budget ran out."""


def _endpoint(catalog: LoadedCatalog, name: str, source: str) -> ResolvedEndpoint:
    found = catalog.endpoint(name)
    if found is None:
        known = ", ".join(e.name for e in catalog.endpoints) or "none"
        raise CatalogError(
            source, [Problem("endpoints", f"no endpoint named '{name}'; use one of: {known}, or add it to the catalog")]
        )
    if found.type == "single-model":
        raise CatalogError(
            source,
            [
                Problem(
                    f"{found.at}.type",
                    f"endpoint '{name}' is single-model; warmup invokes the models of a multi-model endpoint or the "
                    "adapters of an inference-component endpoint",
                    catalog.lines.get(("endpoints", found.index, "type")),
                )
            ],
        )
    return found


def _component_targets(args: argparse.Namespace, endpoint: ResolvedEndpoint, source: str) -> Targets:
    """The endpoint's adapters (or the components and adapters `--component` names)."""
    known = [c.name for c in endpoint.components] + [a.name for a in endpoint.adapters]
    names = list(args.component or [a.name for a in endpoint.adapters])
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CatalogError(
            source,
            [
                Problem(
                    f"{endpoint.at}.components",
                    f"endpoint '{endpoint.name}' has no component or adapter named {', '.join(unknown)}; use one of: "
                    f"{', '.join(known)}",
                )
            ],
        )
    return Targets(
        names=names,
        address="InferenceComponentName",
        what="adapter" if not args.component else "component",
        settings=Warmup(),
        empty=(
            f"{endpoint.name}: no adapters on this endpoint; nothing to warm (add them under components[].adapters, "
            "or name components with --component)"
        ),
        more_time="raise --concurrency (an inference-component endpoint has no warmup section to set the budget in)",
    )


def _payload(args: argparse.Namespace, settings: Warmup) -> tuple[bytes, str]:
    content_type = args.content_type or settings.content_type
    if args.payload is None:
        return encode_payload(settings.payload, content_type), content_type
    try:
        body = Path(args.payload).read_bytes()
    except OSError as err:
        raise PublishError(f"--payload {args.payload}: {err.strerror or err}") from None
    if is_json_content_type(content_type):
        try:
            json.loads(body)
        except ValueError as err:
            raise PublishError(
                f"--payload {args.payload}: not valid JSON ({err}); fix it or pass --content-type"
            ) from None
    return body, content_type


def _warmup(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    endpoint = _endpoint(catalog, args.endpoint, args.catalog)
    if isinstance(endpoint.spec, MultiModelEndpointSpec):
        if args.component:
            raise PublishError(
                f"--component: {endpoint.name} is a multi-model endpoint, whose models are its archives; drop it"
            )
        target = resolve_target(args, catalog)
        settings = target.endpoint.warmup or Warmup()
        models = list_models(target.session.client("s3"), target.bucket, target.prefix)
        targets = Targets(
            names=models,
            address="TargetModel",
            what="model",
            settings=settings,
            empty=(
                f"{endpoint.name}: no models under s3://{target.bucket}/{target.prefix}; nothing to warm "
                f"(publish one with `python -m llm_hosting publish --endpoint {endpoint.name} DIR`)"
            ),
            more_time="raise warmup.time_budget_s or warmup.concurrency in the catalog",
        )
        session = target.session
    else:
        targets = _component_targets(args, endpoint, args.catalog)
        session = boto3.session.Session(region_name=args.region or catalog.region)
    if not targets.names:
        print(targets.empty)
        return 0
    settings = targets.settings
    payload, content_type = _payload(args, settings)
    concurrency = args.concurrency or settings.concurrency
    runtime = runtime_client(request_timeout_s=settings.request_timeout_s, concurrency=concurrency, session=session)

    # disable=None: no bar when stderr is not a terminal (CI logs, pipes).
    with tqdm(
        total=len(targets.names), desc=endpoint.name, unit=targets.what, file=sys.stderr, disable=None, leave=False
    ) as bar:

        def progress(result: ModelResult) -> None:
            if result.outcome == "failed":
                bar.write(f"{endpoint.name}: {result.target}: failed: {result.reason}", file=sys.stderr)
            bar.update(1)

        summary = warm_up(
            runtime,
            endpoint.name,
            targets.names,
            payload=payload,
            content_type=content_type,
            concurrency=concurrency,
            time_budget_s=settings.time_budget_s,
            on_result=progress,
            address=targets.address,
        )
    if summary.skipped:
        print(
            f"{endpoint.name}: {len(summary.skipped)} {targets.what}(s) not started within the time budget of "
            f"{settings.time_budget_s} s; {targets.more_time}",
            file=sys.stderr,
        )
    print(summary_line(summary, targets.what))
    return 0 if summary.ok else 1


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `warmup` to an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "warmup",
        help="invoke every model of a multi-model endpoint, or every adapter of an inference-component one, once",
        description=(
            "Multi-model endpoint: list every *.tar.gz under the endpoint's S3 prefix and invoke each once "
            "(TargetModel), with the payload, concurrency, request timeout and time budget of the endpoint's warmup "
            "section. Inference-component endpoint: invoke each of its LoRA adapters once (InferenceComponentName), "
            "so every customer's adapter is seen to answer; --component chooses components or adapters instead."
        ),
    )
    add_target_arguments(parser)
    parser.add_argument(
        "--component",
        action="append",
        metavar="NAME",
        help="inference-component endpoints: invoke this component or adapter (repeatable; default: every adapter)",
    )
    parser.add_argument(
        "--payload", metavar="FILE", help="request body, sent as it is (default: the warmup section's payload)"
    )
    parser.add_argument("--content-type", metavar="T", help="ContentType (default: the warmup section's)")
    parser.add_argument(
        "--concurrency",
        type=whole_number(1),
        metavar="N",
        help="invocations at the same time (default: warmup.concurrency)",
    )
    parser.set_defaults(run=guarded(_warmup))
    return parser
