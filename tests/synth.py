"""Synthesize catalogs in tests the way `cdk synth` does: with cdk.json's context and feature flags."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from llm_hosting.catalog import load_catalog
from llm_hosting.limits import enforce_limits
from llm_hosting.review import Review, review_assemblies
from stacks import build_stacks

ROOT = Path(__file__).resolve().parent.parent


def cdk_json_context() -> dict[str, Any]:
    """Feature flags are not applied to a bare `App()`: take them from cdk.json like the CLI does."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    templates: dict[str, dict[str, Any]]
    """Template by stack name."""
    acknowledgments: dict[tuple[str, str], str]
    """(construct path, rule id) -> reason, for every compliance finding acknowledged in the app."""

    def template(self, stack_name: str) -> dict[str, Any]:
        return self.templates[stack_name]

    def resources(self, stack_name: str, resource_type: str | None = None) -> dict[str, Any]:
        resources: dict[str, Any] = self.templates[stack_name]["Resources"]
        if resource_type is None:
            return resources
        return {k: v for k, v in resources.items() if v["Type"] == resource_type}


def synthesize(catalog_path: Path, outdir: Path, *, acknowledgments: bool = False, **context: Any) -> Synthesized:
    """Load and synthesize a catalog into `outdir` (with the catalog's compliance packs, as the app).

    `acknowledgments=True` also collects every acknowledged finding (a walk over the whole tree).
    """
    app = cdk.App(context={**cdk_json_context(), **context}, outdir=str(outdir))
    catalog = load_catalog(catalog_path, account=context.get("account"), region=context.get("region"))
    build_stacks(app, catalog)
    assembly = app.synth()
    enforce_limits(outdir)  # as app.py does after every synthesis
    templates = {stack.stack_name: stack.template for stack in assembly.stacks}
    return Synthesized(
        outdir=outdir, templates=templates, acknowledgments=collect_acknowledgments(app) if acknowledgments else {}
    )


def collect_acknowledgments(app: cdk.App) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for node in app.node.find_all():
        for entry in node.node.metadata:
            if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY and isinstance(entry.data, dict):
                for key, reason in entry.data.items():
                    found[(node.node.path, key.removeprefix("Annotation::"))] = reason
    return found


class CatalogVariants:
    """Catalog texts by name, each synthesized the first time a test asks for it; a module fixture
    shares the assemblies between its tests. `review(name)` compares one with the `base` catalog."""

    def __init__(self, root: Path, catalogs: Mapping[str, str]) -> None:
        self.root = root
        self.catalogs = catalogs
        self.outdirs: dict[str, Path] = {}

    def __getitem__(self, name: str) -> Path:
        if name not in self.outdirs:
            catalog = self.root / f"{name}.yaml"
            catalog.write_text(self.catalogs[name])
            synthesize(catalog, self.root / f"{name}.out")
            self.outdirs[name] = self.root / f"{name}.out"
        return self.outdirs[name]

    def review(self, name: str, *, acknowledge: tuple[str, ...] = ()) -> Review:
        return review_assemblies(self["base"], self[name], acknowledge=acknowledge)

    @classmethod
    def edits_of(cls, root: Path, base: str, edits: Mapping[str, Sequence[tuple[str, str]]]) -> CatalogVariants:
        """`base` and, by name, `base` with each (old, new) text replacement applied; each `old` must occur."""
        catalogs = {"base": base}
        for name, replacements in edits.items():
            text = base
            for old, new in replacements:
                assert old in text, old
                text = text.replace(old, new)
            catalogs[name] = text
        return cls(root, catalogs)
