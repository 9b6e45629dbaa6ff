"""The README's catalog reference names every field the schema accepts."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator

from pydantic import BaseModel

from llm_hosting.catalog.schema import Catalog
from tests.synth import ROOT


def _models(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models(arg)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return


def all_fields() -> set[str]:
    seen: set[type[BaseModel]] = set()
    fields: set[str] = set()
    todo: list[type[BaseModel]] = [Catalog]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            fields.add(name)
            todo.extend(_models(info.annotation))
    return fields


def test_every_catalog_field_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = sorted(f for f in all_fields() if f"`{f}`" not in readme)
    assert missing == [], f"document these catalog fields in README.md: {missing}"
