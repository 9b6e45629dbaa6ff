"""CloudFormation's per-template limits, checked on a synthesized cloud assembly after every synth.

The limits are those of `shared/reference/aws-facts.md` section E (source: awsdocs
aws-cloudformation-user-guide `doc_source/cloudformation-limits.md`, version 972bedb6, 2023-07-15;
live page https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
500 resources, 200 outputs, 200 parameters and 200 mappings per template, 200 attributes per
mapping, and 1 MB for a template CloudFormation reads from S3. Past any of them CloudFormation
refuses the whole stack, after the upload; here it is an error at synth time, and more than 90 %
of a limit is a warning, so the stack is split before a catalog change crosses it.

The 51,200-byte limit on a template sent in the request body (`TemplateBody`) is not checked: the CDK
CLI deploys a stack from its template asset in the bootstrap bucket (`TemplateURL` from the manifest's
`stackTemplateAssetObjectUrl`), and without one it uploads any template over 50 KiB there itself
(`makeBodyParameter` in the pinned CLI's `toolkit-lib/lib/api/cloudformation/template-body-parameter.ts`),
so only the S3 limit applies.

"Attributes per mapping" is not defined further by the documentation: a mapping's top-level keys
and the attributes under one key are both counted against it, whichever is larger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_hosting.assembly import StackTemplate, read_assembly

MAX_RESOURCES = 500
MAX_OUTPUTS = 200
MAX_PARAMETERS = 200
MAX_MAPPINGS = 200
MAX_MAPPING_ATTRIBUTES = 200
MAX_TEMPLATE_BYTES = 1_048_576
"""1 MB, the limit for a template in S3."""
WARN_ABOVE = 0.9
"""Counts above this share of a limit are reported as warnings."""

_SPLIT = "split the catalog, or put fewer endpoints in one stack"


@dataclass(frozen=True)
class LimitProblem:
    """A template over one of CloudFormation's limits (an error) or close to it (a warning)."""

    stack: str
    count: int
    noun: str
    """What is counted: `resources`, `bytes`, `outputs`, `parameters`, `mappings`, `attributes`."""
    limit: int
    scope: str
    """How the limit reads after its number: `per stack`, `bytes (1 MB) for a template uploaded to S3`."""
    fix: str
    error: bool
    subject: str = ""
    """What inside the stack is counted, when not the stack itself: `mapping ContainerRegistries`."""

    def __str__(self) -> str:
        where = f"{self.stack}: {self.subject + ': ' if self.subject else ''}{self.count:,} {self.noun}"
        limit = f"CloudFormation's limit of {self.limit:,} {self.scope}"
        if self.error:
            return f"{where}, over {limit}; {self.fix}"
        return f"warning: {where}, {self.count * 100 // self.limit} % of {limit}; {self.fix}"


class LimitExceededError(ValueError):
    """At least one template passes a CloudFormation limit; the message has one line per problem."""

    def __init__(self, problems: list[LimitProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def _measure(
    stack: str, count: int, limit: int, *, noun: str, scope: str, fix: str, subject: str = ""
) -> list[LimitProblem]:
    if count > limit:
        return [LimitProblem(stack, count, noun, limit, scope, fix, error=True, subject=subject)]
    if count > limit * WARN_ABOVE:
        return [LimitProblem(stack, count, noun, limit, scope, fix, error=False, subject=subject)]
    return []


def _section(template: dict[str, Any], name: str) -> dict[str, Any]:
    section = template.get(name)
    return section if isinstance(section, dict) else {}


def _resource_fix(resources: dict[str, Any]) -> str:
    components = sum(
        1
        for resource in resources.values()
        if isinstance(resource, dict) and resource.get("Type") == "AWS::SageMaker::InferenceComponent"
    )
    if components:
        return (
            f"it holds {components} inference components, which the app shards into -part2, -part3… stacks by "
            "itself, so each component creates more resources than the sharding allows for: put fewer components "
            "in one stack"
        )
    return _SPLIT


def check_template_limits(stack: str, template: dict[str, Any], size_bytes: int) -> list[LimitProblem]:
    """The limit problems of one template (`size_bytes`: the size of the file the CLI uploads)."""
    resources = _section(template, "Resources")
    mappings = _section(template, "Mappings")
    per_stack = "per stack"
    problems = [
        *_measure(
            stack, len(resources), MAX_RESOURCES, noun="resources", scope=per_stack, fix=_resource_fix(resources)
        ),
        *_measure(
            stack,
            size_bytes,
            MAX_TEMPLATE_BYTES,
            noun="bytes",
            scope="bytes (1 MB) for a template uploaded to S3",
            fix=f"put fewer resources in the stack: {_SPLIT}",
        ),
        *_measure(
            stack,
            len(_section(template, "Outputs")),
            MAX_OUTPUTS,
            noun="outputs",
            scope=per_stack,
            fix="export fewer values",
        ),
        *_measure(
            stack,
            len(_section(template, "Parameters")),
            MAX_PARAMETERS,
            noun="parameters",
            scope=per_stack,
            fix="take fewer values as parameters (the catalog can carry them)",
        ),
        *_measure(
            stack,
            len(mappings),
            MAX_MAPPINGS,
            noun="mappings",
            scope=per_stack,
            fix="use fewer mappings, or synthesize for a concrete account and region so lookups become literal values",
        ),
    ]
    for name, mapping in mappings.items():
        if not isinstance(mapping, dict):
            continue
        widest = max((len(entry) for entry in mapping.values() if isinstance(entry, dict)), default=0)
        problems += _measure(
            stack,
            max(len(mapping), widest),
            MAX_MAPPING_ATTRIBUTES,
            noun="attributes",
            scope="per mapping",
            fix="split the mapping into several",
            subject=f"mapping {name}",
        )
    return problems


def check_limits(cdk_out: str | Path | Sequence[StackTemplate]) -> list[LimitProblem]:
    """Every limit problem (errors and warnings) of the cloud assembly in `cdk_out` (or of its stacks,
    already read with `read_assembly`).

    Raises `AssemblyError` (one line) when `cdk_out` is not a readable cloud assembly.
    """
    stacks = read_assembly(cdk_out) if isinstance(cdk_out, str | Path) else cdk_out
    problems: list[LimitProblem] = []
    for stack in stacks:
        problems += check_template_limits(stack.name, stack.template, stack.size_bytes)
    return problems


def enforce_limits(cdk_out: str | Path | Sequence[StackTemplate]) -> list[LimitProblem]:
    """The warnings of `check_limits`; raises `LimitExceededError` when any template passes a limit.

    Meant for right after `app.synth()`: print the error and exit 1, print the warnings and go on.
    """
    problems = check_limits(cdk_out)
    errors = [problem for problem in problems if problem.error]
    if errors:
        raise LimitExceededError(errors)
    return problems
