"""The dedicated-endpoint baseline: every copy on its own instance of the smallest type that fits it.

This is what hosting the same models without inference components would take, and what the
packed plan is compared against (GPUs, instance-hours, and money when prices are given), like for
like (`like_for_like`): per instance type, with that type's reservations and family.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from llm_hosting.facts.instances import InstanceType
from llm_hosting.planner.model import Component, PlacementResult, milli_cores

BaselineRule = Literal["same-family", "any"]


@dataclass(frozen=True)
class Dedicated:
    """One component's copies, each on a dedicated single-model endpoint instance."""

    component: str
    instance_type: str
    copies: int
    gpus_per_instance: int


@dataclass(frozen=True)
class Baseline:
    """The dedicated-endpoint hosting of a set of components."""

    rule: BaselineRule
    by_price: bool
    """True when the types were chosen by price (every fitting candidate had one), else by size."""
    dedicated: tuple[Dedicated, ...]
    family: str | None = None
    """The family the candidates came from (rule `same-family`); None when any known type could."""

    @property
    def instance_count(self) -> int:
        """Instances, which is also instance-hours per hour."""
        return sum(d.copies for d in self.dedicated)

    @property
    def gpus(self) -> int:
        return sum(d.copies * d.gpus_per_instance for d in self.dedicated)

    def instances_by_type(self) -> dict[str, int]:
        """Instance count per type, in type-name order."""
        counts: dict[str, int] = {}
        for d in sorted(self.dedicated, key=lambda d: d.instance_type):
            if d.copies:
                counts[d.instance_type] = counts.get(d.instance_type, 0) + d.copies
        return counts


class BaselineError(ValueError):
    """No candidate instance type fits one copy of a component."""


def fits(component: Component, instance: InstanceType) -> bool:
    """Whether one copy fits on an otherwise empty instance of this type."""
    return (
        component.accelerators <= instance.gpus
        and component.memory_mib <= instance.memory_mib
        and milli_cores(component.cpu_cores) <= milli_cores(instance.vcpus)
    )


def _size(instance: InstanceType) -> tuple[int, int, int, int, str]:
    return (instance.gpus, instance.gpu_memory_mib, instance.memory_mib, instance.vcpus, instance.name)


def dedicated_type(
    component: Component, candidates: Iterable[InstanceType], *, prices: Mapping[str, float]
) -> tuple[InstanceType, bool]:
    """The smallest candidate that fits one copy, and whether "smallest" meant cheapest.

    By hourly price when every fitting candidate has one (a partial price list cannot rank a
    priced type against an unpriced one), else by GPUs, then GPU memory, then host memory.
    Raises `BaselineError` when no candidate fits.
    """
    fitting = [t for t in candidates if fits(component, t)]
    if not fitting:
        raise BaselineError(f"component '{component.name}': no candidate instance type fits one copy")
    if all(t.name in prices for t in fitting):
        return min(fitting, key=lambda t: (prices[t.name], _size(t))), True
    return min(fitting, key=_size), False


def candidate_family(endpoint_type: InstanceType, rule: BaselineRule) -> str | None:
    """The family dedicated endpoints must come from: the endpoint type's (`same-family`), or None (`any`)."""
    return endpoint_type.family if rule == "same-family" else None


def candidates_for(
    endpoint_type: InstanceType, instance_types: Mapping[str, InstanceType], rule: BaselineRule
) -> list[InstanceType]:
    """The types a dedicated endpoint may use: the endpoint type's family, or every known type."""
    known = sorted(instance_types.values(), key=lambda t: t.name)
    family = candidate_family(endpoint_type, rule)
    return known if family is None else [t for t in known if t.family == family]


def dedicated_baseline(
    components: Sequence[Component],
    *,
    endpoint_type: InstanceType,
    instance_types: Mapping[str, InstanceType],
    rule: BaselineRule = "same-family",
    prices: Mapping[str, float] | None = None,
) -> Baseline:
    """Each component's copies on dedicated instances of the type `dedicated_type` picks."""
    prices = prices or {}
    candidates = candidates_for(endpoint_type, instance_types, rule)
    dedicated = []
    by_price = True
    for component in components:
        chosen, priced = dedicated_type(component, candidates, prices=prices)
        by_price = by_price and priced
        dedicated.append(Dedicated(component.name, chosen.name, component.copies, chosen.gpus))
    return Baseline(
        rule=rule,
        by_price=by_price and bool(components),
        dedicated=tuple(dedicated),
        family=candidate_family(endpoint_type, rule),
    )


@dataclass(frozen=True)
class Comparison:
    """Packed plan against the dedicated baseline, per hour of running."""

    packed_gpus: int
    baseline_gpus: int
    packed_instance_hours: int
    """Instance-hours per hour: the instance count."""
    baseline_instance_hours: int
    packed_cost: float | None
    """Per hour, in the catalog's currency; None unless every type involved has a price."""
    baseline_cost: float | None
    missing_prices: tuple[str, ...]
    """The types involved that have no price (then neither cost is given)."""

    @property
    def gpu_ratio(self) -> float | None:
        """Baseline over packed: how many times more GPUs dedicated endpoints would hold."""
        return _ratio(self.baseline_gpus, self.packed_gpus)

    @property
    def instance_hours_ratio(self) -> float | None:
        return _ratio(self.baseline_instance_hours, self.packed_instance_hours)

    @property
    def cost_ratio(self) -> float | None:
        if self.packed_cost is None or self.baseline_cost is None:
            return None
        return _ratio(self.baseline_cost, self.packed_cost)


def _ratio(baseline: float, packed: float) -> float | None:
    return baseline / packed if packed else None


def compare(
    *, endpoint_type: InstanceType, packed_instances: int, baseline: Baseline, prices: Mapping[str, float]
) -> Comparison:
    """GPUs, instance-hours and (when every involved type has a price) cost, packed vs baseline."""
    involved = {endpoint_type.name, *(d.instance_type for d in baseline.dedicated if d.copies)}
    missing = tuple(sorted(t for t in involved if t not in prices))
    packed_cost = baseline_cost = None
    if not missing:
        packed_cost = packed_instances * prices[endpoint_type.name]
        baseline_cost = sum(d.copies * prices[d.instance_type] for d in baseline.dedicated)
    return Comparison(
        packed_gpus=packed_instances * endpoint_type.gpus,
        baseline_gpus=baseline.gpus,
        packed_instance_hours=packed_instances,
        baseline_instance_hours=baseline.instance_count,
        packed_cost=packed_cost,
        baseline_cost=baseline_cost,
        missing_prices=missing,
    )


def like_for_like(
    placement: PlacementResult,
    instance_type: InstanceType,
    *,
    instance_types: Mapping[str, InstanceType],
    rule: BaselineRule,
    prices: Mapping[str, float],
) -> tuple[Baseline, Comparison]:
    """The baseline of a packed placement on `instance_type`, and the comparison with it, like for like.

    Like for like means: the same copies, each reserving what it reserves on `instance_type` (the
    placement's demands, so a per-type reservation counts), on dedicated instances of that type's
    family (rule `same-family`; any known type for `any`), compared with the packed instances of
    that type, priced from the same price list. A placement on a fallback pool type is thus never
    measured against the first type's family or reservations.
    """
    if placement.instance.name != instance_type.name:
        raise ValueError(f"the placement is on {placement.instance.name}, not on {instance_type.name}")
    baseline = dedicated_baseline(
        placement.components,
        endpoint_type=instance_type,
        instance_types=instance_types,
        rule=rule,
        prices=prices,
    )
    comparison = compare(
        endpoint_type=instance_type,
        packed_instances=placement.instance_count,
        baseline=baseline,
        prices=prices,
    )
    return baseline, comparison
