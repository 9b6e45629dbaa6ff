"""Capacity planner: packs inference-component copies onto GPU instances and says how good that is.

`plan_placement` works on plain inputs (`InstanceCapacity`, `Component`); `required_instances`
applies it to a catalog endpoint, for the catalog rules and synthesis; `plan_catalog` adds the
dedicated-endpoint baseline for `python -m llm_hosting plan`. No CDK, no dependencies.
"""

from llm_hosting.planner.baseline import Baseline, BaselineError, Comparison, dedicated_baseline
from llm_hosting.planner.catalog import CatalogPlan, EndpointPlan, LevelPlan, plan_catalog, required_instances
from llm_hosting.planner.model import (
    Component,
    InstanceCapacity,
    InstancePlacement,
    PlacedCopy,
    PlacementError,
    PlacementResult,
    Resources,
)
from llm_hosting.planner.placement import plan_placement

__all__ = [
    "Baseline",
    "BaselineError",
    "CatalogPlan",
    "Comparison",
    "Component",
    "EndpointPlan",
    "InstanceCapacity",
    "InstancePlacement",
    "LevelPlan",
    "PlacedCopy",
    "PlacementError",
    "PlacementResult",
    "Resources",
    "dedicated_baseline",
    "plan_catalog",
    "plan_placement",
    "required_instances",
]
