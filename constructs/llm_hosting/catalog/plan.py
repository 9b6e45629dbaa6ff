"""The capacity plan of a loaded catalog: every inference-component endpoint at its initial and its
maximum copies, on its instance_type and on each fallback type of its instance pools, with the
dedicated-endpoint baseline like for like (what `python -m llm_hosting plan` reports)."""

from __future__ import annotations

from llm_hosting.catalog.loader import LoadedCatalog
from llm_hosting.catalog.resolve import ResolvedEndpoint
from llm_hosting.facts.instances import InstanceType
from llm_hosting.planner import plan_placement
from llm_hosting.planner.baseline import like_for_like
from llm_hosting.planner.model import CopyLevel, InstanceCapacity, PlacementError, PlacementResult
from llm_hosting.planner.plan import (
    CatalogPlan,
    ComponentAdapters,
    EndpointPlan,
    LevelPlan,
    PoolPlan,
    Reservation,
    Unplanned,
)

LEVELS: tuple[CopyLevel, CopyLevel] = ("initial", "max")


def _placed(endpoint: ResolvedEndpoint, level: CopyLevel, facts: InstanceType, pool: str | None) -> PlacementResult:
    """The endpoint's cached placement; `PlacementError` naming the component that does not fit.

    What the endpoint does not plan (absurd copy counts, which the rules report) is planned here."""
    placement = endpoint.placement(level, pool)
    if placement is not None:
        return placement
    error = endpoint.placement_error(level, pool)
    if error is not None:
        raise error
    return plan_placement(InstanceCapacity.of(facts), [c.demand(level, pool) for c in endpoint.components])


def _level(
    catalog: LoadedCatalog, placement: PlacementResult, facts: InstanceType, level: CopyLevel, configured: int
) -> LevelPlan:
    planning = catalog.spec.planning
    baseline, comparison = like_for_like(
        placement, facts, instance_types=catalog.instance_types, rule=planning.baseline, prices=planning.prices
    )
    return LevelPlan(level, placement, configured, baseline, comparison)


def plan_pool(catalog: LoadedCatalog, endpoint: ResolvedEndpoint, priority: int) -> PoolPlan:
    """The fleet the endpoint becomes on its pool of this priority (2 = the first fallback) when
    every type before it is short: both copy levels, each type's own reservations and baseline.

    A level that cannot be planned (the type is unknown, or a copy does not fit it) is `Unplanned`
    with the reason, so one bad pool does not hide the others.
    """
    name, facts = endpoint.pools[priority - 1]
    reservations = []
    for component in endpoint.components:
        copy = component.demand("initial", name)  # one copy's reservation on this type, as the planner packs it
        reservations.append(
            Reservation(
                component=copy.name,
                accelerators=copy.accelerators,
                memory_mib=copy.memory_mib,
                cpu_cores=copy.cpu_cores,
                specific=name in component.compute_by_instance_type,
            )
        )

    def level(which: CopyLevel) -> LevelPlan | Unplanned:
        configured = endpoint.instances.at(which)
        if facts is None:
            return Unplanned(
                which, configured, f"{name} is not a known instance type; describe it under instance_types"
            )
        try:
            placement = _placed(endpoint, which, facts, name)
        except PlacementError as err:
            return Unplanned(which, configured, str(err))
        return _level(catalog, placement, facts, which, configured)

    return PoolPlan(
        priority=priority,
        instance_type=name,
        facts=facts,
        short=tuple(n for n, _ in endpoint.pools[: priority - 1]),
        reservations=tuple(reservations),
        initial=level("initial"),
        max=level("max"),
    )


def plan_endpoint(catalog: LoadedCatalog, endpoint: ResolvedEndpoint) -> EndpointPlan:
    """Plan one inference-component endpoint of a loaded (so validated) catalog at both copy levels,
    on its instance_type and on each fallback pool type."""
    instance_type = endpoint.instance
    if instance_type is None:  # a loaded catalog knows every instance type; guards direct use
        raise ValueError(f"{endpoint.at}: instance type {endpoint.spec.instance_type} is unknown")
    initial, maximum = (
        _level(
            catalog, _placed(endpoint, which, instance_type, None), instance_type, which, endpoint.instances.at(which)
        )
        for which in LEVELS
    )
    return EndpointPlan(
        index=endpoint.index,
        name=endpoint.name,
        instance_type=instance_type,
        instance_count=endpoint.instances,
        initial=initial,
        max=maximum,
        adapters=tuple(ComponentAdapters(c.name, tuple(a.name for a in c.adapters)) for c in endpoint.components),
        pools=tuple(plan_pool(catalog, endpoint, priority) for priority in range(2, len(endpoint.pools) + 1)),
    )


def plan_catalog(catalog: LoadedCatalog, source: str | None = None) -> CatalogPlan:
    """Every inference-component endpoint of the catalog, in catalog order."""
    planning = catalog.spec.planning
    return CatalogPlan(
        source=source if source is not None else str(catalog.path),
        baseline_rule=planning.baseline,
        prices=dict(sorted(planning.prices.items())),
        endpoints=tuple(plan_endpoint(catalog, e) for e in catalog.endpoints if e.components),
    )
