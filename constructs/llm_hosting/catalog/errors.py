"""Catalog problems as one-line messages: `FILE: field.path: what is wrong, and the fix`."""

from __future__ import annotations

import datetime
import difflib
import json
import math
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, JsonValue
from pydantic_core import ErrorDetails

from llm_hosting.naming import MAX_PROJECT_LENGTH, PROJECT_PATTERN

Loc = tuple[int | str, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a catalog, at one field."""

    path: str
    message: str
    line: int | None = None

    def format(self, source: str) -> str:
        where = f" (line {self.line})" if self.line else ""
        return one_line(f"{source}: {self.path}: {self.message}{where}")


# Everything str.splitlines() breaks on: one problem must stay one line, whatever the user wrote.
_LINE_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    return _LINE_BREAKS.sub(lambda m: repr(m.group())[1:-1], text)


class CatalogError(Exception):
    """A catalog that cannot be used; `str()` is one line per problem."""

    def __init__(self, source: str | Path, problems: Sequence[Problem]) -> None:
        self.source = str(source)
        self.problems = tuple(problems)
        super().__init__("\n".join(p.format(self.source) for p in self.problems))


# Keys shown as they are; others (empty, spaces, line breaks, brackets, quotes) as `["..."]`.
_PLAIN_KEY = re.compile(r"^[^\s\[\]\"'\\]+$")


def format_path(loc: Loc) -> str:
    """`('endpoints', 1, 'model', 'engine')` -> `endpoints[1].model.engine`; odd keys are quoted."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not (_PLAIN_KEY.match(part) and part.isprintable()):
            out += f"[{json.dumps(part)}]"
        elif out:
            out += f".{part}"
        else:
            out = part
    return out or "(top level)"


# --- pydantic errors -> problems ---------------------------------------------------------------

_PATTERN_HINTS = {
    PROJECT_PATTERN: (
        f"use 1-{MAX_PROJECT_LENGTH} lower-case letters, digits and hyphens, starting with a letter and not ending "
        "with a hyphen "
        "(it starts the S3 bucket name <project>-artifacts-<account>-<region>)"
    ),
    r"^ml\.[a-z0-9-]+\.[a-z0-9]+$": "use a SageMaker instance type such as ml.g5.12xlarge",
    r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(.+/)?$": "use an S3 prefix ending in '/', such as s3://my-bucket/models/flan-t5/",
    r"^\d{12}$": 'use the 12-digit AWS account id, quoted: "123456789012"',
    r"^[a-z]{2}(-[a-z]+)+-\d$": "use a region code such as us-east-1",
    r"^[a-zA-Z_][a-zA-Z0-9_]*$": "environment variable names use letters, digits and '_' and do not start with a digit",
    r"^subnet-[0-9a-f]+$": "use a subnet id such as subnet-0abc1234",
    r"^sg-[0-9a-f]+$": "use a security group id such as sg-0abc1234",
    r"^\S+$": "remove the spaces",
    r"^[a-zA-Z][\w.-]*$": "use a serving.properties key such as option.dtype",
    r"^[a-z][a-z0-9_]*$": "use the model_type from the model's config.json, such as llama, t5 or gpt_neox",
}


def _hint_for_pattern(pattern: str, field: str) -> str:
    if pattern in _PATTERN_HINTS:
        return _PATTERN_HINTS[pattern]
    if pattern.startswith("^arn:aws[a-z-]*:kms"):
        return "use a KMS key or alias ARN such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-..."
    if pattern.endswith(r"\.tar\.gz$"):
        return "use the S3 URI of one .tar.gz archive, such as s3://my-bucket/adapters/acme.tar.gz"
    if ":sagemaker:" in pattern:
        return (
            "use the ARN of an ML capacity reservation, such as "
            "arn:aws:sagemaker:us-east-1:123456789012:training-plan/p5-for-endpoints"
        )
    if pattern.startswith("^(rate"):
        return "use an EventBridge schedule such as rate(1 hour) or cron(0 * * * ? *)"
    if ":sns:" in pattern:
        return "use an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alarms"
    if "codeconnections" in pattern:
        return "use a CodeConnections ARN such as arn:aws:codeconnections:us-east-1:123456789012:connection/1a2b..."
    if pattern.startswith(r"^[\w.:/=+@ -]"):
        return "tags use letters, digits, spaces and _ . : / = + - @"
    if pattern == r"^[^@\s]+@[^@\s]+\.[^@\s]+$":
        return "use an email address such as ops@example.com"
    if pattern == r"^[\w.-]+/[\w.-]+$":
        return "use owner/name, such as my-org/llm-hosting"
    if pattern == r"^[A-Za-z][A-Za-z0-9-]{0,63}$":
        return "use letters, digits and hyphens, starting with a letter"
    return f"it must match {pattern}"


def shown(value: Any) -> str:
    """A value as the user would recognise it, at most 100 characters."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        text = value.isoformat()
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**60:
        text = f"a {math.floor(math.log10(abs(value))) + 1}-digit number"  # str() refuses > 4300 digits
    else:
        text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, (set, frozenset)):
        return "a set"
    return type(value).__name__


def got(value: Any) -> str:
    """`got text 'x'`, or `got nothing (null)` without repeating None."""
    if value is None:
        return "got nothing (null)"
    if isinstance(value, bool):
        return f"got {str(value).lower()}"
    return f"got {_kind(value)} {shown(value)}"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_WHOLE_NUMBER = ("int_type", "int_parsing", "int_from_float", "int_parsing_size")


def _yaml_float(value: float) -> str:
    """inf and nan as YAML spells them."""
    if math.isnan(value):
        return "not-a-number (.nan)"
    return "infinity (.inf)" if value > 0 else "minus infinity (-.inf)"


def _message(err: ErrorDetails, allowed_fields: Iterable[str]) -> str:
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")
    field = str(err["loc"][-1]) if err["loc"] else ""
    if kind == "missing":
        return "is required but missing; add it"
    if kind in ("extra_forbidden", "invalid_key"):
        allowed = sorted(allowed_fields)
        close = difflib.get_close_matches(field, allowed, n=1)
        if close:
            return f"unknown field; did you mean '{close[0]}'? Rename or remove it"
        listing = ", ".join(allowed) if allowed else "none"
        return f"unknown field; remove it (allowed here: {listing})"
    if kind == "literal_error":
        return f"{shown(value)} is not allowed; use one of {ctx.get('expected', '')}"
    if kind == "union_tag_invalid":
        return f"{shown(ctx.get('tag'))} is not an endpoint type; use one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return "is required but missing; add type: single-model, multi-model or inference-components"
    if kind == "invalid-json-value":
        return f"expected JSON values (text, numbers, true/false, lists, mappings), {got(value)}; quote it"
    if kind in _WHOLE_NUMBER and isinstance(value, float) and not math.isfinite(value):
        return f"expected a whole number, got {_yaml_float(value)}; write a finite number"
    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a number, got {_yaml_float(value)}; write a finite number"
    if kind in _WHOLE_NUMBER:
        if isinstance(value, float) and abs(value) >= 2**63:
            return f"{shown(value)} is too large for a whole number; use a smaller one"
        if isinstance(value, bool):
            return f"expected a whole number, {got(value)}; write a number (YAML reads yes/no/on/off as true/false)"
        return f"expected a whole number, {got(value)}; write it without quotes or decimals"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"expected a number, {got(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, {got(value)}"
    if kind in ("string_type",):
        hint = "; quote it" if value is not None and not isinstance(value, (dict, list)) else ""
        return f"expected text, {got(value)}{hint}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping of fields (key: value), {got(value)}"
    if kind == "list_type":
        return f"expected a list, {got(value)}"
    if kind == "greater_than_equal":
        return f"{shown(value)} is too small; use {_number(ctx['ge'])} or more"
    if kind == "greater_than":
        return f"{shown(value)} is too small; use more than {_number(ctx['gt'])}"
    if kind == "less_than_equal":
        return f"{shown(value)} is too large; use {_number(ctx['le'])} or less"
    if kind == "less_than":
        return f"{shown(value)} is too large; use less than {_number(ctx['lt'])}"
    if kind == "string_too_long":
        return f"is {len(value)} characters long; use at most {ctx['max_length']}"
    if kind == "string_too_short":
        return f"is too short; use at least {ctx['min_length']} characters"
    if kind in ("too_long", "too_short"):
        length = ctx.get("actual_length")
        if length is None and isinstance(value, (dict, list)):
            length = len(value)
        pools = field == "instance_pools"  # the fallbacks only: instance_type is one more pool
        if kind == "too_long":
            note = f" ({ctx['max_length'] + 1} pools with instance_type)" if pools else ""
            return f"has {length} entries; at most {ctx['max_length']} are allowed{note}, remove some"
        needed = ctx["min_length"]
        fix = "list the fallback types or leave instance_pools out" if pools else "add some"
        return f"has {length or 0} entries; at least {needed} {'is' if needed == 1 else 'are'} required, {fix}"
    if kind == "string_pattern_mismatch":
        return f"{shown(value)} is not valid; {_hint_for_pattern(ctx['pattern'], field)}"
    # Our own validators (PydanticCustomError) already speak in full sentences.
    return err["msg"]


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes an annotation can hold (through Annotated, Optional, list, dict, unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _unwrap(arg)]
    if origin in (list, tuple, set, frozenset):
        return _unwrap(typing.get_args(annotation)[0])
    if origin is dict:
        return _unwrap(typing.get_args(annotation)[1])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _clean_loc(root: type[BaseModel], loc: Loc) -> tuple[Loc, set[str]]:
    """Drop discriminator tags from a pydantic loc; also return the fields allowed at the last step."""
    models: list[type[BaseModel]] = [root]
    clean: list[int | str] = []
    allowed: set[str] = set(root.model_fields)
    in_json = json_tag_next = False  # inside a JsonValue, pydantic tags each step with 'dict', 'list', 'str'...
    for part in loc:
        if part == "[key]":  # pydantic's marker for a failing dict key; the key itself is already in loc
            if clean and isinstance(clean[-1], int):
                clean[-1] = str(clean[-1])  # a key written as a number, not a list index
            continue
        if json_tag_next:
            json_tag_next = False
            continue
        if isinstance(part, int) or in_json:
            clean.append(part)
            json_tag_next = in_json
            continue
        tagged = [m for m in models if _tag_of(m) == part]
        if tagged and len(models) > 1:
            models = tagged
            allowed = set(tagged[0].model_fields)
            continue
        clean.append(part)
        allowed = set()
        next_models: list[type[BaseModel]] = []
        for model in models:
            info = model.model_fields.get(part)
            if info is not None:
                next_models.extend(_unwrap(info.annotation))
                in_json = json_tag_next = _is_json_value(info.annotation)
        models = next_models or models
        if next_models:
            allowed = {name for m in next_models for name in m.model_fields}
    return tuple(clean), allowed


def _is_json_value(annotation: Any) -> bool:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation is JsonValue


def _tag_of(model: type[BaseModel]) -> str | None:
    info = model.model_fields.get("type")
    if info is None:
        return None
    args = typing.get_args(info.annotation)
    return args[0] if len(args) == 1 and isinstance(args[0], str) else None


def problems_from_pydantic(root: type[BaseModel], errors: Iterable[ErrorDetails]) -> list[tuple[Loc, str]]:
    """Each pydantic error as (clean loc, message with the fix)."""
    out: list[tuple[Loc, str]] = []
    for err in errors:
        loc, allowed = _clean_loc(root, tuple(err["loc"]))
        if err["type"] in ("extra_forbidden", "invalid_key"):  # an unknown field, or one written as a number
            parent, allowed = _clean_loc(root, tuple(err["loc"])[:-1])
            loc = (*parent, str(err["loc"][-1]))
        elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, str((err.get("ctx") or {}).get("discriminator", "type")).strip("'"))
        out.append((loc, _message(err, allowed)))
    return out
