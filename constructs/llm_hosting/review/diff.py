"""Compare two synthesized assemblies: per stack, which resources are added, removed, replaced or modified.

Resources are matched by logical ID within a stack of the same name, as CloudFormation matches them.
A matched resource is *replaced* when a create-only property or its explicit name changes, and the
replacement spreads: a create-only property that refers to a replaced resource changes too, though
its text does not. Values CloudFormation computes at deploy time are never guessed; a change says
which replaced resources it depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from llm_hosting.assembly import StackTemplate
from llm_hosting.review.replacement import type_rules
from llm_hosting.review.values import Path, format_path, is_intrinsic, references, render, value_at

IGNORED_RESOURCE_TYPES = frozenset({"AWS::CDK::Metadata"})
"""CDK's version-reporting resource: it changes with the CDK version, not with the deployment."""

IGNORED_TEMPLATE_ENTRIES = frozenset(
    {
        ("Parameters", "BootstrapVersion"),
        ("Rules", "CheckBootstrapVersion"),
        ("Conditions", "CDKMetadataAvailable"),
    }
)
"""Template entries CDK adds for its own bookkeeping (bootstrap version check, metadata region list)."""

TOOL_METADATA_PREFIXES = ("aws:cdk:", "aws:asset:", "cdk_nag", "checkov", "cfn_nag", "guard")
"""Resource Metadata keys written for tools (construct paths, asset hints, linter suppressions)."""

COMPARED_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy", "Condition")
"""Resource attributes whose change matters. `DependsOn` only orders operations, so it is left out."""

MODEL_ARCHIVE_PROPERTIES = frozenset({"ModelDataUrl", "ArtifactUrl", "S3Uri"})
"""Where a model archive's S3 location appears: a new key there is a new model."""

ChangeKind = Literal["added", "removed", "changed", "unresolved"]
ResourceAction = Literal["added", "removed", "replaced", "modified"]
StackStatus = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True)
class PropertyChange:
    """One changed value inside a resource (or inside the template outside `Resources`)."""

    path: Path
    kind: ChangeKind
    """`unresolved`: the text is unchanged, but it refers to a replaced resource, so its value changes."""
    old: Any = None
    new: Any = None
    replaced_refs: tuple[str, ...] = ()
    """Replaced resources the new value refers to: its deployed value changes even if its text does not."""
    create_only: bool = False
    attribute: bool = False
    """A resource attribute (`DeletionPolicy`, `Metadata`...), not a property."""

    @property
    def label(self) -> str:
        return format_path(self.path)

    @property
    def note(self) -> str:
        notes = []
        if self.replaced_refs:
            names = ", ".join(self.replaced_refs)
            notes.append(
                f"new value at deploy time: {names} {'is' if len(self.replaced_refs) == 1 else 'are'} replaced"
            )
        if self.path and self.path[-1] in MODEL_ARCHIVE_PROPERTIES and self.kind == "changed":
            notes.append("a new model archive")
        return "; ".join(notes)

    def describe(self, width: int | None = None) -> str:
        """`ProductionVariants[0].InstanceType: ml.g5.2xlarge -> ml.g5.4xlarge`, values cut to about `width`."""
        if self.kind == "added":
            text = f"{self.label}: added" + _shown(self.new, width, prefix=" ")
        elif self.kind == "removed":
            text = f"{self.label}: removed" + _shown(self.old, width, prefix=" (was ", suffix=")")
        elif self.kind == "unresolved":
            # The text is the same on both sides; only the deploy-time value differs (said in the note).
            text = f"{self.label}: {_cut(render(self.new), width)}"
        else:
            old, new = _window(render(self.old), render(self.new), width)
            text = f"{self.label}: {old} -> {new}"
        if self.create_only:
            text += " [create-only]"
        note = self.note
        return f"{text} ({note})" if note else text


def _shown(value: Any, width: int | None, *, prefix: str, suffix: str = "") -> str:
    # Whole objects added or removed are summarized; the JSON output carries them in full.
    if isinstance(value, dict | list) and not is_intrinsic(value):
        return ""
    return f"{prefix}{_cut(render(value), width)}{suffix}"


def _cut(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[: width - 1] + "…"


def _window(old: str, new: str, width: int | None) -> tuple[str, str]:
    """Both values, long ones cut so that the part that differs stays in view."""
    if width is None or (len(old) <= width and len(new) <= width):
        return old, new
    common = 0
    while common < min(len(old), len(new)) and old[common] == new[common]:
        common += 1
    keep = 16  # characters of shared context before the difference
    start = max(0, common - keep)
    if start == 0:
        return _cut(old, width), _cut(new, width)
    return _cut("…" + old[start:], width), _cut("…" + new[start:], width)


@dataclass(frozen=True)
class ResourceChange:
    """What happens to one resource."""

    logical_id: str
    resource_type: str
    action: ResourceAction
    changes: tuple[PropertyChange, ...] = ()
    reasons: tuple[str, ...] = ()
    """Why a replaced resource is replaced, in words."""
    old: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    new: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def change_at(self, *path: str | int) -> PropertyChange | None:
        return next((c for c in self.changes if c.path == path and not c.attribute), None)


@dataclass(frozen=True)
class StackChange:
    """What happens to one stack."""

    name: str
    status: StackStatus
    resources: tuple[ResourceChange, ...] = ()
    template: tuple[PropertyChange, ...] = ()
    """Changes outside `Resources`: Outputs, Parameters, Mappings, Conditions, Rules, Description."""
    old_template: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    new_template: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def resource(self, logical_id: str) -> ResourceChange | None:
        return next((r for r in self.resources if r.logical_id == logical_id), None)

    def with_action(self, action: ResourceAction) -> tuple[ResourceChange, ...]:
        return tuple(r for r in self.resources if r.action == action)


@dataclass(frozen=True)
class AssemblyChange:
    """Every stack of the old and the new assembly, by name."""

    stacks: tuple[StackChange, ...]

    def stack(self, name: str) -> StackChange:
        return next(s for s in self.stacks if s.name == name)

    @property
    def changed(self) -> tuple[StackChange, ...]:
        return tuple(s for s in self.stacks if s.status != "unchanged")


def compare_assemblies(old: Sequence[StackTemplate], new: Sequence[StackTemplate]) -> AssemblyChange:
    """Compare two assemblies' stacks by name; stacks come out sorted by name."""
    old_by_name = {s.name: s.template for s in old}
    new_by_name = {s.name: s.template for s in new}
    names = sorted(set(old_by_name) | set(new_by_name))
    return AssemblyChange(tuple(compare_templates(n, old_by_name.get(n), new_by_name.get(n)) for n in names))


def compare_templates(name: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> StackChange:
    """Compare one stack's templates; `None` for a stack that is missing on that side."""
    old_resources = _resources(old)
    new_resources = _resources(new)
    resources = _compare_resources(old_resources, new_resources)
    template: tuple[PropertyChange, ...] = ()
    # An added or removed stack's Outputs, Mappings and Rules come and go with it: not worth a line each.
    if old is not None and new is not None:
        replaced = {r.logical_id for r in resources if r.action == "replaced"}
        sections = _other_sections(new)
        template = tuple(_annotated(list(_diff(_other_sections(old), sections, ())), sections, replaced))
    status: StackStatus
    if old is None:
        status = "added"
    elif new is None:
        status = "removed"
    else:
        status = "changed" if resources or template else "unchanged"
    return StackChange(name, status, resources, template, old, new)


def _resources(template: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    resources = template.get("Resources", {}) if template is not None else {}
    return {
        logical_id: resource
        for logical_id, resource in resources.items()
        if isinstance(resource, dict) and resource.get("Type") not in IGNORED_RESOURCE_TYPES
    }


def _other_sections(template: Mapping[str, Any] | None) -> dict[str, Any]:
    if template is None:
        return {}
    sections: dict[str, Any] = {}
    for section, content in template.items():
        if section == "Resources":
            continue
        kept = content
        if isinstance(content, dict):
            kept = {k: v for k, v in content.items() if (section, k) not in IGNORED_TEMPLATE_ENTRIES}
            if not kept:
                continue
        sections[section] = kept
    return sections


def _properties(resource: Mapping[str, Any]) -> dict[str, Any]:
    properties = resource.get("Properties", {})
    return properties if isinstance(properties, dict) else {}


def _attributes(resource: Mapping[str, Any]) -> dict[str, Any]:
    attributes = {name: resource[name] for name in COMPARED_ATTRIBUTES if name in resource}
    metadata = resource.get("Metadata")
    if isinstance(metadata, dict):
        kept = {k: v for k, v in metadata.items() if not str(k).startswith(TOOL_METADATA_PREFIXES)}
        if kept:
            attributes["Metadata"] = kept
    return attributes


def _compare_resources(
    old: Mapping[str, dict[str, Any]], new: Mapping[str, dict[str, Any]]
) -> tuple[ResourceChange, ...]:
    common = sorted(set(old) & set(new))
    textual = {lid: list(_diff(_properties(old[lid]), _properties(new[lid]), ())) for lid in common}

    reasons: dict[str, list[str]] = {}
    for lid in common:
        direct = _direct_reasons(old[lid], new[lid], textual[lid])
        if direct:
            reasons[lid] = direct

    # Replacement spreads: a create-only property that refers to a replaced resource gets a new value.
    spreading = True
    while spreading:
        spreading = False
        for lid in common:
            if lid in reasons:
                continue
            rules = type_rules(str(new[lid].get("Type")))
            for path, refs in _refers_to(_properties(new[lid]), set(reasons), ()):
                if rules.is_create_only(path):
                    names = ", ".join(refs)
                    reasons[lid] = [f"create-only {format_path(path)} refers to {names}, which is replaced"]
                    spreading = True
                    break

    replaced = set(reasons)
    out: list[ResourceChange] = []
    for lid in sorted(set(old) | set(new)):
        if lid not in old:
            out.append(ResourceChange(lid, str(new[lid].get("Type")), "added", new=new[lid]))
        elif lid not in new:
            out.append(ResourceChange(lid, str(old[lid].get("Type")), "removed", old=old[lid]))
        else:
            rules = type_rules(str(new[lid].get("Type")))
            changes = _annotated(textual[lid], _properties(new[lid]), replaced, rules.is_create_only)
            changes += [
                PropertyChange(c.path, c.kind, c.old, c.new, attribute=True)
                for c in _diff(_attributes(old[lid]), _attributes(new[lid]), ())
            ]
            if lid in replaced:
                action: ResourceAction = "replaced"
            elif changes:
                action = "modified"
            else:
                continue
            resource_type = str(new[lid].get("Type"))
            out.append(
                ResourceChange(
                    lid, resource_type, action, tuple(changes), tuple(reasons.get(lid, ())), old[lid], new[lid]
                )
            )
    return tuple(out)


def _direct_reasons(old: Mapping[str, Any], new: Mapping[str, Any], textual: Sequence[PropertyChange]) -> list[str]:
    old_type, new_type = str(old.get("Type")), str(new.get("Type"))
    if old_type != new_type:
        return [f"its type changes from {old_type} to {new_type}"]
    rules = type_rules(new_type)
    reasons: list[str] = []
    for change in textual:
        if rules.name_property is not None and change.path[:1] == (rules.name_property,):
            reasons.append(f"its name {rules.name_property} changes")
        elif rules.is_create_only(change.path):
            reasons.append(f"create-only {change.label} changes")
    return list(dict.fromkeys(reasons))


def _annotated(
    textual: Sequence[PropertyChange],
    new: Any,
    replaced: set[str],
    create_only: Callable[[Path], bool] = lambda path: False,
) -> list[PropertyChange]:
    """Text changes, plus the values whose text stays but that refer to a replaced resource."""
    changes: dict[Path, PropertyChange] = {}
    for c in textual:
        # An added value is new anyway; a changed one may also depend on a replacement.
        depends = tuple(sorted(references(c.new) & replaced)) if c.kind == "changed" else ()
        changes[c.path] = PropertyChange(c.path, c.kind, c.old, c.new, depends, create_only(c.path))
    for path, refs in _refers_to(new, replaced, ()):
        # Already reported with its text change (at this path or around it)?
        if any(path[: len(p)] == p for p in changes):
            continue
        value = value_at(new, path)
        changes[path] = PropertyChange(path, "unresolved", value, value, tuple(refs), create_only(path))
    return [changes[path] for path in sorted(changes, key=_sort_key)]


def _sort_key(path: Path) -> tuple[tuple[int, str], ...]:
    # Indexes sort numerically and before names, so `[2]` comes before `[10]`.
    return tuple((0, f"{part:09d}") if isinstance(part, int) else (1, part) for part in path)


def _refers_to(value: Any, replaced: set[str], path: Path) -> Iterator[tuple[Path, list[str]]]:
    """Paths of the intrinsics inside `value` that refer to a resource in `replaced`."""
    if is_intrinsic(value):
        refs = sorted(references(value) & replaced)
        if refs:
            yield path, refs
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _refers_to(value[key], replaced, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _refers_to(item, replaced, (*path, index))


_MISSING: Any = object()


def _diff(old: Any, new: Any, path: Path) -> Iterator[PropertyChange]:
    """Leaf changes from `old` to `new`. Intrinsics and lists of plain values count as one leaf."""
    if old is _MISSING:
        yield PropertyChange(path, "added", None, new)
    elif new is _MISSING:
        yield PropertyChange(path, "removed", old, None)
    elif old == new:
        return
    elif _is_object(old) and _is_object(new):
        for key in sorted(set(old) | set(new)):
            yield from _diff(old.get(key, _MISSING), new.get(key, _MISSING), (*path, key))
    elif isinstance(old, list) and isinstance(new, list) and _has_structure(old + new):
        for index in range(max(len(old), len(new))):
            before = old[index] if index < len(old) else _MISSING
            after = new[index] if index < len(new) else _MISSING
            yield from _diff(before, after, (*path, index))
    else:
        yield PropertyChange(path, "changed", old, new)


def _is_object(value: Any) -> bool:
    return isinstance(value, dict) and not is_intrinsic(value)


def _has_structure(items: list[Any]) -> bool:
    # Lists of plain values (actions, region lists) read better as one before/after than item by item.
    return any(isinstance(item, dict | list) for item in items)
