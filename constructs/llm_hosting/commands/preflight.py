"""`python -m llm_hosting preflight [CDK_OUT]`: check a synthesized cloud assembly against the API models.

Every SageMaker model, endpoint config, endpoint and inference component, every Application Auto
Scaling target and policy, and every CloudWatch alarm is checked as the API request CloudFormation
will send, against botocore's request shapes and the documented rules they cannot express. Exit
codes: 0 no problem, 1 at least one problem (one line each) or bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
from collections import Counter

import botocore  # type: ignore[import-untyped]

from llm_hosting.assembly import read_assembly
from llm_hosting.commands.arguments import add_assembly_dir
from llm_hosting.preflight import CHECKED_TYPES, check_stacks


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `preflight` command to the command line."""
    preflight = subparsers.add_parser(
        "preflight",
        help="check a synthesized cloud assembly against botocore's SageMaker/Auto Scaling/CloudWatch API models",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    add_assembly_dir(preflight)
    preflight.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    stacks = read_assembly(args.cdk_out)
    problems = check_stacks(stacks)
    for problem in problems:
        print(problem)
    checked = sum(
        1
        for stack in stacks
        for resource in stack.resources.values()
        if isinstance(resource, dict) and resource.get("Type") in CHECKED_TYPES
    )
    stacks_with_problems = len(Counter(problem.stack for problem in problems))
    scope = (
        f"{checked} resource{'s' if checked != 1 else ''} in {len(stacks)} stack{'s' if len(stacks) != 1 else ''} "
        f"checked against the botocore {botocore.__version__} API models"
    )
    if problems:
        print(
            f"preflight: {len(problems)} problem{'s' if len(problems) != 1 else ''} in "
            f"{stacks_with_problems} stack{'s' if stacks_with_problems != 1 else ''}; {scope}"
        )
        return 1
    print(f"preflight: no problems; {scope}")
    return 0
