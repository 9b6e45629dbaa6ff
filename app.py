#!/usr/bin/env python3
"""The CDK app: the catalog named by context `catalog` (default catalog.yaml) becomes the stacks.

With `pipeline.enabled: true` (or `-c pipeline=true`) the app is the pipeline stack instead, which
deploys the same stacks to each of the catalog's pipeline stages.

The catalog is validated before any construct exists: a bad catalog prints one line per problem
and exits 1, so no cloud assembly is written. The catalog's cdk-nag packs run on every synthesis;
a finding that is neither fixed nor acknowledged stops it, with cdk-nag's report above the line.
Every template is then held to CloudFormation's limits, naming the stack and the count, and every
SageMaker, scaling and alarm resource to botocore's API models (the preflight), one line per problem.

The preflight takes the place of CDK's built-in generic template validation (cfn-lint's rules in
WebAssembly, about 3 ms of CPU per resource, half of a large catalog's synthesis): it checks what
this app's resources send to the APIs, and `make test` runs the real cfn-lint on the templates.
`CDK_VALIDATION=true` turns CDK's validation back on as well.

With context `list_stacks=true` (`make synth` sets it) the app ends by listing the stacks it wrote,
with their resource counts and template sizes, as `python -m llm_hosting stacks cdk.out` does.
"""

import os
import sys
from pathlib import Path

import aws_cdk as cdk

from llm_hosting.assembly import read_assembly, stack_table
from llm_hosting.catalog import CatalogError, load_catalog
from llm_hosting.limits import LimitExceededError, enforce_limits
from llm_hosting.naming import DEFAULT_CATALOG
from llm_hosting.preflight import check_stacks
from stacks import build_stacks
from stacks.pipeline import build_pipeline


def main(app: cdk.App | None = None) -> None:
    """Synthesize `app` (by default the one `cdk synth` describes through its environment)."""
    app = app or cdk.App(builtin_cloud_formation_validation=os.environ.get("CDK_VALIDATION") == "true")
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
    stacks = read_assembly(app.outdir)
    # CloudFormation's per-template limits (500 resources, 1 MB, 200 outputs/parameters/mappings).
    try:
        for warning in enforce_limits(stacks):
            print(f"warning: {warning}", file=sys.stderr)
    except LimitExceededError as err:
        print(err, file=sys.stderr)
        sys.exit(1)
    problems = check_stacks(stacks)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            f"{path}: preflight: {len(problems)} request(s) the APIs would refuse (above); fix the catalog, or "
            "report the construct that wrote them",
            file=sys.stderr,
        )
        sys.exit(1)
    if app.node.try_get_context("list_stacks") in (True, "true"):
        for line in stack_table(stacks, relative_to=Path.cwd()):
            print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
