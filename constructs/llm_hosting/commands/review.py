"""`python -m llm_hosting review OLD NEW`: what deploying NEW over OLD changes, and what is risky.

Exit codes: 0 nothing risky (or every risky finding acknowledged), 2 at least one risky change not
acknowledged, 1 bad input (a directory missing or not a cloud assembly), reported on one line.
"""

from __future__ import annotations

import argparse
import sys

from llm_hosting.review import RULES, ReviewInputError, render_json, render_text, review_assemblies
from llm_hosting.review.assemblies import EXIT_BAD_INPUT

EPILOG = (
    "exit codes:\n"
    "  0  no risky change, or every risky change acknowledged\n"
    "  2  a risky change is not acknowledged (review it, then pass --acknowledge)\n"
    "  1  bad input: a directory is missing or not a cloud assembly\n"
    "\n"
    "acknowledge a finding by its id (<rule>:<stack>/<logicalId>), every finding of a rule in one stack\n"
    "(<rule>:<stack>), or every finding of a rule (<rule>). Rules:\n"
    + "\n".join(f"  {rule.id:<33} {rule.summary}" for rule in RULES)
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `review` command to the command line."""
    review = subparsers.add_parser(
        "review",
        help="compare two synthesized cloud assemblies and flag risky changes",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    review.add_argument("old", help="cloud assembly of what is deployed now (e.g. a cdk.out from the main branch)")
    review.add_argument("new", help="cloud assembly to deploy (e.g. this change's cdk.out)")
    review.add_argument("--json", action="store_true", help="print the review as JSON (stable order)")
    review.add_argument(
        "--acknowledge",
        action="append",
        default=[],
        metavar="ID",
        help="accept a reviewed risky finding (repeatable): a finding id, <rule>:<stack> or a rule id",
    )
    review.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        result = review_assemblies(args.old, args.new, acknowledge=args.acknowledge)
    except ReviewInputError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT
    for ack in result.unused_acknowledgements:
        print(f"warning: --acknowledge {ack} matches no finding", file=sys.stderr)
    print(render_json(result) if args.json else render_text(result))
    return result.exit_code
