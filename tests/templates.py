"""Small readers for synthesized templates."""

from __future__ import annotations

import json
from typing import Any


def of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def one(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = of_type(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def props(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    properties: dict[str, Any] = one(template, resource_type)["Properties"]
    return properties


def statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every IAM policy statement in the template (inline and managed policies)."""
    out: list[dict[str, Any]] = []
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in of_type(template, kind).values():
            out.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return out


def text(value: Any) -> str:
    """A template fragment as compact JSON, for `in` checks on joined ARNs."""
    return json.dumps(value, sort_keys=True)
