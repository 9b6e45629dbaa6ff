"""Capacity planner: packs inference-component copies onto GPU instances and says how good that is.

Plain inputs and outputs, no catalog and no CDK: `plan_placement` packs `Component` demands onto
instances of one `InstanceCapacity`; `dedicated_baseline` prices the same models on endpoints of
their own; `plan`, `report` and `svg` describe and render a whole catalog's plan, which
`llm_hosting.catalog.plan` builds.
"""

from llm_hosting.planner.baseline import Baseline, BaselineError, Comparison, compare, dedicated_baseline
from llm_hosting.planner.model import (
    Component,
    CopyLevel,
    Counts,
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
    "Comparison",
    "Component",
    "CopyLevel",
    "Counts",
    "InstanceCapacity",
    "InstancePlacement",
    "PlacedCopy",
    "PlacementError",
    "PlacementResult",
    "Resources",
    "compare",
    "dedicated_baseline",
    "plan_placement",
]
