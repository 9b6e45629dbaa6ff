"""CloudFormation values as preflight sees them: literal, partly literal, or known only at deploy time.

A value CloudFormation resolves while deploying (`Ref` to a resource or parameter, `Fn::GetAtt`,
`Fn::ImportValue`, ...) cannot be checked, but what is literal around it can: `Fn::Join` and
`Fn::Sub` keep their literal pieces, pseudo parameters get representative values, and
`Fn::FindInMap` is looked up in the template's own `Mappings`.

Representative values, chosen so that length checks err on the long side and patterns see a real
shape: `AWS::AccountId` is a 12-digit number (every account ID has 12 digits, so lengths are exact);
`AWS::Region` is the longest region name the project publishes images for (`facts.REGISTRY_ACCOUNTS`),
unless the value looks a region up in a mapping: then it is built once for every region that mapping
lists, since the mapped values (image hosts, accounts) differ per region. `AWS::Partition` and
`AWS::URLSuffix` follow the region; `AWS::StackName` is the stack's real name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from llm_hosting.facts import REGISTRY_ACCOUNTS

REPRESENTATIVE_ACCOUNT_ID = "123456789012"
REPRESENTATIVE_REGION = max(REGISTRY_ACCOUNTS, key=len)
NO_VALUE = {"Ref": "AWS::NoValue"}

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class _Absent:
    """A property removed by `AWS::NoValue` (directly or in one branch of `Fn::If`)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


def is_intrinsic(value: object) -> bool:
    """`{"Ref": ...}`, `{"Fn::...": ...}` or a condition reference: resolved by CloudFormation."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key in {"Ref", "Condition"} or key.startswith("Fn::"))


def alternatives(value: object) -> Iterator[object]:
    """Every value `Fn::If` can turn `value` into (each branch is checked); `ABSENT` for `AWS::NoValue`."""
    if value == NO_VALUE:
        yield ABSENT
    elif isinstance(value, dict) and set(value) == {"Fn::If"}:
        branches = value["Fn::If"]
        if isinstance(branches, list) and len(branches) == 3:
            yield from alternatives(branches[1])
            yield from alternatives(branches[2])
        else:
            yield value
    else:
        yield value


def is_present(value: object) -> bool:
    """False when CloudFormation drops the property in every case (`AWS::NoValue`)."""
    return any(alt is not ABSENT for alt in alternatives(value))


def has(properties: Mapping[str, Any], name: str) -> bool:
    """Whether `properties` sets `name` to something CloudFormation keeps."""
    return name in properties and is_present(properties[name])


@dataclass(frozen=True)
class Env:
    """What a template offers for resolving values: its stack's name and its `Mappings`."""

    stack_name: str
    mappings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Text:
    """A string as CloudFormation will build it: literal pieces, and `None` for pieces known only at deploy time."""

    pieces: tuple[str | None, ...]
    region: str | None = None
    """The region the pieces were built for, when the value depends on the region."""

    @property
    def known(self) -> str | None:
        """The whole string, when every piece is literal."""
        if any(piece is None for piece in self.pieces):
            return None
        return "".join(piece for piece in self.pieces if piece is not None)

    @property
    def literal_length(self) -> int:
        """Characters the literal pieces alone contribute: a lower bound of the final length."""
        return sum(len(piece) for piece in self.pieces if piece is not None)

    @property
    def literal_suffix(self) -> str | None:
        """The literal end of the string, if it ends in a literal piece."""
        return self.pieces[-1] if self.pieces and self.pieces[-1] is not None else None


def render_text(value: object, env: Env) -> list[Text]:
    """How CloudFormation will build `value` as a string: once, or once per region of a mapping it uses."""
    first = _Renderer(env, REPRESENTATIVE_REGION)
    pieces = first.render(value)
    if not first.region_mappings:
        return [Text(_merge(pieces), REPRESENTATIVE_REGION if first.used_region else None)]
    regions: dict[str, None] = {}
    for name in first.region_mappings:
        mapping = env.mappings.get(name)
        if isinstance(mapping, dict):
            regions.update(dict.fromkeys(key for key in mapping if isinstance(key, str)))
    texts: list[Text] = []
    for region in regions:
        text = Text(_merge(_Renderer(env, region).render(value)), region)
        if text not in texts:
            texts.append(text)
    return texts


def known_text(value: object, env: Env) -> str | None:
    """The string `value` becomes, when that is the same literal string in every region; else None."""
    texts = render_text(value, env)
    strings = {text.known for text in texts}
    if len(strings) != 1:
        return None
    return strings.pop()


def known_number(value: object) -> float | None:
    """A literal number (CloudFormation also takes numbers written as strings); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def known_int(value: object) -> int | None:
    """A literal whole number; None otherwise."""
    number = known_number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def referenced_logical_id(value: object, attribute: str | None = None) -> str | None:
    """The logical ID in `{"Ref": id}` or `{"Fn::GetAtt": [id, attribute]}` (any attribute if None)."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    reference = value.get("Ref")
    if isinstance(reference, str) and not reference.startswith("AWS::"):
        return reference
    target = value.get("Fn::GetAtt")
    parts: list[Any] = []
    if isinstance(target, str):
        parts = target.split(".", 1)
    elif isinstance(target, list):
        parts = target
    if len(parts) == 2 and isinstance(parts[0], str) and (attribute is None or parts[1] == attribute):
        return parts[0]
    return None


def show(value: str, limit: int = 60) -> str:
    """A value quoted for a message, shortened when long."""
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def _merge(pieces: list[str | None]) -> tuple[str | None, ...]:
    merged: list[str | None] = []
    for piece in pieces:
        if piece == "":
            continue
        if merged and piece is not None and merged[-1] is not None:
            merged[-1] = merged[-1] + piece
        elif merged and piece is None and merged[-1] is None:
            continue
        else:
            merged.append(piece)
    return tuple(merged)


class _Unknown:
    pass


_UNKNOWN = _Unknown()


class _Renderer:
    """Builds the pieces of one string for one assumed region, noting what depended on the region."""

    def __init__(self, env: Env, region: str) -> None:
        self.env = env
        self.region = region
        self.used_region = False
        self.region_mappings: dict[str, None] = {}

    def render(self, value: object) -> list[str | None]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, bool):
            return ["true" if value else "false"]
        if isinstance(value, int | float):
            return [json.dumps(value)]
        if not is_intrinsic(value):
            return [None]
        assert isinstance(value, dict)  # noqa: S101 - narrowed by is_intrinsic
        (function, argument), *_ = value.items()
        if function == "Ref":
            return [self._pseudo(argument) if isinstance(argument, str) else None]
        if function == "Fn::Sub":
            return self._sub(argument)
        if function == "Fn::Join":
            return self._join(argument)
        if function in {"Fn::FindInMap", "Fn::Select", "Fn::Split"}:
            resolved = self._resolve(value)
            if isinstance(resolved, str | int | float) and not isinstance(resolved, bool):
                return self.render(resolved)
        # Fn::GetAtt, Fn::ImportValue, Fn::GetAZs, Fn::Base64, Fn::If inside a string, ...
        return [None]

    def _pseudo(self, name: str) -> str | None:
        if name == "AWS::Region":
            self.used_region = True
            return self.region
        if name == "AWS::AccountId":
            return REPRESENTATIVE_ACCOUNT_ID
        if name == "AWS::Partition":
            self.used_region = True
            return "aws-cn" if self.region.startswith("cn-") else "aws-us-gov" if "-gov-" in self.region else "aws"
        if name == "AWS::URLSuffix":
            self.used_region = True
            return "amazonaws.com.cn" if self.region.startswith("cn-") else "amazonaws.com"
        if name == "AWS::StackName":
            return self.env.stack_name
        # AWS::StackId, AWS::NotificationARNs, AWS::NoValue, parameters, resources.
        return None

    def _sub(self, argument: object) -> list[str | None]:
        variables: Mapping[str, Any] = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            variables = argument[1]
            argument = argument[0]
        if not isinstance(argument, str):
            return [None]
        pieces: list[str | None] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(argument):
            pieces.append(argument[position : match.start()])
            name = match.group(1)
            if name.startswith("!"):
                pieces.append("${" + name[1:] + "}")
            elif name in variables:
                pieces.extend(self.render(variables[name]))
            else:
                # `${Resource.Attribute}` and `${Parameter}` are deploy-time; pseudo parameters are not.
                pieces.append(self._pseudo(name))
            position = match.end()
        pieces.append(argument[position:])
        return pieces

    def _join(self, argument: object) -> list[str | None]:
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return [None]
        separator, items = argument
        resolved = self._resolve(items)
        if not isinstance(resolved, list):
            return [None]
        pieces: list[str | None] = []
        for index, item in enumerate(resolved):
            if index:
                pieces.append(separator)
            pieces.extend(self.render(item))
        return pieces

    def _resolve(self, value: object) -> object:
        """A literal list or scalar that `value` denotes, or `_UNKNOWN`."""
        if not is_intrinsic(value):
            return value
        assert isinstance(value, dict)  # noqa: S101 - narrowed by is_intrinsic
        (function, argument), *_ = value.items()
        if function == "Fn::FindInMap":
            return self._find_in_map(argument)
        if function == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
            index = known_int(self._resolve(argument[0]))
            items = self._resolve(argument[1])
            if index is not None and isinstance(items, list) and 0 <= index < len(items):
                return self._resolve(items[index])
        if function == "Fn::Split" and isinstance(argument, list) and len(argument) == 2:
            separator, source = argument
            whole = _merge(self.render(source))
            if isinstance(separator, str) and separator and len(whole) == 1 and whole[0] is not None:
                return whole[0].split(separator)
        if function in {"Fn::Sub", "Fn::Join"} or (function == "Ref" and str(argument).startswith("AWS::")):
            whole = _merge(self.render(value))
            if len(whole) == 1 and whole[0] is not None:
                return whole[0]
            if not whole:
                return ""
        return _UNKNOWN

    def _find_in_map(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) in {3, 4}):
            return _UNKNOWN
        name = self._resolve(argument[0])
        used_before = self.used_region
        self.used_region = False
        top = self._resolve(argument[1])
        if self.used_region and isinstance(name, str):
            self.region_mappings[name] = None
        self.used_region = self.used_region or used_before
        second = self._resolve(argument[2])
        mapping = self.env.mappings.get(name) if isinstance(name, str) else None
        if isinstance(mapping, dict) and isinstance(top, str) and isinstance(second, str):
            entry = mapping.get(top)
            if isinstance(entry, dict) and second in entry:
                return entry[second]
        if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
            return self._resolve(argument[3]["DefaultValue"])
        return _UNKNOWN
