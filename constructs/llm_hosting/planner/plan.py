"""A plan of a whole catalog, as `python -m llm_hosting plan` reports it: per inference-component
endpoint, the placement at its initial and at its maximum copies, against the dedicated baseline.

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
