"""Which stacks a catalog becomes, decided before any construct exists.

An endpoint's stack holds the endpoint and its first components; further components go to
`<project>-<endpoint>-part2`, `-part3`, ... in catalog order, a fixed number per stack. A component's
adapters go to `<project>-<component>-adapters` (then `-adapters-part2`, ...), deployed after the
component's stack: onboarding a customer's adapter touches that stack alone. The split depends only
on each component's and adapter's position, never on what it contains, so the same catalog always
gives the same stacks, and appending a component or adapter never moves an existing one. (Removing
or reordering them does move the ones after them: `python -m llm_hosting review` flags it.)
"""

from __future__ import annotations

from dataclasses import dataclass

from llm_hosting.catalog.errors import CatalogError, Problem
from llm_hosting.catalog.loader import LoadedCatalog

STACK_RESOURCE_LIMIT = 500
ENDPOINT_BASE_RESOURCES = 6
"""Execution role, its managed policy, endpoint config, endpoint, dashboard, CDK metadata."""
MAX_RESOURCES_PER_COMPONENT = 7
"""Component, two rollback alarms, scalable target, target-tracking policy, and either a step
policy and its alarm (scale to zero) or a capacity alarm (a floor of copies). The bound, not the
actual count, sizes a stack, so changing one component's settings can never push another one into
a different stack."""
COMPONENTS_PER_STACK = 70
"""Fixed, not derived: changing it would move deployed components between stacks."""
if ENDPOINT_BASE_RESOURCES + COMPONENTS_PER_STACK * MAX_RESOURCES_PER_COMPONENT > STACK_RESOURCE_LIMIT:
    raise AssertionError("70 components per stack no longer fit CloudFormation's 500 resources")
ADAPTER_STACK_BASE_RESOURCES = 2
"""Dashboard, CDK metadata."""
MAX_RESOURCES_PER_ADAPTER = 2
"""The adapter's inference component and its errors alarm (with an alarm topic)."""
ADAPTERS_PER_STACK = 200
"""Fixed, not derived, like COMPONENTS_PER_STACK."""
if ADAPTER_STACK_BASE_RESOURCES + ADAPTERS_PER_STACK * MAX_RESOURCES_PER_ADAPTER > STACK_RESOURCE_LIMIT:
    raise AssertionError("200 adapters per stack no longer fit CloudFormation's 500 resources")


def stack_name(project: str, suffix: str) -> str:
    return f"{project}-{suffix}"


@dataclass(frozen=True)
class Shard:
    """Components `start` to `stop` (exclusive, by catalog position) of an endpoint, in one stack."""

    stack_name: str
    start: int
    stop: int


@dataclass(frozen=True)
class AdapterShard:
    """Adapters `start` to `stop` (exclusive, by position) of the endpoint's component `component`."""

    stack_name: str
    component: int
    start: int
    stop: int


@dataclass(frozen=True)
class EndpointStacks:
    index: int
    """Position of the endpoint in the catalog."""
    stack_name: str
    components: Shard | None
    """The components that share the endpoint's own stack."""
    shards: tuple[Shard, ...]
    adapters: tuple[AdapterShard, ...] = ()


@dataclass(frozen=True)
class StackPlan:
    artifacts: str
    endpoints: tuple[EndpointStacks, ...]

    @property
    def names(self) -> list[str]:
        names = [self.artifacts]
        for endpoint in self.endpoints:
            names.append(endpoint.stack_name)
            names.extend(shard.stack_name for shard in endpoint.shards)
            names.extend(shard.stack_name for shard in endpoint.adapters)
        return names


def plan_stacks(catalog: LoadedCatalog, *, per_stack: int = COMPONENTS_PER_STACK) -> StackPlan:
    """The stacks of `catalog`; a catalog whose stack names would collide is a CatalogError."""
    project = catalog.spec.project
    endpoints: list[EndpointStacks] = []
    for index, endpoint in enumerate(catalog.endpoints):
        name = stack_name(project, endpoint.name)
        own: Shard | None = None
        shards: list[Shard] = []
        if endpoint.components:
            count = len(endpoint.components)
            own = Shard(name, 0, min(per_stack, count))
            for part, start in enumerate(range(per_stack, count, per_stack), start=2):
                shards.append(Shard(f"{name}-part{part}", start, min(start + per_stack, count)))
        adapters: list[AdapterShard] = []
        for position, component in enumerate(endpoint.components):
            count = len(component.adapters)
            for part, start in enumerate(range(0, count, ADAPTERS_PER_STACK), start=1):
                suffix = "adapters" if part == 1 else f"adapters-part{part}"
                adapters.append(
                    AdapterShard(
                        stack_name(project, f"{component.name}-{suffix}"),
                        position,
                        start,
                        min(start + ADAPTERS_PER_STACK, count),
                    )
                )
        endpoints.append(EndpointStacks(index, name, own, tuple(shards), tuple(adapters)))
    plan = StackPlan(stack_name(project, "artifacts"), tuple(endpoints))

    owners: dict[str, str] = {plan.artifacts: "the artifacts stack"}
    problems: list[Problem] = []
    for planned in plan.endpoints:
        at = f"endpoints[{planned.index}]"
        named = [(name, f"{at}.name", "the endpoint") for name in [planned.stack_name]]
        named += [(s.stack_name, f"{at}.name", "the endpoint") for s in planned.shards]
        named += [(s.stack_name, f"{at}.components[{s.component}].name", "the component") for s in planned.adapters]
        for name, where, what in named:
            if name in owners:
                problems.append(Problem(where, f"its stack {name} has the same name as {owners[name]}; rename {what}"))
            owners.setdefault(name, f"a stack of {at}")
    if problems:
        raise CatalogError(catalog.path, problems)
    return plan
