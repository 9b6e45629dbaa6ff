"""`python -m llm_hosting plan [PATH]`: how many instances each inference-component endpoint needs.

Packs the copies of every component at their initial and maximum counts, says whether the count
is proven optimal, and compares with dedicated single-model endpoints; does the same on each
fallback type of `instance_pools` (what holds the copies when the types before it are short), and
lists the LoRA adapters riding on each component. Exit codes: 0 planned, 1 the catalog (or the SVG
file) could not be used, reported on one line per problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from llm_hosting.catalog import load_catalog
from llm_hosting.catalog.plan import plan_catalog
from llm_hosting.commands.arguments import add_catalog_path
from llm_hosting.planner.baseline import BaselineError
from llm_hosting.planner.model import PlacementError
from llm_hosting.planner.report import plan_dict, plan_text
from llm_hosting.planner.svg import plan_svg


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `plan` command to the command line."""
    plan = subparsers.add_parser(
        "plan",
        help="pack inference-component copies onto instances and compare with dedicated endpoints",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    add_catalog_path(plan)
    plan.add_argument("--json", action="store_true", help="print the plan as JSON (stable key order)")
    plan.add_argument("--svg", metavar="FILE", type=Path, help="also draw the placements into this SVG file")
    plan.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.path)
    try:
        plan = plan_catalog(catalog, source=str(args.path))
    except (PlacementError, BaselineError) as err:
        # A validated catalog should not get here (the rules check each reservation against the type).
        print(f"{args.path}: {err}", file=sys.stderr)
        return 1
    if args.svg is not None:
        try:
            args.svg.write_text(plan_svg(plan), encoding="utf-8")
        except OSError as err:
            print(
                f"{args.svg}: cannot write the SVG ({err.strerror}); check the directory and permissions",
                file=sys.stderr,
            )
            return 1
    if args.json:
        print(json.dumps(plan_dict(plan), indent=2))
    else:
        print(plan_text(plan))
        if args.svg is not None:
            print(f"\nplacement drawn in {args.svg}")
    return 0
