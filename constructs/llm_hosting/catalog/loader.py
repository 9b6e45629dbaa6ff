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
from llm_hosting.catalog.rules import check_catalog, effective_instance_types
from llm_hosting.catalog.schema import Catalog
from llm_hosting.facts.instances import InstanceType


@dataclass(frozen=True)
class LoadedCatalog:
    """A catalog that passed every check, with what synthesis needs to resolve it."""

    path: Path
    spec: Catalog
    instance_types: Mapping[str, InstanceType]
    account: str | None = None
    region: str | None = None
    lines: Mapping[Loc, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def base_dir(self) -> Path:
        """Directory that relative paths in the catalog (`code:`) are resolved against."""
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        return (self.base_dir / relative).resolve()

    def instance(self, name: str) -> InstanceType:
        return self.instance_types[name]


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key (a list or mapping as key)
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be text, not a list or mapping", key_node.start_mark
            ) from None
        if duplicate:
            raise _DuplicateKey(key, seen[key].start_mark.line + 1, key_node.start_mark.line + 1)
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first_line: int, line: int) -> None:
        self.key, self.first_line, self.line = key, first_line, line


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_index(node: yaml.Node | None, path: Loc = ()) -> dict[Loc, int]:
    """Line number (1-based) of every key and item in a composed YAML document."""
    lines: dict[Loc, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                child = (*path, key_node.value)
                lines[child] = key_node.start_mark.line + 1
                lines.update(_line_index(value_node, child))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            lines.update(_line_index(item, child))
    return lines


def _line_for(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of `loc`, or of its nearest ancestor that is in the file."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def parse_yaml(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    """YAML text -> (data, line index); syntax problems become a CatalogError."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
        lines = _line_index(yaml.compose(text, Loader=yaml.SafeLoader))
    except _DuplicateKey as dup:
        raise CatalogError(
            source,
            [Problem(str(dup.key), f"appears twice (lines {dup.first_line} and {dup.line}); keep one", dup.line)],
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        what = getattr(err, "problem", None) or str(err).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        column = f", column {mark.column + 1}" if mark is not None else ""
        raise CatalogError(
            source,
            [
                Problem(
                    "(yaml)", f"not valid YAML: {what}{column}; fix the indentation, quoting or punctuation there", line
                )
            ],
        ) from None
    return data, lines


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
    loaded = LoadedCatalog(
        path=path.resolve(), spec=spec, instance_types=instance_types, account=account, region=region, lines=lines
    )
    problems += check_catalog(loaded)
    if problems:
        located = [Problem(p.path, p.message, p.line or _line_for(lines, _parse_path(p.path))) for p in problems]
        raise CatalogError(source, located)
    return loaded


def _parse_path(path: str) -> Loc:
    """Inverse of `format_path` for the paths rules produce."""
    loc: list[int | str] = []
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("[") and part.endswith("]") and part[1:-1].isdigit():
            loc.append(int(part[1:-1]))
        else:
            loc.append(part)
    return tuple(loc)
