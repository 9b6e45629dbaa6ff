"""Show a review: grouped text for a person, JSON (stable key and item order) for a pipeline."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from typing import Any

from llm_hosting.review.assemblies import Review
from llm_hosting.review.diff import PropertyChange, ResourceAction, ResourceChange, StackChange

ACTIONS: tuple[ResourceAction, ...] = ("added", "removed", "replaced", "modified")
VALUE_WIDTH = 60
"""Longest value shown in text; JSON carries the whole value."""
INDENT = " " * 12


def render_text(review: Review, width: int = 100) -> str:
    blocks: list[list[str]] = [_stack_lines(stack) for stack in review.change.changed]
    unchanged = [s.name for s in review.change.stacks if s.status == "unchanged"]
    if unchanged:
        blocks.append([f"Unchanged: {', '.join(unchanged)}"])
    if not review.change.changed:
        blocks.append(["No changes."])

    open_findings = review.unacknowledged
    acknowledged = [f for f in review.findings if review.is_acknowledged(f)]
    if open_findings:
        lines = [f"RISKY: {len(open_findings)} to acknowledge"]
        for finding in open_findings:
            lines.append(f"  ! {finding.id}")
            lines.extend(_wrap(finding.message, width))
        blocks.append(lines)
    if acknowledged:
        blocks.append([f"Acknowledged: {len(acknowledged)}", *(f"  - {finding.id}" for finding in acknowledged)])
    if open_findings:
        plural = "s" if len(open_findings) != 1 else ""
        blocks.append(
            [
                f"{len(open_findings)} risky change{plural} not acknowledged (exit code 2). After review, pass "
                "--acknowledge with an id above, `<rule>:<stack>` or a rule id."
            ]
        )
    else:
        blocks.append(["Nothing risky left unacknowledged." if review.findings else "Nothing risky."])
    return "\n\n".join("\n".join(block) for block in blocks)


def _wrap(text: str, width: int) -> list[str]:
    # Names like `small-llm` and `rv-small-llm/Target` must stay whole to be copied.
    return textwrap.wrap(
        text, width, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False, break_long_words=False
    )


def _stack_lines(stack: StackChange) -> list[str]:
    counts = [f"{len(stack.with_action(a))} {a}" for a in ACTIONS if stack.with_action(a)]
    if stack.template:
        counts.append(f"{len(stack.template)} template change{'s' if len(stack.template) != 1 else ''}")
    lines = [f"Stack {stack.name}: {stack.status}" + (f" ({', '.join(counts)})" if counts else "")]
    # Template order (CDK's construct order) reads naturally: a model before the config that uses it.
    order: dict[str, int] = {}
    for lid in [*_logical_ids(stack.new_template), *_logical_ids(stack.old_template)]:
        order.setdefault(lid, len(order))
    for action in ACTIONS:
        for resource in sorted(stack.with_action(action), key=lambda r: order.get(r.logical_id, len(order))):
            lines.extend(_resource_lines(resource))
    for change in stack.template:
        lines.append(f"  template  {change.describe(VALUE_WIDTH)}")
    return lines


def _logical_ids(template: Mapping[str, Any] | None) -> list[str]:
    resources = template.get("Resources", {}) if template is not None else {}
    return list(resources) if isinstance(resources, dict) else []


def _resource_lines(resource: ResourceChange) -> list[str]:
    lines = [f"  {resource.action:<9} {resource.logical_id} ({resource.resource_type})"]
    lines.extend(f"{INDENT}because {reason}" for reason in resource.reasons)
    lines.extend(f"{INDENT}{change.describe(VALUE_WIDTH)}" for change in resource.changes)
    return lines


def render_json(review: Review) -> str:
    document = {
        "stacks": [_stack_json(stack) for stack in review.change.stacks],
        "findings": [
            {
                "id": f.id,
                "rule": f.rule,
                "stack": f.stack,
                "logical_id": f.logical_id,
                "message": f.message,
                "acknowledged": review.is_acknowledged(f),
            }
            for f in review.findings
        ],
        "unacknowledged": [f.id for f in review.unacknowledged],
        "exit_code": review.exit_code,
    }
    return json.dumps(document, indent=2, sort_keys=True)


def _stack_json(stack: StackChange) -> dict[str, Any]:
    return {
        "name": stack.name,
        "status": stack.status,
        "resources": [
            {
                "logical_id": r.logical_id,
                "type": r.resource_type,
                "action": r.action,
                "reasons": list(r.reasons),
                "changes": [_change_json(c) for c in r.changes],
            }
            for r in stack.resources
        ],
        "template": [_change_json(c) for c in stack.template],
    }


def _change_json(change: PropertyChange) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": change.label,
        "kind": change.kind,
        "create_only": change.create_only,
        "attribute": change.attribute,
        "replaced_refs": list(change.replaced_refs),
        "note": change.note,
    }
    if change.kind != "added":
        out["old"] = change.old
    if change.kind != "removed":
        out["new"] = change.new
    return out
