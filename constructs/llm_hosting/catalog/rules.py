"""Rules that relate catalog fields to each other and to AWS facts.

Each check appends `Problem(path, message)`; the message says what is wrong and how to fix it. All
rules run on every load so a user sees every problem at once, not one per attempt.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.schema import (
    MAX_COPIES,
    MAX_INSTANCES,
    Catalog,
    ComponentSpec,
    CopyCount,
    EndpointDeployment,
    InferenceComponentEndpointSpec,
    InstanceCount,
    InstanceScaling,
    ModelSpec,
    MultiModelEndpointSpec,
    SingleModelEndpointSpec,
)
from llm_hosting.facts.images import REGISTRY_ACCOUNTS, UnknownImageError, find_image
from llm_hosting.facts.instances import INSTANCE_TYPES, InstanceType
from llm_hosting.packaging.serving_properties import DJL_ENGINES, merge_properties, parse_properties
from llm_hosting.planner import PlacementError, required_instances

if TYPE_CHECKING:
    from llm_hosting.catalog.loader import LoadedCatalog

Endpoint = SingleModelEndpointSpec | MultiModelEndpointSpec | InferenceComponentEndpointSpec

SUPPORTED_ENDPOINT_TYPES = frozenset({"single-model", "multi-model", "inference-components"})
"""Endpoint types the constructs can build today; the schema already describes all three."""

MODEL_ENV_MAX_ENTRIES = 100
MODEL_ENV_MAX_BYTES = 32 * 1024
COMPONENT_ENV_MAX_ENTRIES = 16
MAX_TAGS = 50


@dataclass(frozen=True)
class Counts:
    """Resolved initial/min/max of an instance or copy count."""

    initial: int
    min: int
    max: int


def instance_counts(count: InstanceCount) -> Counts:
    """Defaults: initial = min (or 1), min = initial, max = the larger of the two."""
    initial = count.initial if count.initial is not None else max(count.min or 0, 1)
    minimum = count.min if count.min is not None else initial
    maximum = count.max if count.max is not None else max(initial, minimum, 1)
    return Counts(initial, minimum, maximum)


def copy_counts(count: CopyCount) -> Counts:
    """Defaults: initial = min (or 1), min = initial, max = the larger of the two."""
    initial = count.initial if count.initial is not None else (count.min if count.min else 1)
    minimum = count.min if count.min is not None else initial
    maximum = count.max if count.max is not None else max(initial, minimum, 1)
    return Counts(initial, minimum, maximum)


def component_endpoint_counts(endpoint: InferenceComponentEndpointSpec, instance: InstanceType) -> Counts:
    """Instance counts of an inference-component endpoint: an omitted `initial` is what the
    planner needs to place every component's initial copies (at least 1)."""
    count = endpoint.instance_count
    if count.initial is None:
        needed = required_instances(endpoint, instance).instance_count
        count = count.model_copy(update={"initial": max(needed, count.min or 0, 1)})
    return instance_counts(count)


def component_accelerators(component: ComponentSpec) -> int:
    """GPUs one copy reserves: as given, else the tensor parallel degree, else 1."""
    if component.accelerators is not None:
        return component.accelerators
    return component.model.tensor_parallel_degree or 1


def effective_instance_types(spec: Catalog) -> tuple[dict[str, InstanceType], list[Problem]]:
    """The known instance types with the catalog's corrections and additions applied."""
    table = dict(INSTANCE_TYPES)
    problems: list[Problem] = []
    for name, override in spec.instance_types.items():
        given = override.model_dump(exclude_none=True)
        known = table.get(name)
        if known is not None:
            table[name] = replace(known, **given, confirmed=True)
            continue
        missing = [f for f in ("gpus", "gpu_memory_mib", "vcpus", "memory_mib", "nvme") if f not in given]
        if missing:
            problems.append(
                Problem(
                    f"instance_types.{name}",
                    f"{name} is not a known type, so describe it fully; add {', '.join(missing)}",
                )
            )
            continue
        table[name] = InstanceType(
            name=name,
            accelerator=given.get("accelerator", "GPU"),
            confirmed=True,
            **{k: given[k] for k in ("gpus", "gpu_memory_mib", "vcpus", "memory_mib", "nvme")},
        )
    return table, problems


def check_catalog(catalog: LoadedCatalog) -> list[Problem]:
    """Every cross-field and fact-based problem in an otherwise well-formed catalog."""
    return list(_Checks(catalog).run())


class _Checks:
    def __init__(self, catalog: LoadedCatalog) -> None:
        self.catalog = catalog
        self.spec = catalog.spec

    def run(self) -> Iterator[Problem]:
        yield from self.environment()
        yield from self.unique_names()
        for index, endpoint in enumerate(self.spec.endpoints):
            yield from self.endpoint(f"endpoints[{index}]", endpoint)

    # --- catalog-wide ----------------------------------------------------------------------

    def environment(self) -> Iterator[Problem]:
        region = self.catalog.region
        if region is not None and region not in REGISTRY_ACCOUNTS:
            yield Problem(
                "environment.region",
                f"no SageMaker serving images are published in '{region}'; use one of "
                f"{', '.join(sorted(REGISTRY_ACCOUNTS))}",
            )

    def unique_names(self) -> Iterator[Problem]:
        endpoints: dict[str, str] = {}
        components: dict[str, str] = {}
        for i, endpoint in enumerate(self.spec.endpoints):
            here = f"endpoints[{i}]"
            if endpoint.name in endpoints:
                yield Problem(
                    f"{here}.name",
                    f"'{endpoint.name}' is already the name of {endpoints[endpoint.name]}; "
                    "endpoint names must be unique",
                )
            endpoints.setdefault(endpoint.name, here)
            if isinstance(endpoint, InferenceComponentEndpointSpec):
                for j, component in enumerate(endpoint.components):
                    at = f"{here}.components[{j}]"
                    if component.name in components:
                        yield Problem(
                            f"{at}.name",
                            f"'{component.name}' is already the name of {components[component.name]}; inference "
                            "component names must be unique in the account and region",
                        )
                    components.setdefault(component.name, at)

    # --- endpoints -------------------------------------------------------------------------

    def endpoint(self, at: str, endpoint: Endpoint) -> Iterator[Problem]:
        if endpoint.type not in SUPPORTED_ENDPOINT_TYPES:
            yield Problem(
                f"{at}.type",
                f"'{endpoint.type}' endpoints are not supported yet (supported: "
                f"{', '.join(sorted(SUPPORTED_ENDPOINT_TYPES))}); remove this endpoint or change its type",
            )
        instance = self.catalog.instance_types.get(endpoint.instance_type)
        if instance is None:
            yield Problem(
                f"{at}.instance_type",
                f"'{endpoint.instance_type}' is not a known instance type; use one of "
                f"{', '.join(sorted(self.catalog.instance_types))}, or describe it under instance_types",
            )
        yield from self.tags(at, endpoint.tags)
        yield from self.instance_count(at, endpoint)
        if instance is not None:
            yield from self.storage(at, endpoint, instance)
            yield from self.scaling_allowed(at, endpoint, instance)

        if isinstance(endpoint, SingleModelEndpointSpec):
            yield from self.single_model(at, endpoint, instance)
        elif isinstance(endpoint, MultiModelEndpointSpec):
            yield from self.multi_model(at, endpoint, instance)
        else:
            yield from self.inference_components(at, endpoint, instance)

    def tags(self, at: str, tags: Mapping[str, str]) -> Iterator[Problem]:
        total = {**self.spec.tags, **tags}
        if len(total) > MAX_TAGS:
            yield Problem(
                f"{at}.tags",
                f"with the catalog's tags this makes {len(total)} tags; SageMaker allows {MAX_TAGS}, remove some",
            )

    def instance_count(self, at: str, endpoint: Endpoint) -> Iterator[Problem]:
        counts = instance_counts(endpoint.instance_count)
        where = f"{at}.instance_count"
        yield from _ordered(where, counts, "instances")
        if counts.initial < 1:
            yield Problem(f"{where}.initial", "an endpoint starts with at least 1 instance; set initial to 1 or more")
        if counts.min == 0 and not isinstance(endpoint, InferenceComponentEndpointSpec):
            yield Problem(
                f"{where}.min",
                "only endpoints with inference components can scale to zero instances; set min to 1 or more, "
                "or use type: inference-components",
            )

    def storage(self, at: str, endpoint: Endpoint, instance: InstanceType) -> Iterator[Problem]:
        volume = endpoint.volume
        if volume is None or not instance.nvme:
            return
        if volume.size_gb is not None or volume.kms is not None:
            yield Problem(
                f"{at}.volume",
                f"{instance.name} has local NVMe storage, which is hardware-encrypted; SageMaker attaches no EBS "
                "volume there and refuses a volume size or an endpoint-config KMS key; remove `volume`",
            )

    def scaling_allowed(self, at: str, endpoint: Endpoint, instance: InstanceType) -> Iterator[Problem]:
        scaled = getattr(endpoint, "scaling", None) is not None or (
            isinstance(endpoint, InferenceComponentEndpointSpec)
            and instance_counts(endpoint.instance_count).max > instance_counts(endpoint.instance_count).min
        )
        if scaled and instance.is_burstable:
            yield Problem(
                f"{at}.instance_type",
                f"{instance.name} is a burstable (ml.t*) type, which SageMaker cannot autoscale; choose another "
                "type or remove the scaling",
            )

    def deployment(self, at: str, deployment: EndpointDeployment, endpoint: Endpoint) -> Iterator[Problem]:
        floor = instance_counts(endpoint.instance_count).min
        where = f"{at}.deployment"
        strategy = deployment.strategy
        if strategy == "canary" and deployment.canary_instances * 2 > floor:
            yield Problem(
                f"{where}.canary_instances",
                f"a canary of {deployment.canary_instances} instance(s) is more than half of the {floor} instance(s) "
                "the endpoint keeps (instance_count.min); raise min to "
                f"{deployment.canary_instances * 2} or more, or use strategy: all-at-once",
            )
        if strategy == "rolling" and deployment.rolling_batch_instances * 2 > floor:
            yield Problem(
                f"{where}.rolling_batch_instances",
                f"a rolling batch of {deployment.rolling_batch_instances} instance(s) is more than half of the "
                f"{floor} instance(s) the endpoint keeps; raise instance_count.min to "
                f"{deployment.rolling_batch_instances * 2} or more, or use strategy: all-at-once",
            )
        if strategy == "linear" and floor < 2:
            yield Problem(
                f"{where}.strategy",
                "linear traffic shifting needs at least 2 instances (steps of 10-50 % of the fleet); raise "
                "instance_count.min to 2 or use strategy: all-at-once",
            )
        if deployment.rollback_batch_instances is not None and strategy != "rolling":
            yield Problem(
                f"{where}.rollback_batch_instances",
                "only applies to strategy: rolling; remove it or set the strategy",
            )

    # --- single model ----------------------------------------------------------------------

    def single_model(
        self, at: str, endpoint: SingleModelEndpointSpec, instance: InstanceType | None
    ) -> Iterator[Problem]:
        yield from self.model(
            f"{at}.model",
            endpoint.model,
            gpus=instance.gpus if instance else None,
            gpu_owner=f"{instance.name} has {instance.gpus}; lower it or choose an instance type with more GPUs"
            if instance
            else "",
            component=False,
        )
        yield from self.deployment(at, endpoint.deployment, endpoint)
        if endpoint.scaling is not None:
            yield from self.instance_scaling(at, endpoint, endpoint.scaling)
        if endpoint.network_isolation and endpoint.model.weights is not None:
            yield Problem(
                f"{at}.network_isolation",
                "the container downloads its weights from S3 itself, which network isolation blocks; set "
                "network_isolation: false or package the weights into the model archive",
            )

    def instance_scaling(
        self, at: str, endpoint: SingleModelEndpointSpec | MultiModelEndpointSpec, scaling: InstanceScaling
    ) -> Iterator[Problem]:
        if not any(
            v is not None
            for v in (
                scaling.invocations_per_instance,
                scaling.concurrent_requests_per_model,
                scaling.gpu_memory_percent,
            )
        ):
            yield Problem(
                f"{at}.scaling",
                "names no target; add invocations_per_instance, concurrent_requests_per_model or gpu_memory_percent",
            )
        counts = instance_counts(endpoint.instance_count)
        if counts.max <= counts.min:
            yield Problem(
                f"{at}.instance_count.max",
                f"scaling needs room to move but min and max are both {counts.min}; raise max or remove scaling",
            )

    # --- multi model -----------------------------------------------------------------------

    def multi_model(
        self, at: str, endpoint: MultiModelEndpointSpec, instance: InstanceType | None
    ) -> Iterator[Problem]:
        if instance is not None and instance.gpus > 1:
            singles = sorted(n for n, t in self.catalog.instance_types.items() if t.gpus == 1)
            yield Problem(
                f"{at}.instance_type",
                f"multi-model endpoints support single-GPU instance types only and {instance.name} has "
                f"{instance.gpus} GPUs; use one of {', '.join(singles)}",
            )
        model = endpoint.model
        if model.engine == "custom" and model.image is None:
            yield Problem(f"{at}.model.image", "engine: custom needs the container image URI; add image")
        if model.engine != "custom":
            if model.image is not None:
                yield Problem(
                    f"{at}.model.image", "only engine: custom takes an image; remove it or use engine: custom"
                )
            yield from self.image(f"{at}.model.version", model.engine, model.version)
        yield from self.environment_size(f"{at}.model.environment", model.environment, MODEL_ENV_MAX_ENTRIES)
        yield from self.deployment(at, endpoint.deployment, endpoint)
        if endpoint.scaling is not None:
            yield from self.instance_scaling(at, endpoint, endpoint.scaling)
            if endpoint.scaling.concurrent_requests_per_model is not None:
                yield Problem(
                    f"{at}.scaling.concurrent_requests_per_model",
                    "the per-model concurrency metric is not reported for multi-model endpoints; use "
                    "invocations_per_instance or gpu_memory_percent",
                )

    # --- inference components -------------------------------------------------------------

    def inference_components(
        self, at: str, endpoint: InferenceComponentEndpointSpec, instance: InstanceType | None
    ) -> Iterator[Problem]:
        endpoint_counts = instance_counts(endpoint.instance_count)
        if instance is not None:
            yield from self.placement(at, endpoint, instance)
        for j, component in enumerate(endpoint.components):
            here = f"{at}.components[{j}]"
            accelerators = component_accelerators(component)
            if instance is not None and accelerators > instance.gpus:
                yield Problem(
                    f"{here}.accelerators",
                    f"{accelerators} GPUs per copy but {instance.name} has {instance.gpus}; lower it or use a larger "
                    "instance type",
                )
            yield from self.model(
                f"{here}.model",
                component.model,
                gpus=accelerators,
                gpu_owner=f"the component reserves {accelerators}; lower it or raise the component's accelerators",
                component=True,
            )
            if instance is not None and component.memory_mb > instance.memory_mib:
                yield Problem(
                    f"{here}.memory_mb",
                    f"{component.memory_mb} MB per copy but {instance.name} has {instance.memory_mib} MB of host "
                    "memory; lower it or use a larger instance type",
                )
            if component.max_memory_mb is not None and component.max_memory_mb < component.memory_mb:
                yield Problem(
                    f"{here}.max_memory_mb",
                    f"{component.max_memory_mb} is below memory_mb ({component.memory_mb}); raise it or remove it",
                )
            if instance is not None and component.cpu_cores is not None and component.cpu_cores > instance.vcpus:
                yield Problem(
                    f"{here}.cpu_cores",
                    f"{component.cpu_cores:g} cores per copy but {instance.name} has {instance.vcpus} vCPUs; lower it",
                )
            counts = copy_counts(component.copies)
            yield from _ordered(f"{here}.copies", counts, "copies")
            if component.scaling is not None:
                targets = [
                    v
                    for v in (component.scaling.invocations_per_copy, component.scaling.concurrent_requests_per_copy)
                    if v is not None
                ]
                if len(targets) != 1:
                    yield Problem(
                        f"{here}.scaling",
                        "give exactly one target: invocations_per_copy or concurrent_requests_per_copy",
                    )
                if counts.max <= counts.min:
                    yield Problem(
                        f"{here}.copies.max",
                        f"scaling needs room to move but min and max copies are both {counts.min}; raise max or "
                        "remove scaling",
                    )
            elif counts.min == 0:
                yield Problem(
                    f"{here}.scaling",
                    "copies.min is 0 (scale to zero) but there is no scaling to bring copies back; add "
                    "scaling.invocations_per_copy or set copies.min to 1",
                )
            batch = component.deployment.batch_copies
            if batch is not None and batch * 2 > counts.min:
                yield Problem(
                    f"{here}.deployment.batch_copies",
                    f"a batch of {batch} {'copy' if batch == 1 else 'copies'} is more than half of the {counts.min} "
                    "the component keeps (copies.min), and SageMaker takes 5-50 % of the copies per batch; "
                    f"use batch_percent instead, or raise copies.min to {batch * 2}",
                )
            if (
                component.deployment.rollback_batch_copies is not None
                and component.deployment.rollback_batch_copies > counts.max
            ):
                yield Problem(
                    f"{here}.deployment.rollback_batch_copies",
                    f"larger than the component's maximum of {counts.max} copies; lower it",
                )
            yield from self.tags(here, component.tags)
        if endpoint_counts.min == 0:
            floors = [c.name for c in endpoint.components if copy_counts(c.copies).min > 0]
            if floors:
                yield Problem(
                    f"{at}.instance_count.min",
                    f"0 instances cannot hold the copies that {', '.join(floors)} always "
                    f"{'keeps' if len(floors) == 1 else 'keep'} (copies.min > 0); "
                    "set instance_count.min to 1 or more, or let those components scale to zero",
                )

    def placement(self, at: str, endpoint: InferenceComponentEndpointSpec, instance: InstanceType) -> Iterator[Problem]:
        """The initial copies of all components must fit the initial (and the maximum) instances."""
        names = [component.name for component in endpoint.components]
        if len(set(names)) < len(names):
            return  # the planner needs unique names; the repeated name is reported on its own
        copies = sum(copy_counts(component.copies).initial for component in endpoint.components)
        if copies > MAX_COPIES:
            yield Problem(
                f"{at}.components",
                f"start {copies} copies in all; at most {MAX_COPIES} can be planned, lower copies.initial",
            )
            return
        try:
            needed = required_instances(endpoint, instance)
        except PlacementError:
            return  # a component larger than one instance is reported on its own field
        counts = component_endpoint_counts(endpoint, instance)
        what = f"the initial copies of all components need {needed.instance_count} instances of {instance.name}"
        if needed.instance_count > MAX_INSTANCES:
            yield Problem(
                f"{at}.components",
                f"{what}, more than instance_count.max may be ({MAX_INSTANCES}); lower the components' initial copies "
                "or choose an instance type with more GPUs",
            )
        elif endpoint.instance_count.initial is not None and needed.instance_count > counts.initial:
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

    # --- models ----------------------------------------------------------------------------

    def model(
        self, at: str, model: ModelSpec, *, gpus: int | None, gpu_owner: str, component: bool
    ) -> Iterator[Problem]:
        if model.engine == "custom":
            if model.image is None:
                yield Problem(f"{at}.image", "engine: custom needs the container image URI; add image")
            if model.version is not None:
                yield Problem(f"{at}.version", "engine: custom takes its version from the image tag; remove version")
        else:
            if model.image is not None:
                yield Problem(f"{at}.image", "only engine: custom takes an image; remove it or use engine: custom")
            yield from self.image(f"{at}.version", model.engine, model.version)

        djl = model.engine in DJL_ENGINES
        if model.weights is not None and not djl:
            yield Problem(
                f"{at}.weights",
                f"engine {model.engine} does not read weights from S3 itself; package them under `code` instead",
            )
        if model.weights_kms_key_arn is not None and model.weights is None:
            yield Problem(
                f"{at}.weights_kms_key_arn", "names the key of weights that are not given; add weights or remove it"
            )
        if model.batching is not None and not djl:
            yield Problem(
                f"{at}.batching",
                f"dynamic batching is a DJL Serving setting; engine {model.engine} does not read it, remove it",
            )
        if model.properties and not djl:
            yield Problem(
                f"{at}.properties",
                f"serving.properties is read by DJL Serving only, not by engine {model.engine}; remove it",
            )
        if djl and model.code is None and model.weights is None:
            yield Problem(f"{at}", "names neither code nor weights; add weights (an S3 prefix) or code (a directory)")
        if model.engine in ("triton",) and model.code is None:
            yield Problem(f"{at}.code", "a Triton model needs its model repository; add code: <directory>")

        tp = model.tensor_parallel_degree
        if tp is not None and gpus is not None and tp > gpus:
            yield Problem(f"{at}.tensor_parallel_degree", f"{tp} needs {tp} GPUs but {gpu_owner}")
        if tp is not None and not djl:
            yield Problem(
                f"{at}.tensor_parallel_degree",
                f"is a DJL Serving setting; engine {model.engine} does not read it, remove it",
            )

        if model.code is not None:
            yield from self.code(at, model, model.code)
        limit = COMPONENT_ENV_MAX_ENTRIES if component else MODEL_ENV_MAX_ENTRIES
        yield from self.environment_size(f"{at}.environment", model.environment, limit)

    def image(self, at: str, engine: str, version: str | None) -> Iterator[Problem]:
        try:
            image = find_image(engine, version)
        except UnknownImageError as err:
            yield Problem(at, f"{err}")
            return
        region = self.catalog.region
        if region in REGISTRY_ACCOUNTS and region not in image.regions:
            yield Problem(
                at,
                f"{engine} {image.version} is not published in {region}; choose another version, region, or "
                "engine: custom with your own image",
            )

    def code(self, at: str, model: ModelSpec, code: str) -> Iterator[Problem]:
        directory = self.catalog.resolve(code)
        if not directory.is_dir():
            yield Problem(
                f"{at}.code",
                f"'{model.code}' is not a directory (looked in {directory}); paths are relative to the catalog file",
            )
            return
        if model.engine not in DJL_ENGINES:
            return
        props_file = directory / "serving.properties"
        try:
            file_props = parse_properties(props_file.read_text(encoding="utf-8")) if props_file.is_file() else {}
        except (OSError, UnicodeDecodeError) as err:
            yield Problem(f"{at}.code", f"cannot read {props_file}: {err}; fix the file")
            return
        _, conflicts = merge_properties(file_props, model)
        for key, in_file, in_catalog in conflicts:
            yield Problem(
                at,
                f"{props_file.name} in {model.code} sets {key}={in_file} but the catalog gives {in_catalog}; remove "
                "the line from the file (the catalog fills it in) or make them agree",
            )
        engine = file_props.get("engine")
        if model.engine == "fastertransformer" and engine not in (None, DJL_ENGINES["fastertransformer"]):
            yield Problem(
                f"{at}.engine",
                f"{props_file.name} in {model.code} says engine={engine} but the image is DJL FasterTransformer; "
                "set engine=FasterTransformer or change the catalog engine",
            )

    def environment_size(self, at: str, env: Mapping[str, str], limit: int) -> Iterator[Problem]:
        if len(env) > limit:
            yield Problem(at, f"has {len(env)} entries; SageMaker allows {limit} here, remove {len(env) - limit}")
        size = sum(len(k) + len(v) for k, v in env.items())
        if size > MODEL_ENV_MAX_BYTES:
            yield Problem(at, f"totals {size} bytes; SageMaker allows {MODEL_ENV_MAX_BYTES}, shorten it")


def _ordered(where: str, counts: Counts, unit: str) -> Iterator[Problem]:
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
