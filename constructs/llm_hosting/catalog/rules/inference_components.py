"""Rules of `type: inference-components` endpoints: many models sharing one fleet, each with its own copies."""

from __future__ import annotations

from collections.abc import Iterator

from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.resolve import ResolvedComponent, ResolvedEndpoint
from llm_hosting.catalog.rules import models
from llm_hosting.catalog.rules.common import Context, ordered, tags
from llm_hosting.catalog.schema import MAX_COPIES, MAX_INSTANCES
from llm_hosting.catalog.settings import component_deployment
from llm_hosting.facts.instances import InstanceType


def check(context: Context, endpoint: ResolvedEndpoint) -> Iterator[Problem]:
    instance, at = endpoint.instance, endpoint.at
    if instance is not None:
        yield from placement(endpoint, instance)
    for component in endpoint.components:
        yield from check_component(context, component, instance)
    if endpoint.instances.min == 0:
        floors = [c.name for c in endpoint.components if c.copies.min > 0]
        if floors:
            yield Problem(
                f"{at}.instance_count.min",
                f"0 instances cannot hold the copies that {', '.join(floors)} always "
                f"{'keeps' if len(floors) == 1 else 'keep'} (copies.min > 0); "
                "set instance_count.min to 1 or more, or let those components scale to zero",
            )


def check_component(context: Context, component: ResolvedComponent, instance: InstanceType | None) -> Iterator[Problem]:
    here, spec, accelerators = component.at, component.spec, component.accelerators
    if instance is not None and accelerators > instance.gpus:
        yield Problem(
            f"{here}.accelerators",
            f"{accelerators} GPUs per copy but {instance.name} has {instance.gpus}; lower it or use a larger "
            "instance type",
        )
    yield from models.model(
        context,
        component.model,
        gpus=accelerators,
        gpu_owner=f"the component reserves {accelerators}; lower it or raise the component's accelerators",
        component=True,
    )
    if instance is not None and spec.memory_mb > instance.memory_mib:
        yield Problem(
            f"{here}.memory_mb",
            f"{spec.memory_mb} MB per copy but {instance.name} has {instance.memory_mib} MB of host "
            "memory; lower it or use a larger instance type",
        )
    if spec.max_memory_mb is not None and spec.max_memory_mb < spec.memory_mb:
        yield Problem(
            f"{here}.max_memory_mb",
            f"{spec.max_memory_mb} is below memory_mb ({spec.memory_mb}); raise it or remove it",
        )
    if instance is not None and spec.cpu_cores is not None and spec.cpu_cores > instance.vcpus:
        yield Problem(
            f"{here}.cpu_cores",
            f"{spec.cpu_cores:g} cores per copy but {instance.name} has {instance.vcpus} vCPUs; lower it",
        )
    counts = component.copies
    yield from ordered(f"{here}.copies", counts, "copies")
    if spec.scaling is not None:
        targets = [
            v for v in (spec.scaling.invocations_per_copy, spec.scaling.concurrent_requests_per_copy) if v is not None
        ]
        if len(targets) != 1:
            yield Problem(
                f"{here}.scaling",
                "give exactly one target: invocations_per_copy or concurrent_requests_per_copy",
            )
        if counts.max <= counts.min:
            yield Problem(
                f"{here}.copies.max",
                f"scaling needs room to move but min and max copies are both {counts.min}; raise max or remove scaling",
            )
    elif counts.min == 0:
        yield Problem(
            f"{here}.scaling",
            "copies.min is 0 (scale to zero) but there is no scaling to bring copies back; add "
            "scaling.invocations_per_copy or set copies.min to 1",
        )
    for field, message in component_deployment(spec.deployment).problems(counts.min, counts.max):
        yield Problem(f"{here}.deployment.{field}", message)
    yield from tags(context, here, spec.tags)


def placement(endpoint: ResolvedEndpoint, instance: InstanceType) -> Iterator[Problem]:
    """The initial copies of all components must fit the initial (and the maximum) instances."""
    at, spec = endpoint.at, endpoint.spec
    names = [component.name for component in endpoint.components]
    if len(set(names)) < len(names):
        return  # the planner needs unique names; the repeated name is reported on its own
    copies = sum(component.copies.initial for component in endpoint.components)
    if copies > MAX_COPIES:
        yield Problem(
            f"{at}.components",
            f"start {copies} copies in all; at most {MAX_COPIES} can be planned, lower copies.initial",
        )
        return
    needed = endpoint.placement("initial")
    if needed is None:
        return  # a component larger than one instance is reported on its own field
    counts = endpoint.instances
    what = f"the initial copies of all components need {needed.instance_count} instances of {instance.name}"
    if needed.instance_count > MAX_INSTANCES:
        yield Problem(
            f"{at}.components",
            f"{what}, more than instance_count.max may be ({MAX_INSTANCES}); lower the components' initial copies "
            "or choose an instance type with more GPUs",
        )
    elif spec.instance_count.initial is not None and needed.instance_count > counts.initial:
        yield Problem(
            f"{at}.instance_count.initial",
            f"{what} but instance_count.initial is {counts.initial}; raise it to {needed.instance_count}, "
            "lower the components' initial copies, or omit initial to let the planner choose",
        )
    elif needed.instance_count > counts.max:
        yield Problem(
            f"{at}.instance_count.max",
            f"{what} but instance_count.max is {counts.max}; raise it to {needed.instance_count} or lower "
            "the components' initial copies",
        )
