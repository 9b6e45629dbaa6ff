"""Check a value against a botocore input shape: required members, ranges, lengths, patterns, enums.

Everything here is read from botocore's own API models (the `min`, `max`, `pattern` and `enum`
traits and the `required` lists), so a newer botocore brings newer limits with it. Values that are
resolved only at deploy time are skipped; the literal parts of a built string are still measured
(see `values`).
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session  # type: ignore[import-untyped]

from llm_hosting.preflight.values import ABSENT, Env, Text, alternatives, is_intrinsic, is_present, render_text, show

Shape = Any
"""A `botocore.model.Shape` (botocore ships no type information)."""


@dataclass(frozen=True)
class Finding:
    """One problem in one resource: where (a property path) and what, with its source."""

    path: str
    message: str


@dataclass(frozen=True)
class Operation:
    """The API call a resource's properties become, for messages: `botocore sagemaker CreateModel`."""

    service: str
    name: str

    def source(self, shape: Shape) -> str:
        return f"botocore {self.service} {self.name} shape {shape.name}"


@functools.cache
def service_model(service: str) -> Any:
    """botocore's API model of `service` (loaded once: the SageMaker model is several megabytes)."""
    return botocore.session.get_session().get_service_model(service)


def input_shape(operation: Operation) -> Shape:
    """The request shape of `operation`, e.g. CreateInferenceComponentInput."""
    return service_model(operation.service).operation_model(operation.name).input_shape


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_:-]+$")


def _join(path: str, member: str) -> str:
    """`path.member`, or `path["odd key"]` (JSON-escaped) for a key that would break the one-line form."""
    if not _PLAIN_KEY.match(member):
        return f"{path}[{json.dumps(member)}]"
    return f"{path}.{member}" if path else member


def check_request(
    operation: Operation,
    properties: dict[str, Any],
    env: Env,
    *,
    supplied: frozenset[str] = frozenset(),
    check_required: bool = True,
) -> Iterator[Finding]:
    """Findings for `properties` sent as the top-level request of `operation`.

    `supplied`: required members CloudFormation fills in itself (a generated name, or the scalable
    target a policy points at), so their absence from the template is not a problem.
    """
    shape = input_shape(operation)
    walker = _Walker(operation, env)
    if check_required:
        for member in shape.required_members:
            if member not in supplied and not is_present(properties.get(member, ABSENT)):
                yield Finding(
                    member,
                    f"missing; {operation.name} requires it and CloudFormation does not supply it "
                    f"({operation.source(shape)})",
                )
    for name, value in properties.items():
        if name in shape.members:
            yield from walker.check(shape.members[name], value, name)


_PLURAL = {"item": "items", "entry": "entries"}

_KIND = {
    "structure": "an object",
    "list": "a list",
    "map": "an object of names to values",
    "string": "a string",
    "integer": "a whole number",
    "long": "a whole number",
    "float": "a number",
    "double": "a number",
    "boolean": "true or false",
}


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return show(value)
    return show(json.dumps(value))


class _Walker:
    def __init__(self, operation: Operation, env: Env) -> None:
        self.operation = operation
        self.env = env

    def check(self, shape: Shape, value: object, path: str) -> Iterator[Finding]:
        for alternative in alternatives(value):
            if alternative is not ABSENT:
                yield from self._check_one(shape, alternative, path)

    def _finding(self, path: str, shape: Shape, message: str) -> Finding:
        return Finding(path, f"{message} ({self.operation.source(shape)})")

    def _wrong_type(self, path: str, shape: Shape, value: object) -> Finding:
        return self._finding(
            path, shape, f"expected {_KIND.get(shape.type_name, shape.type_name)}, got {_describe(value)}"
        )

    def _check_one(self, shape: Shape, value: object, path: str) -> Iterator[Finding]:
        kind = shape.type_name
        if kind in {"string", "timestamp", "blob"}:
            if kind == "string":
                yield from self._string(shape, value, path)
            return
        if is_intrinsic(value):
            # An object, list or number CloudFormation builds while deploying: nothing literal to check.
            return
        if kind == "structure":
            yield from self._structure(shape, value, path)
        elif kind == "list":
            yield from self._list(shape, value, path)
        elif kind == "map":
            yield from self._map(shape, value, path)
        elif kind in {"integer", "long", "float", "double"}:
            yield from self._number(shape, value, path)
        elif kind == "boolean" and not (
            isinstance(value, bool) or (isinstance(value, str) and value.lower() in {"true", "false"})
        ):
            yield self._wrong_type(path, shape, value)

    def _structure(self, shape: Shape, value: object, path: str) -> Iterator[Finding]:
        if not isinstance(value, dict):
            yield self._wrong_type(path, shape, value)
            return
        for member in shape.required_members:
            if not is_present(value.get(member, ABSENT)):
                yield self._finding(_join(path, member), shape, "missing; the API requires it")
        for name, member_value in value.items():
            # A property the API does not have (read-only or CloudFormation-only) is cfn-lint's to judge.
            if name in shape.members:
                yield from self.check(shape.members[name], member_value, _join(path, name))

    def _list(self, shape: Shape, value: object, path: str) -> Iterator[Finding]:
        if not isinstance(value, list):
            yield self._wrong_type(path, shape, value)
            return
        items = [item for item in value if is_present(item)]
        yield from self._count(shape, len(items), "item", path)
        for index, item in enumerate(value):
            yield from self.check(shape.member, item, f"{path}[{index}]")

    def _map(self, shape: Shape, value: object, path: str) -> Iterator[Finding]:
        if isinstance(value, str):
            # CloudFormation accepts some maps (a model's Environment) as a JSON string.
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        if not isinstance(value, dict):
            yield self._wrong_type(path, shape, value)
            return
        yield from self._count(shape, sum(1 for v in value.values() if is_present(v)), "entry", path)
        for key, entry in value.items():
            yield from self._string(shape.key, key, path, what="key ")
            yield from self.check(shape.value, entry, _join(path, key))

    def _count(self, shape: Shape, count: int, noun: str, path: str) -> Iterator[Finding]:
        counted = f"{count} {noun if count == 1 else _PLURAL[noun]}"
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if high is not None and count > high:
            yield self._finding(path, shape, f"{counted}, over the maximum of {high}")
        elif low is not None and count < low:
            yield self._finding(path, shape, f"{counted}, under the minimum of {low}")

    def _number(self, shape: Shape, value: object, path: str) -> Iterator[Finding]:
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            yield self._wrong_type(path, shape, value)
            return
        whole = shape.type_name in {"integer", "long"}
        if whole and not number.is_integer():
            yield self._wrong_type(path, shape, value)
            return
        shown = f"{number:g}" if not whole else str(int(number))
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and number < low:
            yield self._finding(path, shape, f"{shown} is under the minimum of {low}")
        elif high is not None and number > high:
            yield self._finding(path, shape, f"{shown} is over the maximum of {high}")

    def _string(self, shape: Shape, value: object, path: str, *, what: str = "") -> Iterator[Finding]:
        if value is None or (isinstance(value, list | dict) and not is_intrinsic(value)):
            yield self._wrong_type(path, shape, value)
            return
        texts = render_text(value, self.env)
        for text in texts:
            finding = self._text(shape, text, path, what)
            if finding is not None:
                # One finding per value: the first region that breaks it is enough to act on.
                yield finding
                return

    def _text(self, shape: Shape, text: Text, path: str, what: str) -> Finding | None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        value = text.known
        where = f" (as built for {text.region})" if text.region else ""
        if value is None:
            if high is not None and text.literal_length > high:
                return self._finding(
                    path,
                    shape,
                    f"{what}at least {text.literal_length} characters from its literal parts alone, "
                    f"over the maximum of {high}",
                )
            return None
        described = f"{what}{show(value)}{where}"
        if high is not None and len(value) > high:
            return self._finding(path, shape, f"{described} is {len(value)} characters, over the maximum of {high}")
        if low is not None and len(value) < low:
            return self._finding(path, shape, f"{described} is {len(value)} characters, under the minimum of {low}")
        enum: list[str] = shape.enum
        if enum and value not in enum:
            return self._finding(path, shape, f"{described} is not a value the API accepts{_suggest(value, enum)}")
        pattern = compile_pattern(shape.metadata.get("pattern"))
        if pattern is not None and pattern.fullmatch(value) is None:
            return self._finding(path, shape, f"{described} does not match {shape.metadata['pattern']}")
        return None


def _suggest(value: str, choices: list[str]) -> str:
    if len(choices) <= 6:
        return ": one of " + ", ".join(choices)
    close = difflib.get_close_matches(value, choices, n=1)
    if close:
        return f"; did you mean {close[0]}?"
    return f" ({len(choices)} values)"


# Java regular expressions (what AWS validates with) that Python's `re` spells differently. Letters
# and numbers are approximated by `\w`, which also takes `_`: lenient, so never a false problem.
_JAVA_CLASSES = {
    r"\p{L}": r"\w",
    r"\p{N}": r"\w",
    r"\p{Z}": r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
    r"\p{Print}": r"\x20-\x7e",
}
_SURROGATE_PAIR = re.compile(r"\\u(D[89AB][0-9A-F]{2})\\u(D[C-F][0-9A-F]{2})", re.IGNORECASE)


@functools.cache
def compile_pattern(pattern: str | None) -> re.Pattern[str] | None:
    """The botocore `pattern` as a Python regex (matched against the whole value), or None if unusable."""
    if not pattern:
        return None
    translated = _SURROGATE_PAIR.sub(_code_point, pattern)
    translated = _translate_classes(translated)
    try:
        return re.compile(translated)
    except re.error:
        return None


def _code_point(match: re.Match[str]) -> str:
    high, low = int(match.group(1), 16), int(match.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


def _translate_classes(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        for java, python in _JAVA_CLASSES.items():
            if pattern.startswith(java, index):
                out.append(python if in_class else f"[{python}]")
                index += len(java)
                break
        else:
            char = pattern[index]
            if char == "\\":
                out.append(pattern[index : index + 2])
                index += 2
                continue
            if char == "[" and not in_class:
                in_class = True
            elif char == "]" and in_class:
                in_class = False
            out.append(char)
            index += 1
    return "".join(out)
