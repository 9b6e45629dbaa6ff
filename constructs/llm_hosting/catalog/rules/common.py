"""Rules every endpoint type shares: names, region, tags, instance counts, storage, scaling, deployments."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.resolve import ResolvedEndpoint
from llm_hosting.catalog.schema import (
    Catalog,
    EndpointDeployment,
    InferenceComponentEndpointSpec,
    InstanceScaling,
    SingleModelEndpointSpec,
)
from llm_hosting.catalog.settings import endpoint_deployment
from llm_hosting.facts.images import REGISTRY_ACCOUNTS
from llm_hosting.facts.instances import InstanceType
from llm_hosting.planner import Counts

MODEL_ENV_MAX_ENTRIES = 100
MODEL_ENV_MAX_BYTES = 32 * 1024
MAX_TAGS = 50


@dataclass(frozen=True)
class Context:
    """What the rules read: the catalog's sections, its resolved endpoints and the facts in force."""

    spec: Catalog
    endpoints: Sequence[ResolvedEndpoint]
    instance_types: Mapping[str, InstanceType]
    region: str | None
    notices: list[Problem] = field(default_factory=list)
    """What the rules could not check, each with why (`validate` and synthesis print them; not errors)."""

    def not_checked(self, path: str, why: str) -> None:
        """Note that `path` was not checked, and why: a notice, not an error."""
        self.notices.append(Problem(path, f"not checked: {why}"))


def environment(context: Context) -> Iterator[Problem]:
    region = context.region
    if region is not None and region not in REGISTRY_ACCOUNTS:
        yield Problem(
            "environment.region",
            f"no SageMaker serving images are published in '{region}'; use one of "
            f"{', '.join(sorted(REGISTRY_ACCOUNTS))}",
        )


def unique_names(context: Context) -> Iterator[Problem]:
    endpoints: dict[str, str] = {}
    components: dict[str, str] = {}
    for endpoint in context.endpoints:
        if endpoint.name in endpoints:
            yield Problem(
                f"{endpoint.at}.name",
                f"'{endpoint.name}' is already the name of {endpoints[endpoint.name]}; endpoint names must be unique",
            )
        endpoints.setdefault(endpoint.name, endpoint.at)
        named = [(c.name, c.at) for c in endpoint.components] + [(a.name, a.at) for a in endpoint.adapters]
        for name, at in named:
            if name in components:
                yield Problem(
                    f"{at}.name",
                    f"'{name}' is already the name of {components[name]}; inference component names (adapters "
                    "included) must be unique in the account and region",
                )
            components.setdefault(name, at)


def endpoint_basics(context: Context, endpoint: ResolvedEndpoint) -> Iterator[Problem]:
    """Instance type, tags, counts, storage and whether scaling is possible: the same for every type."""
    at, spec, instance = endpoint.at, endpoint.spec, endpoint.instance
    if instance is None:
        yield Problem(
            f"{at}.instance_type",
            f"'{spec.instance_type}' is not a known instance type; use one of "
            f"{', '.join(sorted(context.instance_types))}, or describe it under instance_types",
        )
    yield from tags(context, at, spec.tags)
    yield from instance_count(endpoint)
    if instance is not None:
        yield from storage(endpoint, instance)
        yield from scaling_allowed(endpoint, instance)


def tags(context: Context, at: str, own: Mapping[str, str]) -> Iterator[Problem]:
    total = {**context.spec.tags, **own}
    if len(total) > MAX_TAGS:
        yield Problem(
            f"{at}.tags",
            f"with the catalog's tags this makes {len(total)} tags; SageMaker allows {MAX_TAGS}, remove some",
        )


def ordered(where: str, counts: Counts, unit: str, *, planned: bool = False) -> Iterator[Problem]:
    """min <= initial <= max (`planned`: the planner chose `initial`, and says itself when max is too low)."""
    if planned:
        if counts.min > counts.max:
            yield Problem(f"{where}.max", f"max ({counts.max}) is less than min ({counts.min}); raise max")
        return
    if counts.min > counts.initial:
        yield Problem(
            f"{where}.min",
            f"min ({counts.min}) is greater than initial ({counts.initial}); lower min or raise initial",
        )
    if counts.initial > counts.max:
        yield Problem(
            f"{where}.max",
            f"max ({counts.max}) is less than initial ({counts.initial}) {unit}; raise max or lower initial",
        )
    elif counts.min > counts.max:
        yield Problem(f"{where}.max", f"max ({counts.max}) is less than min ({counts.min}); raise max")


def instance_count(endpoint: ResolvedEndpoint) -> Iterator[Problem]:
    counts = endpoint.instances
    where = f"{endpoint.at}.instance_count"
    planned = isinstance(endpoint.spec, InferenceComponentEndpointSpec) and endpoint.spec.instance_count.initial is None
    yield from ordered(where, counts, "instances", planned=planned)
    if counts.initial < 1:
        yield Problem(f"{where}.initial", "an endpoint starts with at least 1 instance; set initial to 1 or more")
    if counts.min == 0 and not isinstance(endpoint.spec, InferenceComponentEndpointSpec):
        yield Problem(
            f"{where}.min",
            "only endpoints with inference components can scale to zero instances; set min to 1 or more, "
            "or use type: inference-components",
        )


def storage(endpoint: ResolvedEndpoint, instance: InstanceType) -> Iterator[Problem]:
    volume = endpoint.spec.volume
    if volume is None or not instance.nvme:
        return
    if volume.size_gb is not None or volume.kms is not None:
        yield Problem(
            f"{endpoint.at}.volume",
            f"{instance.name} has local NVMe storage, which is hardware-encrypted; SageMaker attaches no EBS "
            "volume there and refuses a volume size or an endpoint-config KMS key; remove `volume`",
        )


def scaling_allowed(endpoint: ResolvedEndpoint, instance: InstanceType) -> Iterator[Problem]:
    spec = endpoint.spec
    if isinstance(spec, InferenceComponentEndpointSpec):
        scaled = endpoint.instances.max > endpoint.instances.min
    else:
        scaled = spec.scaling is not None
    if scaled and instance.is_burstable:
        yield Problem(
            f"{endpoint.at}.instance_type",
            f"{instance.name} is a burstable (ml.t*) type, which SageMaker cannot autoscale; choose another "
            "type or remove the scaling",
        )


def deployment(at: str, deployment: EndpointDeployment, min_instances: int) -> Iterator[Problem]:
    """The construct's own checks of its deployment settings, reported on the catalog's fields."""
    for name, message in endpoint_deployment(deployment).problems(min_instances):
        yield Problem(f"{at}.deployment.{name}", message)


def instance_scaling(endpoint: ResolvedEndpoint, scaling: InstanceScaling) -> Iterator[Problem]:
    at = endpoint.at
    if not any(
        v is not None
        for v in (scaling.invocations_per_instance, scaling.concurrent_requests_per_model, scaling.gpu_memory_percent)
    ):
        yield Problem(
            f"{at}.scaling",
            "names no target; add invocations_per_instance, concurrent_requests_per_model or gpu_memory_percent",
        )
    counts = endpoint.instances
    if counts.max <= counts.min:
        yield Problem(
            f"{at}.instance_count.max",
            f"scaling needs room to move but min and max are both {counts.min}; raise max or remove scaling",
        )


def environment_size(at: str, env: Mapping[str, str], limit: int, *, made: int = 0) -> Iterator[Problem]:
    """`env` within SageMaker's limits (`made`: how many entries come from the serving options)."""
    if len(env) > limit:
        of_which = f" ({made} made from the serving options)" if made else ""
        yield Problem(at, f"has {len(env)} entries{of_which}; SageMaker allows {limit} here, remove {len(env) - limit}")
    size = sum(len(k) + len(v) for k, v in env.items())
    if size > MODEL_ENV_MAX_BYTES:
        yield Problem(at, f"totals {size} bytes; SageMaker allows {MODEL_ENV_MAX_BYTES}, shorten it")


def network_isolation(endpoint: ResolvedEndpoint) -> Iterator[Problem]:
    spec = endpoint.spec
    if isinstance(spec, SingleModelEndpointSpec) and spec.network_isolation and spec.model.weights is not None:
        yield Problem(
            f"{endpoint.at}.network_isolation",
            "the container downloads its weights from S3 itself, which network isolation blocks; set "
            "network_isolation: false or package the weights into the model archive",
        )
