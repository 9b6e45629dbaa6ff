"""Run the preflight over every stack: each resource's API requests against botocore, then the rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from llm_hosting.assembly import StackTemplate, read_assembly
from llm_hosting.preflight.requests import REQUESTS
from llm_hosting.preflight.rules import RULES, Resource, index_names, template_env
from llm_hosting.preflight.shapes import Finding, check_request


@dataclass(frozen=True)
class Problem:
    """One property of one resource that the API (or a documented rule) would refuse."""

    template: Path
    stack: str
    logical_id: str
    path: str
    """The property path inside the resource, e.g. `Specification.Container.Environment`."""
    message: str
    """What is wrong, with the limit and its source."""

    def __str__(self) -> str:
        # One problem, one line, whatever characters a template's keys or values carry.
        line = f"{self.template}: {self.stack}/{self.logical_id} {self.path}: {self.message}"
        return line.replace("\r", "\\r").replace("\n", "\\n")


def preflight(cdk_out: str | Path) -> list[Problem]:
    """Every problem in the cloud assembly in `cdk_out`; `AssemblyError` if it cannot be read."""
    return check_stacks(read_assembly(cdk_out))


def check_stacks(stacks: Sequence[StackTemplate]) -> list[Problem]:
    """Every problem in `stacks` (read with `read_assembly`), in stack and resource order."""
    names = index_names(stacks)
    problems: list[Problem] = []
    for stack in stacks:
        env = template_env(stack)
        for logical_id, resource in stack.resources.items():
            kind = resource.get("Type") if isinstance(resource, dict) else None
            if not isinstance(kind, str) or kind not in REQUESTS:
                continue
            properties = resource.get("Properties", {})
            if not isinstance(properties, dict):
                continue  # a whole Properties object from an intrinsic function: nothing literal
            findings: list[Finding] = []
            for request in REQUESTS[kind]:
                findings.extend(
                    check_request(
                        request.operation,
                        request.request(properties),
                        env,
                        supplied=request.supplied_for(properties),
                        check_required=request.check_required,
                    )
                )
            context = Resource(logical_id, properties, stack, names)
            for rule in RULES.get(kind, ()):
                findings.extend(rule(context))
            problems.extend(
                Problem(stack.path, stack.name, logical_id, finding.path, finding.message)
                for finding in dict.fromkeys(findings)
            )
    return problems
