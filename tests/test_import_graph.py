"""The library's import graph: no circles, no imports hidden in functions, and layers that point one way.

Read from the source with `ast` (every `import` and `from ... import`, also under `TYPE_CHECKING`),
so a circle cannot hide behind an import that happens to run later.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LIBRARY = ROOT / "constructs"
PACKAGE = "llm_hosting"
# The warm-up Lambda's code is a plain-files asset that imports only the standard library and boto3.
ASSET = LIBRARY / PACKAGE / "warmup" / "function"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(LIBRARY).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted((LIBRARY / PACKAGE).rglob("*.py"))}


def _imports(tree: ast.Module, name: str, path: Path) -> Iterator[tuple[ast.stmt, str]]:
    """(statement, imported library module) for every import in a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    yield node, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield node, sub if sub in MODULES else base


@functools.cache
def parsed() -> dict[str, ast.Module]:
    """Every library module's syntax tree, parsed once per test run."""
    return {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


@functools.cache
def graph() -> dict[str, set[str]]:
    """Every import of every module, at any depth (inside functions too). Shared: do not modify."""
    trees = parsed()
    return {
        name: {target for _, target in _imports(trees[name], name, path) if target != name}
        for name, path in MODULES.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_whole_library() -> None:
    edges = graph()
    assert len(edges) > 80
    assert "llm_hosting.catalog.resolve" in edges["llm_hosting.catalog.loader"]
    assert "llm_hosting.planner" in edges["llm_hosting.catalog.resolve"]


def test_the_library_has_no_import_circles() -> None:
    assert cycles(graph()) == []


def test_a_circle_would_be_found() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


LAZY_LOADERS = ("llm_hosting.commands.",)
"""The subcommands load what only they need when they run, so `python -m llm_hosting validate` stays
quick; those imports are edges of the graph above all the same (a circle through them is found)."""


def test_no_library_module_is_imported_inside_a_function() -> None:
    """Imports inside functions are how circles are usually hidden."""
    hidden = []
    for name, path in MODULES.items():
        if name.startswith(LAZY_LOADERS):
            continue
        for function in ast.walk(parsed()[name]):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node, target in _imports(ast.Module(body=function.body, type_ignores=[]), name, path):
                hidden.append(f"{name}:{node.lineno} imports {target}")
    assert hidden == []


LAYERS = {
    # What each part of the library may import from the library (besides itself).
    "llm_hosting.facts": {"llm_hosting.facts"},
    "llm_hosting.planner": {"llm_hosting.facts"},
    "llm_hosting.endpoints.settings": set(),
    "llm_hosting.catalog": {
        "llm_hosting.facts",
        "llm_hosting.planner",
        "llm_hosting.packaging",
        "llm_hosting.naming",
        "llm_hosting.endpoints.settings",
    },
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_what_is_below_it(layer: str) -> None:
    allowed = LAYERS[layer] | {layer}
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in graph().items()
        if name == layer or name.startswith(f"{layer}.")
        for target in targets
        if not any(target == a or target.startswith(f"{a}.") for a in allowed)
    )
    assert wrong == []


CONSTRUCT_PACKAGES = ("endpoints", "storage", "monitoring", "warmup")


@pytest.mark.parametrize("package", CONSTRUCT_PACKAGES)
def test_the_constructs_never_import_the_catalog(package: str) -> None:
    """`endpoints/from_catalog.py` is the one translator from the catalog to constructs."""
    importers = sorted(
        name
        for name, targets in graph().items()
        if name.startswith(f"{PACKAGE}.{package}")
        and name != "llm_hosting.endpoints.from_catalog"
        and any(t == "llm_hosting.catalog" or t.startswith("llm_hosting.catalog.") for t in targets)
    )
    assert importers == []


def test_the_warmup_functions_code_imports_only_the_standard_library_boto3_and_itself() -> None:
    """The Lambda runs these files as they are, with nothing installed beside the runtime's boto3."""
    own = {path.stem for path in ASSET.glob("*.py")}
    foreign = []
    for path in sorted(ASSET.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for top in (name.split(".")[0] for name in names):
                if top not in sys.stdlib_module_names and top not in {"boto3", "botocore", *own}:
                    foreign.append(f"{path.name}:{node.lineno} imports {top}")
    assert own == {"handler", "warmup"}
    assert foreign == []
