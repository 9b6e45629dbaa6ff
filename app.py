#!/usr/bin/env python3
"""The CDK app: the catalog named by context `catalog` (default catalog.yaml) becomes the stacks.

With `pipeline.enabled: true` (or `-c pipeline=true`) the app is the pipeline stack instead, which
deploys the same stacks to each of the catalog's pipeline stages.

The catalog is validated before any construct exists: a bad catalog prints one line per problem
and exits 1, so no cloud assembly is written. The catalog's cdk-nag packs run on every synthesis;
a finding that is neither fixed nor acknowledged stops it, with cdk-nag's report above the line.
Every template is then held to CloudFormation's limits, naming the stack and the count.
"""

import sys

import aws_cdk as cdk

from llm_hosting.catalog import CatalogError, load_catalog
from llm_hosting.limits import LimitExceededError, enforce_limits
from llm_hosting.naming import DEFAULT_CATALOG
from stacks import build_stacks
from stacks.pipeline import build_pipeline


def main(app: cdk.App | None = None) -> None:
    """Synthesize `app` (by default the one `cdk synth` describes through its environment)."""
    app = app or cdk.App()
    path = app.node.try_get_context("catalog") or DEFAULT_CATALOG
    try:
        catalog = load_catalog(
            path,
            account=app.node.try_get_context("account"),
            region=app.node.try_get_context("region"),
        )
        for notice in catalog.notices:
            print(f"warning: {notice}", file=sys.stderr)
        if build_pipeline(app, catalog) is None:
            build_stacks(app, catalog)
    except CatalogError as err:
        print(err, file=sys.stderr)
        sys.exit(1)
    try:
        app.synth()
    except RuntimeError as err:
        if "ValidationFailed" not in str(err):
            raise
        print(
            f"{path}: compliance: findings above are neither fixed nor acknowledged; fix them, acknowledge "
            "them with a reason, or remove the pack from compliance.packs",
            file=sys.stderr,
        )
        sys.exit(1)
    # CloudFormation's per-template limits (500 resources, 1 MB, 200 outputs/parameters/mappings).
    try:
        for warning in enforce_limits(app.outdir):
            print(f"warning: {warning}", file=sys.stderr)
    except LimitExceededError as err:
        print(err, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
