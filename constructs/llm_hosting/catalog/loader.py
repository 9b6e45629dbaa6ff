"""Read a catalog file: YAML -> shape (pydantic) -> rules, with every problem collected.

`load_catalog` either returns a `LoadedCatalog` ready for synthesis or raises `CatalogError` with
one line per problem. It never lets another exception out for anything a user can write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from llm_hosting.catalog.errors import CatalogError, Loc, Problem, format_path, problems_from_pydantic
from llm_hosting.catalog.resolve import ResolvedEndpoint, effective_instance_types, resolve_endpoints
from llm_hosting.catalog.rules import Context, check_catalog
from llm_hosting.catalog.schema import Catalog
from llm_hosting.facts.instances import InstanceType


@dataclass(frozen=True)
class LoadedCatalog:
    """A catalog that passed every check: its sections, and its endpoints resolved (counts, copies,
    accelerators, instance types, images), which is what synthesis and the commands read."""

    path: Path
    spec: Catalog
    endpoints: tuple[ResolvedEndpoint, ...]
    instance_types: Mapping[str, InstanceType]
    account: str | None = None
    region: str | None = None
    lines: Mapping[Loc, int] = field(default_factory=dict, repr=False, compare=False)
    notices: tuple[str, ...] = ()
    """One line per thing the rules could not check (`FILE: field: not checked: why`), not errors."""

    def endpoint(self, name: str) -> ResolvedEndpoint | None:
        return next((e for e in self.endpoints if e.name == name), None)


# libyaml's parser where PyYAML was built with it (it is, in the PyPI wheels): ten times faster on
# catalogs with hundreds of components. Both are safe loaders.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MAX_DEPTH = 32  # a catalog nests about eight levels; deeper is a mistake (and Python's stack is finite)
MAX_DIGITS = 30  # no field takes a number this long; Python refuses to read more than 4300 digits


def _walk(node: yaml.Node, path: Loc, index: _Index, ancestors: frozenset[int] = frozenset()) -> None:
    """Index every key and item by its path (1-based lines); find what YAML allows but a catalog must not."""
    line = node.start_mark.line + 1
    if id(node) in ancestors:
        kind = "mapping" if isinstance(node, yaml.MappingNode) else "list"
        index.problems.append(
            Problem(
                format_path(path),
                f"refers to the {kind} that contains it (a recursive YAML alias); remove the alias",
                line,
            )
        )
        return
    if len(path) > MAX_DEPTH:
        index.problems.append(
            Problem(
                format_path(path[:1]),
                f"nests more than {MAX_DEPTH} levels deep; a catalog nests a few, remove the extra ones",
                line,
            )
        )
        return
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _TIMESTAMP_TAG:
            try:
                index.constructor.construct_yaml_timestamp(node)
            except ValueError as err:
                index.problems.append(
                    Problem(format_path(path), f"{node.value!r} is not a real date ({err}); fix it, or quote it", line)
                )
        digits = node.value.lstrip("+-").replace("_", "")
        if node.tag == _INT_TAG and len(digits) > MAX_DIGITS:
            index.problems.append(
                Problem(
                    format_path(path),
                    f"is a {len(digits)}-digit number; no field takes one that large, shorten it",
                    line,
                )
            )
        return
    if id(node) in index.seen:  # an alias to a node already indexed elsewhere: nothing new below it
        return
    index.seen.add(id(node))
    inside = ancestors | {id(node)}
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # `<<: *defaults`: explicit keys may override merged ones
                merged = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source_node in merged:  # `<<: [*a, *b]` merges several
                    _walk(source_node, path, index, inside)
                continue
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                index.problems.append(
                    Problem(format_path(path), "has a list or mapping as a key; write the key as plain text", key_line)
                )
                continue
            child = (*path, key_node.value)
            identity = (key_node.tag, key_node.value)
            if identity in first:
                index.problems.append(
                    Problem(
                        format_path(child),
                        f"appears twice (lines {first[identity]} and {key_line}); keep one",
                        key_line,
                    )
                )
            first.setdefault(identity, key_line)
            index.lines.setdefault(child, key_line)
            _walk(value_node, child, index, inside)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            child = (*path, position)
            index.lines[child] = item.start_mark.line + 1
            _walk(item, child, index, inside)


@dataclass
class _Index:
    constructor: yaml.constructor.SafeConstructor
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)


def _line_for(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of `loc`, or of its nearest ancestor that is in the file."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _lines_by_path(lines: Mapping[Loc, int]) -> dict[str, int]:
    """Every located field by its formatted path (built once per catalog, for `_line_for_path`)."""
    return {format_path(loc): line for loc, line in lines.items()}


def _line_for_path(by_path: Mapping[str, int], path: str) -> int | None:
    """The line of a formatted field path (rules report paths as text; keys may contain dots)."""
    while path:
        if path in by_path:
            return by_path[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def _yaml_problem(err: yaml.YAMLError, text: str) -> Problem:
    mark = getattr(err, "problem_mark", None)
    context = getattr(err, "context", None)
    problem = getattr(err, "problem", None)
    if isinstance(err, yaml.reader.ReaderError):
        line = text[: err.position].count("\n") + 1
        return Problem(
            "(yaml)",
            f"contains a character YAML does not accept (U+{err.character:04X}); remove it"
            if isinstance(err.character, int)
            else "contains bytes YAML does not accept; remove them",
            line,
        )
    at: int | None = mark.line + 1 if mark is not None else None
    if context and "single document" in context:
        return Problem(
            "(yaml)", "holds more than one YAML document; keep one (remove the second `---` and what follows)", at
        )
    what = problem or context or str(err).splitlines()[0]
    column = f", column {mark.column + 1}" if mark is not None else ""
    return Problem("(yaml)", f"not valid YAML: {what}{column}; fix the indentation, quoting or punctuation there", at)


def _syntax_error(text: str, fast_error: yaml.YAMLError) -> yaml.YAMLError:
    """The pure-Python parser's account of a syntax error: its wording is the same on every machine."""
    try:
        yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        return err
    except (RecursionError, ValueError):
        pass
    return fast_error


def parse_yaml(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    """YAML text -> (data, line index): one parse; every syntax problem becomes a CatalogError."""
    try:
        return _parse(text, source)
    except yaml.YAMLError as err:
        raise CatalogError(source, [_yaml_problem(_syntax_error(text, err), text)]) from None


def _parse(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, {}
            index = _Index(loader)
            _walk(node, (), index)
            if index.problems:
                raise CatalogError(source, index.problems)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except RecursionError:
        raise CatalogError(
            source,
            [Problem("(yaml)", "nests too deeply or refers to itself (a recursive alias); flatten it")],
        ) from None
    except ValueError as err:  # a value YAML's constructor refuses, such as a date that does not exist
        raise CatalogError(source, [Problem("(yaml)", f"holds a value that cannot be read ({err}); fix it")]) from None
    return data, index.lines


def read_text(path: Path) -> str:
    source = str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(
            source, [Problem("(file)", "not found; pass the path of an existing catalog file")]
        ) from None
    except IsADirectoryError:
        raise CatalogError(
            source, [Problem("(file)", "is a directory; pass the path of a catalog .yaml file")]
        ) from None
    except UnicodeDecodeError:
        raise CatalogError(source, [Problem("(file)", "is not UTF-8 text; save it as UTF-8")]) from None
    except OSError as err:
        raise CatalogError(
            source, [Problem("(file)", f"cannot be read ({err.strerror}); check its permissions")]
        ) from None


def load_catalog(path: str | Path, *, account: str | None = None, region: str | None = None) -> LoadedCatalog:
    """Load, validate and resolve a catalog. `account`/`region` override the catalog's environment."""
    path = Path(path)
    source = str(path)
    data, lines = parse_yaml(read_text(path), source)
    if data is None:
        raise CatalogError(
            source, [Problem("(top level)", "the catalog is empty; add at least `project:` and `endpoints:`")]
        )
    if not isinstance(data, dict):
        raise CatalogError(
            source,
            [
                Problem(
                    "(top level)",
                    f"expected a mapping with project, artifacts and endpoints, got {type(data).__name__}",
                )
            ],
        )
    try:
        spec = Catalog.model_validate(data)
    except ValidationError as err:
        problems = [
            Problem(format_path(loc), message, _line_for(lines, loc))
            for loc, message in problems_from_pydantic(Catalog, err.errors(include_url=False))
        ]
        raise CatalogError(source, problems) from None

    env = spec.environment
    account = account or (env.account if env else None)
    region = region or (env.region if env else None)
    instance_types, problems = effective_instance_types(spec)
    endpoints = resolve_endpoints(spec, instance_types, path.resolve().parent)
    context = Context(spec=spec, endpoints=endpoints, instance_types=instance_types, region=region)
    problems += check_catalog(context)
    by_path = _lines_by_path(lines) if problems or context.notices else {}
    if problems:
        located = [Problem(p.path, p.message, p.line or _line_for_path(by_path, p.path)) for p in problems]
        raise CatalogError(source, located)
    return LoadedCatalog(
        notices=tuple(
            Problem(n.path, n.message, n.line or _line_for_path(by_path, n.path)).format(source)
            for n in context.notices
        ),
        path=path.resolve(),
        spec=spec,
        endpoints=endpoints,
        instance_types=instance_types,
        account=account,
        region=region,
        lines=lines,
    )
