"""The planner applied to a catalog: inference-component endpoints at their initial and maximum copies.

`required_instances` is what catalog rules and synthesis call; `plan_catalog` is what the `plan`
command reports (placements at both copy levels plus the dedicated-endpoint baseline).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from llm_hosting.facts.instances import InstanceType
from llm_hosting.planner.baseline import Baseline, BaselineRule, Comparison, compare, dedicated_baseline
from llm_hosting.planner.model import Component, InstanceCapacity, PlacementResult
from llm_hosting.planner.placement import plan_placement

if TYPE_CHECKING:
    from llm_hosting.catalog.loader import LoadedCatalog
    from llm_hosting.catalog.rules import Counts
    from llm_hosting.catalog.schema import ComponentSpec, InferenceComponentEndpointSpec

# The catalog package is imported inside the functions below, not here: the catalog rules call
# `required_instances` while the catalog package is still being imported, and a module-level
# import back into it would be circular.

CopyLevel = Literal["initial", "min", "max"]


def instance_capacity(instance_type: InstanceType) -> InstanceCapacity:
    """What the planner needs of an instance type."""
    return InstanceCapacity(
        name=instance_type.name,
        gpus=instance_type.gpus,
        memory_mib=instance_type.memory_mib,
        vcpus=instance_type.vcpus,
    )


def component_demand(component: ComponentSpec, *, copies: CopyLevel = "initial") -> Component:
    """One component's reservation per copy, and its copy count at `copies`.

    `memory_mb` is compared with the instance's memory in MiB, as the catalog rules do; an absent
    `cpu_cores` reserves no CPU.
    """
    from llm_hosting.catalog.rules import component_accelerators, copy_counts  # noqa: PLC0415 - see top

    counts = copy_counts(component.copies)
    return Component(
        name=component.name,
        accelerators=component_accelerators(component),
        memory_mib=component.memory_mb,
        cpu_cores=component.cpu_cores or 0.0,
        copies=getattr(counts, copies),
    )


def required_instances(
    endpoint: InferenceComponentEndpointSpec,
    instance_type: InstanceType,
    *,
    copies: CopyLevel = "initial",
) -> PlacementResult:
    """The fewest instances of `instance_type` that hold `copies` copies of every component.

    This is the function catalog rules and synthesis call:

    - rules compare `result.instance_count` with `instance_count.initial` ("the initial copies of
      all components need N instances but instance_count.initial is M"), and with
      `instance_count.max` using `copies="max"`;
    - synthesis uses `result.instance_count` when `instance_count.initial` is omitted.

    `result.instance_count` is a valid placement's count, so it is always enough; when
    `result.proven_optimal` is False a smaller count may exist (no smaller than
    `result.lower_bound`). Deterministic, and quick (a fifth of a second at worst for small
    endpoints; about 0.2 s for 1,000 components).

    Raises `PlacementError` (a ValueError naming the component) when one copy of a component
    exceeds the instance type on its own; the rules report that per field, so they should catch it
    and skip this check.
    """
    components = [component_demand(c, copies=copies) for c in endpoint.components]
    return plan_placement(instance_capacity(instance_type), components)


@dataclass(frozen=True)
class LevelPlan:
    """One endpoint at one copy level: placement, configured instances and the baseline."""

    level: CopyLevel
    placement: PlacementResult
    configured_instances: int
    """instance_count.initial for the initial level, instance_count.max for the max level."""
    baseline: Baseline
    comparison: Comparison

    @property
    def enough_instances(self) -> bool:
        return self.placement.instance_count <= self.configured_instances


@dataclass(frozen=True)
class EndpointPlan:
    """An inference-component endpoint planned at its initial and its maximum copy counts."""

    index: int
    """Position in the catalog's `endpoints` list."""
    name: str
    instance_type: InstanceType
    instance_count: Counts
    initial: LevelPlan
    max: LevelPlan


@dataclass(frozen=True)
class CatalogPlan:
    source: str
    baseline_rule: BaselineRule
    prices: dict[str, float]
    endpoints: tuple[EndpointPlan, ...]


def plan_endpoint(catalog: LoadedCatalog, index: int, endpoint: InferenceComponentEndpointSpec) -> EndpointPlan:
    """Plan one endpoint of a loaded (so validated) catalog at both copy levels."""
    from llm_hosting.catalog.rules import instance_counts  # noqa: PLC0415 - see top

    instance_type = catalog.instance(endpoint.instance_type)
    planning = catalog.spec.planning
    counts = instance_counts(endpoint.instance_count)

    def level(name: Literal["initial", "max"], configured: int) -> LevelPlan:
        placement = required_instances(endpoint, instance_type, copies=name)
        baseline = dedicated_baseline(
            placement.components,
            endpoint_type=instance_type,
            instance_types=catalog.instance_types,
            rule=planning.baseline,
            prices=planning.prices,
        )
        comparison = compare(
            endpoint_type=instance_type,
            packed_instances=placement.instance_count,
            baseline=baseline,
            prices=planning.prices,
        )
        return LevelPlan(name, placement, configured, baseline, comparison)

    return EndpointPlan(
        index=index,
        name=endpoint.name,
        instance_type=instance_type,
        instance_count=counts,
        initial=level("initial", counts.initial),
        max=level("max", counts.max),
    )


def plan_catalog(catalog: LoadedCatalog, source: str | None = None) -> CatalogPlan:
    """Every inference-component endpoint of the catalog, in catalog order."""
    from llm_hosting.catalog.schema import InferenceComponentEndpointSpec  # noqa: PLC0415 - see top

    endpoints = tuple(
        plan_endpoint(catalog, i, e)
        for i, e in enumerate(catalog.spec.endpoints)
        if isinstance(e, InferenceComponentEndpointSpec)
    )
    planning = catalog.spec.planning
    return CatalogPlan(
        source=source if source is not None else str(catalog.path),
        baseline_rule=planning.baseline,
        prices=dict(sorted(planning.prices.items())),
        endpoints=endpoints,
    )
