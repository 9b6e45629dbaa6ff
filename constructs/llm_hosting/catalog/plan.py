"""The capacity plan of a loaded catalog: every inference-component endpoint at its initial and its
maximum copies, with the dedicated-endpoint baseline (what `python -m llm_hosting plan` reports)."""

from __future__ import annotations

from llm_hosting.catalog.loader import LoadedCatalog
from llm_hosting.catalog.resolve import ResolvedEndpoint
from llm_hosting.planner import compare, dedicated_baseline, plan_placement
from llm_hosting.planner.model import CopyLevel, InstanceCapacity
from llm_hosting.planner.plan import CatalogPlan, EndpointPlan, LevelPlan


def plan_endpoint(catalog: LoadedCatalog, endpoint: ResolvedEndpoint) -> EndpointPlan:
    """Plan one inference-component endpoint of a loaded (so validated) catalog at both copy levels."""
    instance_type = endpoint.instance
    if instance_type is None:  # a loaded catalog knows every instance type; guards direct use
        raise ValueError(f"{endpoint.at}: instance type {endpoint.spec.instance_type} is unknown")
    planning = catalog.spec.planning

    def level(name: CopyLevel, configured: int) -> LevelPlan:
        placement = endpoint.placement(name)
        if placement is None:  # so the planner says which component does not fit
            placement = plan_placement(
                InstanceCapacity.of(instance_type), [c.demand(name) for c in endpoint.components]
            )
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
        index=endpoint.index,
        name=endpoint.name,
        instance_type=instance_type,
        instance_count=endpoint.instances,
        initial=level("initial", endpoint.instances.initial),
        max=level("max", endpoint.instances.max),
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
