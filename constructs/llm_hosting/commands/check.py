"""`check`: before a deploy, with AWS credentials and read-only, what the catalog needs of the account.

Weights prefixes (complete, loadable, the catalog's architecture, loadable by the engine version),
SageMaker endpoint quotas per instance type, and the images in their registries. Exit 1 with one
line per problem, or exit 0 with a summary table.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import boto3  # type: ignore[import-untyped]

from llm_hosting.catalog import load_catalog
from llm_hosting.commands.publish import guarded
from llm_hosting.naming import DEFAULT_CATALOG
from llm_hosting.onboarding import OnboardingError, size_text


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns as wide as their widest cell, two spaces apart."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    return [
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (header, *rows)
    ]


def _check(args: argparse.Namespace) -> int:
    from llm_hosting.onboarding.checks import check_catalog  # noqa: PLC0415

    catalog = load_catalog(args.catalog)
    session = boto3.session.Session(region_name=args.region or catalog.region)
    region = session.region_name
    if region is None:
        raise OnboardingError(
            f"{args.catalog}: no AWS region; pass --region, set AWS_REGION, or set environment.region in the catalog"
        )
    report = check_catalog(catalog, session, region)
    if report.findings:
        for finding in report.findings:
            print(finding.line(args.catalog), file=sys.stderr)
        return 1

    print(f"{args.catalog}: ready to deploy to account {report.account} in {report.region}")
    if report.weights:
        print()
        weights = [(w.name, w.uri, w.model_type, f"{w.files} ({size_text(w.size)})", w.engine) for w in report.weights]
        print("\n".join(table(("model", "weights", "model_type", "files", "engine"), weights)))
    if report.without_weights:
        print(f"\nno weights (code only): {', '.join(report.without_weights)}")
    if report.quotas:
        print()
        quotas = [(q.instance_type, str(q.reachable), f"{q.quota:g}", q.code) for q in report.quotas]
        print("\n".join(table(("instance type", "can reach", "quota", "quota code"), quotas)))
    if report.images:
        print()
        images = [(i.uri, ", ".join(i.endpoints)) for i in report.images]
        print("\n".join(table(("image (found)", "endpoints"), images)))
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `check` to an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="before a deploy: weights prefixes, endpoint quotas and images against the AWS account (read-only)",
        description=(
            "With AWS credentials and read-only calls: every DJL model's weights prefix holds a complete stage "
            "(llm-hosting-manifest.json) of a loadable model whose model_type is the catalog's architecture and "
            "which the engine version loads; SageMaker's '<instance type> for endpoint usage' quotas cover the "
            "most instances the catalog can reach; every image exists in its registry. One line per problem and "
            "exit 1, or a summary and exit 0."
        ),
    )
    parser.add_argument(
        "catalog",
        nargs="?",
        default=DEFAULT_CATALOG,
        metavar="CATALOG",
        help=f"catalog file (default: {DEFAULT_CATALOG})",
    )
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="AWS region (default: the catalog's environment.region, else your AWS config)",
    )
    parser.set_defaults(run=guarded(_check))
    return parser
