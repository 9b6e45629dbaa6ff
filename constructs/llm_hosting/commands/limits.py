"""`python -m llm_hosting limits [CDK_OUT]`: every template of a cloud assembly against CloudFormation's limits.

Resources, template size, outputs, parameters, mappings and mapping attributes per stack. Exit
codes: 0 within every limit (warnings above 90 % are printed but do not fail), 1 a template over a
limit (one line each) or bad input (one line on stderr).
"""

from __future__ import annotations

import argparse

from llm_hosting.assembly import read_assembly
from llm_hosting.commands.arguments import add_assembly_dir
from llm_hosting.limits import check_template_limits


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `limits` command to the command line."""
    limits = subparsers.add_parser(
        "limits",
        help="check every template of a synthesized cloud assembly against CloudFormation's limits",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    add_assembly_dir(limits)
    limits.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    stacks = read_assembly(args.cdk_out)
    problems = [
        problem for stack in stacks for problem in check_template_limits(stack.name, stack.template, stack.size_bytes)
    ]
    for problem in problems:
        print(problem)
    errors = sum(1 for problem in problems if problem.error)
    warnings = len(problems) - errors
    stacks_text = f"{len(stacks)} stack{'s' if len(stacks) != 1 else ''}"
    if errors:
        print(f"limits: {errors} over a CloudFormation limit, {warnings} near one, in {stacks_text}")
        return 1
    largest = max(stacks, key=lambda stack: len(stack.resources), default=None)
    detail = f" (largest: {largest.name}, {len(largest.resources)} resources)" if largest is not None else ""
    near = f"; {warnings} near a limit" if warnings else ""
    print(f"limits: {stacks_text} within CloudFormation's limits{detail}{near}")
    return 0
