"""The catalog with everything derived worked out once: counts, copies, accelerators, instance types, images.

`resolve_catalog` never fails: what cannot be resolved (an unknown instance type, an image version
that does not exist, a component larger than an instance) is left as `None` or at a safe fallback,
and the rules (`catalog/rules/`) report it against its field. Everything downstream (the rules, the
planner report, `endpoints/from_catalog.py`, `stacks/`) reads these values instead of working them
out again.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.schema import (
    MAX_COPIES,
    Adapter,
    Catalog,
    ComponentSpec,
    Compute,
    CopyCount,
    EndpointBase,
    EndpointSpec,
    InferenceComponentEndpointSpec,
    InstanceCount,
    ModelSpec,
    MultiModelSpec,
)
from llm_hosting.facts.images import ContainerImage, UnknownImageError, find_image
from llm_hosting.facts.instances import INSTANCE_TYPES, InstanceType
from llm_hosting.packaging.serving_properties import DJL_ENGINES, DjlServing, djl_serving, read_serving_properties
from llm_hosting.planner import (
    Component,
    CopyLevel,
    Counts,
    InstanceCapacity,
    PlacementError,
    PlacementResult,
    plan_placement,
)


def instance_counts(count: InstanceCount) -> Counts:
    """Defaults: initial = min (or 1), min = initial, max = the larger of the two."""
    initial = count.initial if count.initial is not None else max(count.min or 0, 1)
    minimum = count.min if count.min is not None else initial
    maximum = count.max if count.max is not None else max(initial, minimum, 1)
    return Counts(initial, minimum, maximum)


def copy_counts(count: CopyCount) -> Counts:
    """Defaults: initial = min (or 1), min = initial, max = the larger of the two."""
    initial = count.initial if count.initial is not None else (count.min if count.min else 1)
    minimum = count.min if count.min is not None else initial
    maximum = count.max if count.max is not None else max(initial, minimum, 1)
    return Counts(initial, minimum, maximum)


SpecT = TypeVar("SpecT", bound=EndpointBase)


@dataclass(frozen=True)
class ResolvedModel:
    """What runs in a container, with its image found and its code directory located."""

    spec: ModelSpec | MultiModelSpec
    at: str
    """Field path, e.g. `endpoints[0].components[1].model`."""
    image: ContainerImage | str | None
    """The engine image, or a custom image's URI; None when the engine has no such version (a rule says so)."""
    code_dir: Path | None
    """`code`, resolved against the catalog file's directory."""

    def file_properties(self) -> dict[str, str] | str:
        """The code directory's serving.properties (empty without one), or why it cannot be read
        (a missing directory included: the rules report that once, on `code`)."""
        return self._file_properties

    @cached_property
    def _file_properties(self) -> dict[str, str] | str:
        directory = self.code_dir
        if directory is None:
            return {}
        if not directory.is_dir():
            return f"'{directory}' is not a directory"
        try:
            return read_serving_properties(directory)
        except (OSError, UnicodeDecodeError) as err:
            return f"cannot read {directory / 'serving.properties'}: {err}; fix the file"

    @cached_property
    def djl(self) -> DjlServing | str | None:
        """A DJL model's serving options: the code directory's file, the catalog's entries, their merge
        and its environment form; the reason when the file cannot be read; None for other engines."""
        spec = self.spec
        if not isinstance(spec, ModelSpec) or spec.engine not in DJL_ENGINES:
            return None
        file_props = self.file_properties()
        if isinstance(file_props, str):
            return file_props
        image = self.image
        return djl_serving(
            spec.engine,
            file_props,
            tensor_parallel_degree=spec.tensor_parallel_degree,
            weights=spec.weights,
            batching=spec.batching,
            extra={**spec.properties, **spec.unchecked_properties},
            environment_image=image if spec.code is None and isinstance(image, ContainerImage) else None,
        )

    def serving_environment(self) -> dict[str, str]:
        """The environment variables that carry a DJL model's serving options when it has no code and its
        engine version reads each option that way (empty otherwise: the options go into an archive)."""
        djl = self.djl
        if not isinstance(djl, DjlServing) or djl.environment is None:
            return {}
        return dict(djl.environment)

    def serving_properties(self) -> dict[str, str]:
        """The serving.properties a DJL model runs with: the code directory's file with the catalog's
        entries filled in (empty for other engines, or a file that cannot be read)."""
        djl = self.djl
        return dict(djl.properties) if isinstance(djl, DjlServing) else {}


@dataclass(frozen=True)
class ResolvedCompute:
    """What one copy reserves on one instance type, with the accelerators worked out."""

    accelerators: int
    """GPUs one copy reserves: as given, else the tensor parallel degree, else 1."""
    memory_mb: int
    max_memory_mb: int | None
    cpu_cores: float | None


@dataclass(frozen=True)
class ResolvedAdapter:
    """A LoRA adapter: an inference component that rides on its base component's copies."""

    spec: Adapter
    at: str
    base: str
    """The base component's name."""

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class ResolvedComponent:
    spec: ComponentSpec
    at: str
    model: ResolvedModel
    compute: ResolvedCompute
    """What one copy reserves on the endpoint's instance_type."""
    copies: Counts
    compute_by_instance_type: Mapping[str, ResolvedCompute] = field(default_factory=dict)
    """What one copy reserves on each other instance type of the endpoint's pools it names."""
    adapters: tuple[ResolvedAdapter, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def accelerators(self) -> int:
        return self.compute.accelerators

    def compute_on(self, instance_type: str | None) -> ResolvedCompute:
        """The reservation on `instance_type` (None: the endpoint's instance_type)."""
        return self.compute_by_instance_type.get(instance_type or "", self.compute)

    def demand(self, level: CopyLevel = "initial", instance_type: str | None = None) -> Component:
        """What the planner packs: one copy's reservation (on `instance_type`), and the copies at `level`.

        `memory_mb` is compared with the instance's memory in MiB, as the rules do; an absent
        `cpu_cores` reserves no CPU.
        """
        compute = self.compute_on(instance_type)
        return Component(
            name=self.spec.name,
            accelerators=compute.accelerators,
            memory_mib=compute.memory_mb,
            cpu_cores=compute.cpu_cores or 0.0,
            copies=self.copies.at(level),
        )


@dataclass(frozen=True)
class ResolvedEndpoint:
    spec: EndpointSpec
    at: str
    """Field path, e.g. `endpoints[2]`."""
    index: int
    instance: InstanceType | None
    """None when the instance type is unknown (a rule says so)."""
    instances: Counts
    model: ResolvedModel | None
    """The endpoint's model (single-model and multi-model endpoints; see `single_model`)."""
    components: tuple[ResolvedComponent, ...] = ()
    pools: tuple[tuple[str, InstanceType | None], ...] = ()
    """Every instance type the variant may run on, in priority order, with its facts (None when
    unknown): instance_type, then the instance_pools fallbacks."""
    _placements: dict[tuple[CopyLevel, str | None], PlacementResult | PlacementError | None] = field(
        default_factory=dict, repr=False, compare=False
    )
    """Each (level, instance type) planned once: the placement, why one copy does not fit, or None."""

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def type(self) -> str:
        return self.spec.type

    def spec_as(self, kind: builtins.type[SpecT]) -> SpecT:
        """The spec as the type the caller serves (the callers are chosen by `type`, so it always is)."""
        spec = self.spec
        if not isinstance(spec, kind):
            raise TypeError(f"{self.at} is a {self.type} endpoint, not {kind.__name__}")
        return spec

    @property
    def single_model(self) -> ResolvedModel:
        """The model of a single-model or multi-model endpoint."""
        if self.model is None:
            raise TypeError(f"{self.at} is a {self.type} endpoint, which has no model of its own")
        return self.model

    def placement(self, level: CopyLevel = "initial", instance_type: str | None = None) -> PlacementResult | None:
        """The fewest instances (of `instance_type`, default the endpoint's instance_type) that hold `level`
        copies of every component, worked out once; None when there are no components, the instance type
        is unknown, or one copy does not fit an instance (each of which a rule reports on its own field)."""
        outcome = self._placement(level, instance_type)
        return outcome if isinstance(outcome, PlacementResult) else None

    def placement_error(self, level: CopyLevel = "initial", instance_type: str | None = None) -> PlacementError | None:
        """Why `placement` is None when that is because a copy does not fit the instance type."""
        outcome = self._placement(level, instance_type)
        return outcome if isinstance(outcome, PlacementError) else None

    def _placement(self, level: CopyLevel, instance_type: str | None) -> PlacementResult | PlacementError | None:
        key = (level, instance_type)
        if key not in self._placements:
            facts = self.instance if instance_type is None else dict(self.pools).get(instance_type)
            self._placements[key] = place(facts, self.components, level, instance_type)
        return self._placements[key]

    @property
    def adapters(self) -> tuple[ResolvedAdapter, ...]:
        return tuple(adapter for component in self.components for adapter in component.adapters)

    @property
    def reachable_instances(self) -> int:
        """The most instances the endpoint can run: `instance_count.max`, or for inference components
        what the planner needs at every component's maximum copies, if that is fewer."""
        placed = self.placement("max")
        if placed is None:
            return self.instances.max
        return min(self.instances.max, max(placed.instance_count, self.instances.min))


def place(
    instance: InstanceType | None,
    components: Sequence[ResolvedComponent],
    level: CopyLevel,
    instance_type: str | None = None,
) -> PlacementResult | PlacementError | None:
    """The planner's placement, or its error when one copy does not fit; None when there is nothing to plan."""
    if not components or instance is None:
        return None
    if len({c.name for c in components}) < len(components) or sum(c.copies.at(level) for c in components) > MAX_COPIES:
        return None  # repeated names and absurd copy counts are reported by the rules, not planned
    try:
        return plan_placement(InstanceCapacity.of(instance), [c.demand(level, instance_type) for c in components])
    except PlacementError as err:
        return err


def effective_instance_types(spec: Catalog) -> tuple[dict[str, InstanceType], list[Problem]]:
    """The known instance types with the catalog's corrections and additions applied."""
    table = dict(INSTANCE_TYPES)
    problems: list[Problem] = []
    for name, override in spec.instance_types.items():
        given = override.model_dump(exclude_none=True)
        known = table.get(name)
        if known is not None:
            table[name] = replace(known, **given, confirmed=True)
            continue
        missing = [f for f in ("gpus", "gpu_memory_mib", "vcpus", "memory_mib", "nvme") if f not in given]
        if missing:
            problems.append(
                Problem(
                    f"instance_types.{name}",
                    f"{name} is not a known type, so describe it fully; add {', '.join(missing)}",
                )
            )
            continue
        table[name] = InstanceType(
            name=name,
            accelerator=given.get("accelerator", "GPU"),
            confirmed=True,
            **{k: given[k] for k in ("gpus", "gpu_memory_mib", "vcpus", "memory_mib", "nvme")},
        )
    return table, problems


def resolve_image(model: ModelSpec | MultiModelSpec) -> ContainerImage | str | None:
    if model.engine == "custom":
        return model.image
    try:
        return find_image(model.engine, model.version)
    except UnknownImageError:
        return None


def resolve_model(model: ModelSpec | MultiModelSpec, at: str, base_dir: Path) -> ResolvedModel:
    code = model.code if isinstance(model, ModelSpec) else None
    return ResolvedModel(
        spec=model,
        at=at,
        image=resolve_image(model),
        code_dir=(base_dir / code).resolve() if code is not None else None,
    )


def resolve_compute(compute: Compute, model: ModelSpec) -> ResolvedCompute:
    accelerators = compute.accelerators
    if accelerators is None:
        accelerators = model.tensor_parallel_degree or 1
    return ResolvedCompute(
        accelerators=accelerators,
        memory_mb=compute.memory_mb,
        max_memory_mb=compute.max_memory_mb,
        cpu_cores=compute.cpu_cores,
    )


def resolve_component(component: ComponentSpec, at: str, base_dir: Path) -> ResolvedComponent:
    return ResolvedComponent(
        spec=component,
        at=at,
        model=resolve_model(component.model, f"{at}.model", base_dir),
        compute=resolve_compute(component, component.model),
        copies=copy_counts(component.copies),
        compute_by_instance_type={
            instance_type: resolve_compute(compute, component.model)
            for instance_type, compute in component.compute_by_instance_type.items()
        },
        adapters=tuple(
            ResolvedAdapter(spec=adapter, at=f"{at}.adapters[{k}]", base=component.name)
            for k, adapter in enumerate(component.adapters)
        ),
    )


def resolve_endpoint(
    endpoint: EndpointSpec, index: int, instance_types: Mapping[str, InstanceType], base_dir: Path
) -> ResolvedEndpoint:
    at = f"endpoints[{index}]"
    instance = instance_types.get(endpoint.instance_type)
    if not isinstance(endpoint, InferenceComponentEndpointSpec):
        return ResolvedEndpoint(
            spec=endpoint,
            at=at,
            index=index,
            instance=instance,
            instances=instance_counts(endpoint.instance_count),
            model=resolve_model(endpoint.model, f"{at}.model", base_dir),
        )
    components = tuple(
        resolve_component(component, f"{at}.components[{j}]", base_dir)
        for j, component in enumerate(endpoint.components)
    )
    count = endpoint.instance_count
    placements: dict[tuple[CopyLevel, str | None], PlacementResult | PlacementError | None] = {}
    if count.initial is None:
        # An omitted `initial` is what the planner needs to place every component's initial copies.
        placed = placements["initial", None] = place(instance, components, "initial")
        needed = placed.instance_count if isinstance(placed, PlacementResult) else 1
        count = count.model_copy(update={"initial": max(needed, count.min or 0, 1)})
    return ResolvedEndpoint(
        spec=endpoint,
        at=at,
        index=index,
        instance=instance,
        instances=instance_counts(count),
        model=None,
        components=components,
        pools=tuple((name, instance_types.get(name)) for name in (endpoint.instance_type, *endpoint.instance_pools)),
        _placements=placements,
    )


def resolve_endpoints(
    spec: Catalog, instance_types: Mapping[str, InstanceType], base_dir: Path
) -> tuple[ResolvedEndpoint, ...]:
    return tuple(
        resolve_endpoint(endpoint, index, instance_types, base_dir) for index, endpoint in enumerate(spec.endpoints)
    )
