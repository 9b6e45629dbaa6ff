"""Template values for the change review: what an expression refers to, and how to show it briefly.

CloudFormation resolves intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Sub`, ...) only at deploy time, so
the review never guesses their values: it names the resources they refer to and renders them short.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeAlias

PathPart: TypeAlias = str | int
Path: TypeAlias = tuple[PathPart, ...]

# `${Name}` and `${Name.Attribute}` in Fn::Sub; `${!Literal}` is an escaped literal, not a reference.
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_:@/-]+")


def is_intrinsic(value: Any) -> bool:
    """`{"Ref": ...}` or `{"Fn::...": ...}`: a value CloudFormation computes at deploy time."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key in {"Ref", "Condition"} or str(key).startswith("Fn::")


def references(value: Any) -> frozenset[str]:
    """Logical ids (resources, parameters or pseudo parameters) that `value` refers to."""
    return frozenset(_references(value))


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _references(item)
        return
    if not isinstance(value, dict):
        return
    for key, arg in value.items():
        if key == "Ref" and isinstance(arg, str):
            yield arg
        elif key == "Fn::GetAtt":
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                yield arg[0]
            elif isinstance(arg, str):
                yield arg.split(".", 1)[0]
        elif key == "Fn::Sub":
            text, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
            local = set(variables) if isinstance(variables, dict) else set()
            if isinstance(text, str):
                for name in _SUB_VARIABLE.findall(text):
                    target = name.split(".", 1)[0]
                    if target not in local:
                        yield target
            yield from _references(variables)
        else:
            yield from _references(arg)


def format_path(path: Path) -> str:
    """`("ProductionVariants", 0, "InstanceType")` -> `ProductionVariants[0].InstanceType`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out


def render(value: Any) -> str:
    """A one-line rendering of a template value, intrinsics in YAML short form."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    if is_intrinsic(value):
        ((key, arg),) = value.items()
        if key == "Ref":
            return f"!Ref {arg}"
        if key == "Fn::GetAtt":
            return f"!GetAtt {_get_att(arg)}"
        if key in ("Fn::Sub", "Fn::Join"):
            return _inline(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _get_att(arg: Any) -> str:
    if isinstance(arg, list):
        return ".".join(str(part) for part in arg)
    return str(arg)


def _inline(value: Any) -> str:
    """A value as it reads inside a string: literals as they are, intrinsics as `${...}`."""
    if isinstance(value, str):
        return value
    if is_intrinsic(value):
        ((key, arg),) = value.items()
        if key == "Ref":
            return f"${{{arg}}}"
        if key == "Fn::GetAtt":
            return f"${{{_get_att(arg)}}}"
        if key == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) else arg
            return text if isinstance(text, str) else render(value)
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            separator = arg[0] if isinstance(arg[0], str) else ""
            return separator.join(_inline(part) for part in arg[1])
        if key == "Fn::FindInMap" and isinstance(arg, list):
            return "${" + ".".join(_inline(part) for part in arg) + "}"
    return "${" + render(value) + "}"


def resolve_string(value: Any, resources: Mapping[str, Any]) -> str | None:
    """The literal string `value` stands for, or None when it is known only at deploy time.

    Understands literals, `Fn::Join` of resolvable parts, and a `Ref`/`Fn::GetAtt` of a SageMaker
    endpoint whose `EndpointName` is literal: that is how scaling targets name their endpoint.
    """
    if isinstance(value, str):
        return value
    if not is_intrinsic(value):
        return None
    ((key, arg),) = value.items()
    if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        parts = [resolve_string(part, resources) for part in arg[1]]
        if not isinstance(arg[0], str) or any(part is None for part in parts):
            return None
        return arg[0].join(part for part in parts if part is not None)
    if key in ("Ref", "Fn::GetAtt"):
        target = arg if isinstance(arg, str) and key == "Ref" else None
        attribute = None
        if key == "Fn::GetAtt":
            target, attribute = _split_get_att(arg)
        resource = resources.get(target) if target is not None else None
        if isinstance(resource, dict) and resource.get("Type") == "AWS::SageMaker::Endpoint":
            name = resource.get("Properties", {}).get("EndpointName")
            # `Ref` of an endpoint is its ARN in the current schema, so only the name attribute counts.
            if attribute == "EndpointName" and isinstance(name, str):
                return name
    return None


def _split_get_att(arg: Any) -> tuple[str | None, str | None]:
    if isinstance(arg, list) and len(arg) == 2 and all(isinstance(part, str) for part in arg):
        return arg[0], arg[1]
    if isinstance(arg, str) and "." in arg:
        target, attribute = arg.split(".", 1)
        return target, attribute
    return None, None


def value_at(value: Any, path: Path) -> Any:
    """The value at `path` inside `value`, or None where the path does not exist."""
    for part in path:
        found = (isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)) or (
            isinstance(value, dict) and part in value
        )
        if not found:
            return None
        value = value[part]
    return value
