"""`stage --write`: set one model's `weights` and `architecture` in a catalog file, keeping its comments and layout.

A ruamel.yaml round trip changes only those two keys (an absent `architecture` goes right after
`weights`). The result is loaded and validated as a catalog before it replaces the file, through a
temporary file beside it, so a failed edit leaves the catalog as it was.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.util import load_yaml_guess_indent

from llm_hosting.catalog import CatalogError, load_catalog
from llm_hosting.catalog.errors import Loc, format_path
from llm_hosting.onboarding import OnboardingError

_BLOCK_KEY = re.compile(r"^(?P<indent> *)(?:- +)?[^\s#-][^#]*:\s*(#.*)?$")


def _mapping_indent(text: str) -> int:
    """Spaces a nested block mapping is indented by, as the file writes it (2 when it cannot tell)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, following in itertools.pairwise(lines):
        match = _BLOCK_KEY.match(line)
        if not match or match.group(0).lstrip().startswith("- "):
            continue
        here = len(match.group("indent"))
        there = len(following) - len(following.lstrip(" "))
        if there > here and not following.lstrip().startswith("-"):
            return there - here
    return 2


def _round_trip(text: str) -> YAML:
    yaml = YAML()  # round-trip mode: comments, key order, quoting and flow styles survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the file wrote on one
    _, sequence, offset = load_yaml_guess_indent(text)
    yaml.indent(mapping=_mapping_indent(text), sequence=sequence or 2, offset=offset or 0)
    return yaml


def _set_after(mapping: CommentedMap, key: str, value: str, after: str | None) -> None:
    if key in mapping:
        mapping[key] = value
        return
    keys = list(mapping.keys())
    position = keys.index(after) + 1 if after in keys else len(keys)
    mapping.insert(position, key, value)


def write_model_weights(path: Path, loc: Loc, *, weights: str, architecture: str) -> None:
    """Set `weights` and `architecture` of the model mapping at `loc`; validate; replace the file."""
    text = path.read_text(encoding="utf-8")
    yaml = _round_trip(text)
    document: Any = yaml.load(text)
    node = document
    for part in loc:
        node = node[part]
    if not isinstance(node, CommentedMap):
        raise OnboardingError(f"{path}: {format_path(loc)} is not a YAML mapping; write the model as a mapping")
    _set_after(node, "weights", weights, "code" if "code" in node else "version")
    _set_after(node, "architecture", architecture, "weights")
    out = io.StringIO()
    yaml.dump(document, out)

    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(out.getvalue())
        os.chmod(temporary, path.stat().st_mode & 0o7777)  # mkstemp makes it 0600; keep the catalog's mode
        try:
            load_catalog(temporary)
        except CatalogError as err:  # say it of the real file: nothing was written to it
            raise CatalogError(path, err.problems) from None
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
