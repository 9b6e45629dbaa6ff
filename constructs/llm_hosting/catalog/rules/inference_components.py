"""Rules of `type: inference-components` endpoints: many models sharing one fleet, each with its own copies."""

from __future__ import annotations

from collections.abc import Iterator

from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.resolve import ResolvedComponent, ResolvedCompute, ResolvedEndpoint
from llm_hosting.catalog.rules import models
from llm_hosting.catalog.rules.common import Context, ordered, tags
from llm_hosting.catalog.schema import MAX_COPIES, MAX_INSTANCES, InferenceComponentEndpointSpec
from llm_hosting.catalog.settings import component_deployment
from llm_hosting.facts.djl import adapter_problem, path_problem, property_problems, unsourced_reason
from llm_hosting.facts.djl.adapters import ADAPTER_HEADERS_FROM
from llm_hosting.facts.images import ContainerImage
from llm_hosting.facts.instances import InstanceType
from llm_hosting.packaging.serving_properties import DJL_ENGINES


def check(context: Context, endpoint: ResolvedEndpoint) -> Iterator[Problem]:
    spec, instance, at = endpoint.spec_as(InferenceComponentEndpointSpec), endpoint.instance, endpoint.at
    if instance is not None:
        yield from placement(endpoint, instance)
    yield from pools(context, endpoint, spec)
    yield from scale_in(at, spec)
    for component in endpoint.components:
        yield from check_component(context, component, instance)
        yield from fallback_compute(endpoint, component)
        yield from adapters(context, component)
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
    yield from memory_ceiling(here, component.compute)
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


def pools(context: Context, endpoint: ResolvedEndpoint, spec: InferenceComponentEndpointSpec) -> Iterator[Problem]:
    """Fallback instance types: known, each once, none of them the endpoint's own instance_type."""
    seen: dict[str, int] = {}
    for k, name in enumerate(spec.instance_pools):
        where = f"{endpoint.at}.instance_pools[{k}]"
        if name == spec.instance_type:
            yield Problem(where, f"{name} is instance_type, the first pool already; list only the fallback types")
        elif name in seen:
            yield Problem(where, f"{name} is already instance_pools[{seen[name]}]; give each type once")
        elif name not in context.instance_types:
            yield Problem(
                where,
                f"'{name}' is not a known instance type; use one of {', '.join(sorted(context.instance_types))}, "
                "or describe it under instance_types",
            )
        elif endpoint.instance is not None and context.instance_types[name].nvme != endpoint.instance.nvme:
            storage = {True: "local NVMe storage", False: "an EBS volume"}
            yield Problem(
                where,
                f"{name} has {storage[context.instance_types[name].nvme]} but {spec.instance_type} has "
                f"{storage[endpoint.instance.nvme]}: the variant's volume settings apply to every pool; choose "
                "types alike",
            )
        seen.setdefault(name, k)


def scale_in(at: str, spec: InferenceComponentEndpointSpec) -> Iterator[Problem]:
    policy = spec.instance_scaling.scale_in if spec.instance_scaling is not None else None
    if policy is None or policy.strategy == "consolidation":
        return
    for name in ("cooldown_minutes", "max_step"):
        if getattr(policy, name) is not None:
            yield Problem(
                f"{at}.instance_scaling.scale_in.{name}",
                f"applies to strategy: consolidation only, not {policy.strategy}; remove it or use strategy: "
                "consolidation",
            )


def fallback_compute(endpoint: ResolvedEndpoint, component: ResolvedComponent) -> Iterator[Problem]:
    """A reservation per fallback type names a pool type, holds together and fits that type; every copy
    fits every fallback type."""
    pool_types = dict(endpoint.pools)
    first = endpoint.spec.instance_type
    by_type = component.spec.compute_by_instance_type
    for name in by_type:
        where = f"{component.at}.compute_by_instance_type.{name}"
        if name == first:
            yield Problem(
                where, f"{name} is the endpoint's instance_type; give that reservation on the component itself"
            )
        elif name not in pool_types:
            pools = ", ".join(t for t in pool_types if t != first) or "none"
            yield Problem(
                where,
                f"{name} is not one of the endpoint's instance_pools ({pools}); add it to instance_pools or "
                "remove this entry",
            )
        else:
            yield from reservation(where, component.compute_on(name), component.spec.model.tensor_parallel_degree)
    checked = {first}
    for name, facts in endpoint.pools[1:]:
        if facts is None or name in checked:
            continue  # an unknown or repeated pool is reported on instance_pools
        checked.add(name)
        own = name in by_type
        where = f"{component.at}.compute_by_instance_type.{name}" if own else component.at
        yield from fits(where, component.compute_on(name), facts, fallback=not own)


def reservation(where: str, compute: ResolvedCompute, tensor_parallel_degree: int | None) -> Iterator[Problem]:
    """A per-type reservation holds together as the component's own does (the same API fields)."""
    yield from memory_ceiling(where, compute)
    tp = tensor_parallel_degree
    if tp is not None and compute.accelerators < tp:
        yield Problem(
            f"{where}.accelerators",
            f"{compute.accelerators} is below the model's tensor_parallel_degree ({tp}), which needs {tp} GPUs per "
            f"copy; raise it to {tp} or remove it",
        )


def memory_ceiling(where: str, compute: ResolvedCompute) -> Iterator[Problem]:
    """A reservation's max_memory_mb is not below its memory_mb (the component's own, or one per type)."""
    if compute.max_memory_mb is not None and compute.max_memory_mb < compute.memory_mb:
        yield Problem(
            f"{where}.max_memory_mb",
            f"{compute.max_memory_mb} is below memory_mb ({compute.memory_mb}); raise it or remove it",
        )


def fits(where: str, compute: ResolvedCompute, instance: InstanceType, *, fallback: bool) -> Iterator[Problem]:
    """One copy's reservation fits one instance of a fallback pool type."""
    fix = (
        f"give a smaller reservation for {instance.name} under compute_by_instance_type, or remove {instance.name} "
        "from instance_pools"
        if fallback
        else "lower it"
    )
    over = []
    if compute.accelerators > instance.gpus:
        over.append(f"{compute.accelerators} GPUs (it has {instance.gpus})")
    if compute.memory_mb > instance.memory_mib:
        over.append(f"{compute.memory_mb} MB of host memory (it has {instance.memory_mib})")
    if compute.cpu_cores is not None and compute.cpu_cores > instance.vcpus:
        over.append(f"{compute.cpu_cores:g} cores (it has {instance.vcpus} vCPUs)")
    if over:
        yield Problem(
            where, f"one copy needs more than the fallback pool {instance.name} has: {', '.join(over)}; {fix}"
        )


def adapters(context: Context, component: ResolvedComponent) -> Iterator[Problem]:
    """Adapters ride on a base the engine can serve them from, and that keeps a copy to serve them."""
    if not component.adapters:
        return
    model, at = component.model, component.at
    image = model.image
    engine = model.spec.engine
    if engine == "custom":
        context.not_checked(f"{at}.adapters", "whether the custom image serves LoRA adapters")
    elif engine not in DJL_ENGINES:
        # Triton's SageMaker front end reads X-Amzn-SageMaker-Target-Model but no adapter header
        # (triton-inference-server/server src/sagemaker_server.cc, e1db8a603): every call would reach the base.
        yield Problem(
            f"{at}.adapters",
            f"engine {engine} does not read SageMaker's adapter header, so calls to an adapter would reach the base "
            f"model; serve the base on lmi {ADAPTER_HEADERS_FROM} or later with option.rolling_batch=vllm and "
            "option.enable_lora=true",
        )
    elif isinstance(image, ContainerImage) and unsourced_reason(engine, image.version) is None:
        properties = model.serving_properties()
        unchecked = component.spec.model.unchecked_properties
        checked = {k: v for k, v in properties.items() if k not in unchecked}
        if (
            not isinstance(model.file_properties(), str)
            and not property_problems(engine, image.version, checked)
            and path_problem(engine, image.version, properties) is None
        ):  # else the model's own problems come first: they may be what selects the serving path
            refused = adapter_problem(engine, image.version, properties=properties)
            if refused is not None:
                yield Problem(f"{at}.adapters", refused)
    if component.copies.min == 0:
        yield Problem(
            f"{at}.copies.min",
            "is 0, but an adapter runs on its base's copies (it \"uses the compute resources of the base inference "
            "component\": SageMaker's adapter guide), so at zero its calls find nothing to serve them, and the "
            "scale-to-zero guide brings copies back only for components with compute; keep copies.min at 1 or more",
        )
    for adapter in component.adapters:
        yield from tags(context, adapter.at, adapter.spec.tags)
