"""A plan of a whole catalog, as `python -m llm_hosting plan` reports it: per inference-component
endpoint, the placement at its initial and at its maximum copies, against the dedicated baseline,
and the same for each fallback type of its instance pools.

Plain data: `llm_hosting.catalog.plan` builds it from a loaded catalog; `report` and `svg` render it.
"""

from __future__ import annotations

from dataclasses import dataclass

from llm_hosting.facts.instances import InstanceType
from llm_hosting.planner.baseline import Baseline, BaselineRule, Comparison
from llm_hosting.planner.model import CopyLevel, Counts, PlacementResult


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
class Unplanned:
    """A copy level that could not be planned on one pool type, and why (one line naming the fix)."""

    level: CopyLevel
    configured_instances: int
    reason: str


@dataclass(frozen=True)
class Reservation:
    """What one copy of a component reserves on one pool type."""

    component: str
    accelerators: int
    memory_mib: int
    cpu_cores: float
    specific: bool
    """True when the component's `compute_by_instance_type` gives it for this type; False when its own
    reservation applies."""


@dataclass(frozen=True)
class PoolPlan:
    """A fallback type of the endpoint's instance pools, planned as the fleet it becomes when every
    type before it is short of capacity: all instances of this type, each copy with this type's
    reservation, and a baseline like for like (this type's family and reservations)."""

    priority: int
    """2 for the first fallback (instance_type is priority 1), and so on."""
    instance_type: str
    facts: InstanceType | None
    """None when the type is unknown (then nothing is planned; a rule reports it)."""
    short: tuple[str, ...]
    """The types before it, which this scenario assumes have no capacity."""
    reservations: tuple[Reservation, ...]
    initial: LevelPlan | Unplanned
    max: LevelPlan | Unplanned

    @property
    def levels(self) -> tuple[LevelPlan | Unplanned, LevelPlan | Unplanned]:
        return (self.initial, self.max)

    @property
    def scenario(self) -> str:
        """When this pool is what holds the copies: "if A is short", "if A and B are short"."""
        names = self.short
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"if {listed} {'is' if len(names) == 1 else 'are'} short"


@dataclass(frozen=True)
class ComponentAdapters:
    """The LoRA adapters riding on one component: they reserve nothing and have no copies of their own."""

    component: str
    adapters: tuple[str, ...]


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
    adapters: tuple[ComponentAdapters, ...] = ()
    """Every component, in catalog order, with the adapters on it (often none)."""
    pools: tuple[PoolPlan, ...] = ()
    """The fallback types of `instance_pools`, in priority order; empty without pools."""

    @property
    def adapter_count(self) -> int:
        return sum(len(c.adapters) for c in self.adapters)


@dataclass(frozen=True)
class CatalogPlan:
    source: str
    baseline_rule: BaselineRule
    prices: dict[str, float]
    endpoints: tuple[EndpointPlan, ...]
