"""Read a synthesized cloud assembly (`cdk.out`) without CDK: stacks, templates, sizes.

Used by the command line (stack summary, limits, preflight, change review), so it is plain JSON,
and whatever the directory holds, reading it gives the stacks or one `AssemblyError` line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class StackTemplate:
    """One stack of an assembly: its name, template file and parsed template."""

    name: str
    path: Path
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.template.get("Resources", {})
        return resources

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


class AssemblyError(ValueError):
    """The directory is not a readable cloud assembly; the message is one line."""


def read_assembly(cdk_out: str | Path) -> list[StackTemplate]:
    """Every stack in the assembly (nested stage assemblies included), in manifest order, each with
    a template that has a Resources object; `AssemblyError` saying what is wrong otherwise."""
    directory = Path(cdk_out)
    if not directory.is_dir():
        raise AssemblyError(f"{directory}: no such directory; pass a synthesized cloud assembly (cdk.out)")
    try:
        stacks = list(_stacks(directory))
    except AssemblyError:
        raise
    except KeyError as err:
        raise AssemblyError(f"{directory}/manifest.json: a stack artifact has no {err}") from None
    except (OSError, ValueError) as err:
        raise AssemblyError(f"{directory}: a stack template cannot be read: {err}") from None
    except (AttributeError, TypeError):
        raise AssemblyError(f"{directory}/manifest.json: not a cloud assembly manifest") from None
    for stack in stacks:
        if not isinstance(stack.template, dict) or not isinstance(stack.template.get("Resources", {}), dict):
            raise AssemblyError(f"{stack.path}: not a CloudFormation template (no Resources object)")
    return stacks


def stack_table(stacks: Sequence[StackTemplate], *, relative_to: Path | None = None) -> list[str]:
    """One line per stack: its name, resource count, template size and file (relative to
    `relative_to` where the file lies under it)."""
    width = max((len(s.name) for s in stacks), default=0)
    lines = []
    for stack in stacks:
        path = stack.path
        if relative_to is not None and path.is_absolute() and path.is_relative_to(relative_to):
            path = path.relative_to(relative_to)
        size = f"{stack.size_bytes / 1024:>7.1f} KiB"
        lines.append(f"{stack.name:<{width}}  {len(stack.resources):>4} resources  {size}  {path}")
    return lines


def _stacks(directory: Path) -> Iterator[StackTemplate]:
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssemblyError(
            f"{directory}: no manifest.json; run `make synth` (or pass the cdk.out directory)"
        ) from None
    except (OSError, ValueError) as err:
        raise AssemblyError(f"{manifest_path}: cannot be read: {err}") from None
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        kind = artifact.get("type")
        props = artifact.get("properties", {})
        if kind == "aws:cloudformation:stack":
            path = directory / props["templateFile"]
            name = props.get("stackName", artifact_id)
            yield StackTemplate(name=name, path=path, template=json.loads(path.read_text(encoding="utf-8")))
        elif kind == "cdk:cloud-assembly":
            yield from _stacks(directory / props["directoryName"])
