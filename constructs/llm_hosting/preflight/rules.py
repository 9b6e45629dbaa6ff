"""Documented rules the botocore shapes cannot express: relations between members and resources.

Each rule cites where it comes from. Shapes bound one member at a time; these rules compare a
member with another (a canary with the instance count), with a resource elsewhere in the assembly
(a scaling ResourceId with the component it names), or with documentation text (an inference
component's 16 environment entries, a `.tar.gz` artifact). Like the shape checks, every rule skips
what CloudFormation resolves only while deploying.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from llm_hosting.assembly import StackTemplate
from llm_hosting.facts import INSTANCE_TYPES
from llm_hosting.preflight.shapes import Finding
from llm_hosting.preflight.values import (
    Env,
    alternatives,
    has,
    is_intrinsic,
    is_present,
    known_int,
    known_number,
    known_text,
    referenced_logical_id,
    render_text,
    show,
)

IC_ENVIRONMENT_ENTRIES = 16
MODEL_ENVIRONMENT_BYTES = 32 * 1024


def template_env(stack: StackTemplate) -> Env:
    mappings = stack.template.get("Mappings")
    return Env(stack.name, mappings if isinstance(mappings, dict) else {})


def _object(value: object) -> dict[str, Any] | None:
    """`value` when it is a literal object (not an intrinsic function)."""
    return value if isinstance(value, dict) and not is_intrinsic(value) else None


def _objects(value: object) -> list[tuple[int, dict[str, Any]]]:
    """The literal objects of a literal list, with their positions."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if _object(item) is not None]


def _properties(resource: object) -> dict[str, Any]:
    if not isinstance(resource, dict):
        return {}
    properties = resource.get("Properties")
    return properties if isinstance(properties, dict) else {}


def _closest(name: str, known: Iterable[str]) -> str:
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f"; did you mean {close[0]}?"
    if not names:
        return " (it defines none)"
    listed = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return f" (it defines {listed})"


@dataclass(frozen=True)
class AssemblyNames:
    """The endpoints and inference components an assembly defines, by the names clients use."""

    endpoints: Mapping[str, tuple[str, ...] | None]
    """Endpoint name -> its variant names (None when its endpoint config cannot be read)."""
    all_endpoints_named: bool
    """False when some endpoint's name is generated or resolved at deploy time: absence proves nothing."""
    components: frozenset[str]
    all_components_named: bool
    instance_types: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    """Endpoint name -> every instance type its variants run on (instance pools included), or None
    unless every one is literal."""
    component_endpoints: Mapping[str, str | None] = field(default_factory=dict)
    """Inference component name -> the endpoint it is placed on (None when resolved at deploy time)."""
    adapters: frozenset[str] = frozenset()
    """The inference components that are adapters on another (BaseInferenceComponentName)."""


def endpoint_config(resources: Mapping[str, Any], endpoint_properties: Mapping[str, Any]) -> dict[str, Any] | None:
    """The properties of the endpoint config an endpoint uses, when it is in the same template."""
    reference = endpoint_properties.get("EndpointConfigName")
    logical_id = referenced_logical_id(reference)
    if logical_id is None and isinstance(reference, str):
        for candidate_id, candidate in resources.items():
            if _properties(candidate).get("EndpointConfigName") == reference:
                logical_id = candidate_id
    candidate = resources.get(logical_id) if logical_id is not None else None
    if not isinstance(candidate, dict) or candidate.get("Type") != "AWS::SageMaker::EndpointConfig":
        return None
    return _properties(candidate)


def _variant_names(config: Mapping[str, Any] | None, env: Env) -> tuple[str, ...] | None:
    """The variant names of an endpoint config, or None unless every one is literal."""
    variants = config.get("ProductionVariants") if config is not None else None
    if not isinstance(variants, list) or len(_objects(variants)) != len(variants):
        return None
    names = [known_text(variant.get("VariantName"), env) for variant in variants]
    return tuple(name for name in names if name is not None) if None not in names else None


def _instance_types(config: Mapping[str, Any] | None, env: Env) -> frozenset[str] | None:
    """Every instance type of an endpoint config's variants (InstanceType or InstancePools), or None
    unless every one is literal."""
    variants = config.get("ProductionVariants") if config is not None else None
    if not isinstance(variants, list) or len(_objects(variants)) != len(variants):
        return None
    names: list[str | None] = []
    for variant in variants:
        pools = variant.get("InstancePools")
        if pools is None:
            names.append(known_text(variant.get("InstanceType"), env))
        elif isinstance(pools, list) and len(_objects(pools)) == len(pools):
            names.extend(known_text(pool.get("InstanceType"), env) for pool in pools)
        else:
            return None
    return frozenset(name for name in names if name is not None) if None not in names else None


def index_names(stacks: Sequence[StackTemplate]) -> AssemblyNames:
    """Every endpoint (with its variants) and inference component the stacks define, by literal name."""
    endpoints: dict[str, tuple[str, ...] | None] = {}
    instance_types: dict[str, frozenset[str] | None] = {}
    components: set[str] = set()
    component_endpoints: dict[str, str | None] = {}
    adapters: set[str] = set()
    all_endpoints_named = all_components_named = True
    for stack in stacks:
        env = template_env(stack)
        for resource in stack.resources.values():
            kind = resource.get("Type") if isinstance(resource, dict) else None
            properties = _properties(resource)
            if kind == "AWS::SageMaker::Endpoint":
                name = known_text(properties.get("EndpointName"), env)
                if name is None:
                    all_endpoints_named = False
                    continue
                config = endpoint_config(stack.resources, properties)
                endpoints[name] = _variant_names(config, env)
                instance_types[name] = _instance_types(config, env)
            elif kind == "AWS::SageMaker::InferenceComponent":
                name = known_text(properties.get("InferenceComponentName"), env)
                if name is None:
                    all_components_named = False
                    continue
                components.add(name)
                component_endpoints[name] = known_text(properties.get("EndpointName"), env)
                specification = _object(properties.get("Specification")) or {}
                if "BaseInferenceComponentName" in specification:
                    adapters.add(name)
    return AssemblyNames(
        endpoints,
        all_endpoints_named,
        frozenset(components),
        all_components_named,
        instance_types=instance_types,
        component_endpoints=component_endpoints,
        adapters=frozenset(adapters),
    )


@dataclass(frozen=True)
class Resource:
    """One resource under check, with what the rules may look up around it."""

    logical_id: str
    properties: dict[str, Any]
    stack: StackTemplate
    names: AssemblyNames

    @property
    def env(self) -> Env:
        return template_env(self.stack)

    def text(self, value: object) -> str | None:
        return known_text(value, self.env)

    def sibling(self, value: object, kind: str) -> dict[str, Any] | None:
        """The properties of the resource of type `kind` that `value` refers to (Ref or GetAtt)."""
        logical_id = referenced_logical_id(value)
        resource = self.stack.resources.get(logical_id) if logical_id is not None else None
        if not isinstance(resource, dict) or resource.get("Type") != kind:
            return None
        return _properties(resource)


Rule = Callable[[Resource], Iterator[Finding]]

# --- Inference components -------------------------------------------------------------------------

_IC_ENV_SOURCE = (
    'botocore sagemaker InferenceComponentContainerSpecification.Environment documentation: "We support up '
    'to 16 entries in the map"; its shape EnvironmentMap allows 100'
)


def _specifications(r: Resource) -> Iterator[tuple[str, dict[str, Any]]]:
    specification = _object(r.properties.get("Specification"))
    if specification is not None:
        yield "Specification", specification
    for index, item in _objects(r.properties.get("Specifications")):
        yield f"Specifications[{index}]", item


def ic_environment_entries(r: Resource) -> Iterator[Finding]:
    for path, specification in _specifications(r):
        container = _object(specification.get("Container")) or {}
        for environment in alternatives(container.get("Environment")):
            entries = _object(environment)
            if entries is None:
                continue
            count = sum(1 for value in entries.values() if is_present(value))
            if count > IC_ENVIRONMENT_ENTRIES:
                yield Finding(
                    f"{path}.Container.Environment",
                    f"{count} entries, over the {IC_ENVIRONMENT_ENTRIES} an inference component takes "
                    f"({_IC_ENV_SOURCE})",
                )


def _archive_findings(path: str, value: object, env: Env, source: str) -> Iterator[Finding]:
    for alternative in alternatives(value):
        for text in render_text(alternative, env):
            suffix = text.literal_suffix
            if suffix is not None and not suffix.endswith(".tar.gz"):
                if text.known is None:
                    shown = f"a URL ending in {show(suffix[-30:])}"
                else:
                    shown = show(text.known) + (f" (as built for {text.region})" if text.region else "")
                yield Finding(
                    path, f"{shown} is not a .tar.gz archive; the API takes a single gzip-compressed tar ({source})"
                )
                return


def ic_artifact_archive(r: Resource) -> Iterator[Finding]:
    for path, specification in _specifications(r):
        container = _object(specification.get("Container")) or {}
        if "ArtifactUrl" in container:
            yield from _archive_findings(
                f"{path}.Container.ArtifactUrl",
                container["ArtifactUrl"],
                r.env,
                "botocore sagemaker InferenceComponentContainerSpecification.ArtifactUrl documentation",
            )


def _capacity_share(size: object, total: int | None, count_type: str) -> tuple[float, float] | None:
    """(percent of capacity, the size's value) for a literal CapacitySize; a count needs `total`."""
    fields = _object(size)
    value = known_number(fields.get("Value")) if fields is not None else None
    if fields is None or value is None:
        return None
    if fields.get("Type") == "CAPACITY_PERCENT":
        return value, value
    if fields.get("Type") == count_type and total:
        return value * 100 / total, value
    return None


def _share_finding(
    path: str,
    label: str,
    size: object,
    *,
    count_type: str,
    units: tuple[str, str],
    totals: Iterable[tuple[str, int]],
    low: float,
    high: float,
    source: str,
) -> Finding | None:
    """A CapacitySize outside `low`-`high` % of each owner's total (`units`: singular and plural noun)."""
    allowed = f"at most {high:g} %" if low <= 0 else f"{low:g}–{high:g} %"
    percentage = _capacity_share(size, None, count_type)
    if percentage is not None:
        share = percentage[0]
        if not low <= share <= high:
            return Finding(path, f"{label} of {share:g} % of capacity; the API allows {allowed} ({source})")
        return None
    for owner, total in totals:
        measured = _capacity_share(size, total, count_type)
        if measured is None:
            continue
        share, value = measured
        if not low <= share <= high:
            return Finding(
                path,
                f"{label} of {value:g} {units[value != 1]} is {share:.3g} % of {owner}'s {total} "
                f"{units[total != 1]}; the API allows {allowed} ({source})",
            )
    return None


def ic_rolling_batch(r: Resource) -> Iterator[Finding]:
    deployment = _object(r.properties.get("DeploymentConfig")) or {}
    rolling = _object(deployment.get("RollingUpdatePolicy")) or {}
    runtime = _object(r.properties.get("RuntimeConfig")) or {}
    copies = known_int(runtime.get("CopyCount"))
    if "MaximumBatchSize" not in rolling:
        return
    finding = _share_finding(
        "DeploymentConfig.RollingUpdatePolicy.MaximumBatchSize",
        "a batch",
        rolling["MaximumBatchSize"],
        count_type="COPY_COUNT",
        units=("copy", "copies"),
        totals=[("the component", copies)] if copies is not None and copies > 0 else [],
        low=5,
        high=50,
        source="botocore sagemaker InferenceComponentRollingUpdatePolicy.MaximumBatchSize documentation",
    )
    if finding is not None:
        yield finding


def ic_endpoint_exists(r: Resource) -> Iterator[Finding]:
    names = r.names
    endpoint = r.text(r.properties.get("EndpointName"))
    if endpoint is None or not names.all_endpoints_named:
        return
    source = "CreateInferenceComponent places it on an existing endpoint and variant: botocore sagemaker "
    if endpoint not in names.endpoints:
        yield Finding(
            "EndpointName",
            f"{endpoint} is no endpoint this assembly defines{_closest(endpoint, names.endpoints)} "
            f"({source}CreateInferenceComponentInput.EndpointName documentation)",
        )
        return
    variant = r.text(r.properties.get("VariantName"))
    variants = names.endpoints[endpoint]
    if variant is not None and variants is not None and variant not in variants:
        yield Finding(
            "VariantName",
            f"endpoint {endpoint} has no variant {variant}{_closest(variant, variants)} "
            f"({source}CreateInferenceComponentInput.VariantName documentation)",
        )


_IC_SPEC_SOURCE = "botocore sagemaker InferenceComponentSpecification"


def ic_one_specification_form(r: Resource) -> Iterator[Finding]:
    if "Specification" in r.properties and "Specifications" in r.properties:
        yield Finding(
            "Specifications",
            "an inference component takes Specification or Specifications, not both "
            '(botocore sagemaker CreateInferenceComponentInput.Specifications documentation: "You can use either '
            'this parameter or the singular Specification parameter, but not both")',
        )


def ic_specification_instance_types(r: Resource) -> Iterator[Finding]:
    """Each per-type specification names one of the endpoint's instance types (its instance pools)."""
    endpoint = r.text(r.properties.get("EndpointName"))
    types = r.names.instance_types.get(endpoint) if endpoint is not None else None
    if types is None:
        return
    for index, item in _objects(r.properties.get("Specifications")):
        name = r.text(item.get("InstanceType"))
        if name is not None and name not in types:
            yield Finding(
                f"Specifications[{index}].InstanceType",
                f"endpoint {endpoint} runs on {', '.join(sorted(types))}, not {name}: each specification maps to an "
                f"instance type of the endpoint's instance pools ({_IC_SPEC_SOURCE}.InstanceType documentation; "
                "SageMaker developer guide, realtime-endpoints-heterogeneous)",
            )


def ic_adapter(r: Resource) -> Iterator[Finding]:
    """An adapter: no compute of its own, an artifact, and a base on the same endpoint that is no adapter."""
    specification = _object(r.properties.get("Specification"))
    if specification is None or "BaseInferenceComponentName" not in specification:
        return
    source = f"{_IC_SPEC_SOURCE}.BaseInferenceComponentName documentation"
    if "ComputeResourceRequirements" in specification:
        yield Finding(
            "Specification.ComputeResourceRequirements",
            "an adapter uses its base component's compute: omit it "
            f"({_IC_SPEC_SOURCE}.ComputeResourceRequirements documentation)",
        )
    container = _object(specification.get("Container")) or {}
    if "ArtifactUrl" not in container:
        yield Finding(
            "Specification.Container.ArtifactUrl", f"an adapter is loaded from its ArtifactUrl: give it ({source})"
        )
    base = r.text(specification.get("BaseInferenceComponentName"))
    names = r.names
    if base is None or not names.all_components_named:
        return
    where = "Specification.BaseInferenceComponentName"
    if base not in names.components:
        yield Finding(
            where,
            f"{base} is no inference component this assembly defines{_closest(base, names.components - names.adapters)}"
            f" (an adapter needs an existing component with the foundation model: {source})",
        )
    elif base in names.adapters:
        yield Finding(where, f"{base} is an adapter itself; name the component with the foundation model ({source})")
    else:
        endpoint, base_endpoint = r.text(r.properties.get("EndpointName")), names.component_endpoints.get(base)
        if endpoint is not None and base_endpoint is not None and endpoint != base_endpoint:
            yield Finding(
                "EndpointName",
                f"{endpoint}, but the base {base} is on {base_endpoint}: an adapter is loaded into its base's copies "
                f"({source})",
            )


# --- Models ----------------------------------------------------------------------------------------


def _containers(r: Resource) -> Iterator[tuple[str, dict[str, Any]]]:
    primary = _object(r.properties.get("PrimaryContainer"))
    if primary is not None:
        yield "PrimaryContainer", primary
    for index, container in _objects(r.properties.get("Containers")):
        yield f"Containers[{index}]", container


def model_data_archive(r: Resource) -> Iterator[Finding]:
    for path, container in _containers(r):
        # A multi-model container's ModelDataUrl is the S3 prefix its models live under (DG multi-model-endpoints).
        if r.text(container.get("Mode")) == "MultiModel" or "ModelDataUrl" not in container:
            continue
        yield from _archive_findings(
            f"{path}.ModelDataUrl",
            container["ModelDataUrl"],
            r.env,
            "botocore sagemaker ContainerDefinition.ModelDataUrl documentation",
        )


def model_environment_size(r: Resource) -> Iterator[Finding]:
    total = 0
    paths: list[str] = []
    for path, container in _containers(r):
        environment = _object(container.get("Environment"))
        if environment is None:
            continue
        paths.append(f"{path}.Environment")
        for key, value in environment.items():
            total += len(key.encode())
            texts = render_text(value, r.env) if is_present(value) else []
            # Literal parts only: a lower bound when a value is resolved at deploy time.
            total += min((len("".join(p for p in t.pieces if p is not None).encode()) for t in texts), default=0)
    if total > MODEL_ENVIRONMENT_BYTES:
        yield Finding(
            paths[0] if len(paths) == 1 else "Containers",
            f"environment keys and values total {total:,} bytes, over the 32 KB ({MODEL_ENVIRONMENT_BYTES:,} "
            "bytes) the API allows across a model's containers (botocore sagemaker ContainerDefinition.Environment "
            "documentation)",
        )


# --- Endpoint configs and endpoints ----------------------------------------------------------------

_NVME_SOURCE = (
    "aws-facts.md A.2: SageMaker SDK volume_size_supported()/instance_supports_kms(), SDK PR #4828, "
    "DG multi-model-endpoint-instance; instance facts from llm_hosting.facts.INSTANCE_TYPES"
)


def _nvme_type(r: Resource, variant: Mapping[str, Any]) -> str | None:
    """The variant's first instance type (of its InstanceType or InstancePools) with local NVMe storage."""
    names = [r.text(variant.get("InstanceType"))]
    names += [r.text(pool.get("InstanceType")) for _, pool in _objects(variant.get("InstancePools"))]
    for name in names:
        facts = INSTANCE_TYPES.get(name) if name is not None else None
        if facts is not None and facts.nvme:
            return name
    return None


def nvme_storage(r: Resource) -> Iterator[Finding]:
    nvme_variants: list[tuple[int, str]] = []
    for index, variant in _objects(r.properties.get("ProductionVariants")):
        instance_type = _nvme_type(r, variant)
        if instance_type is None:
            continue
        nvme_variants.append((index, instance_type))
        if has(variant, "VolumeSizeInGB"):
            yield Finding(
                f"ProductionVariants[{index}].VolumeSizeInGB",
                f"{instance_type} has local NVMe storage: SageMaker attaches no EBS volume and rejects a volume size; "
                f"remove it ({_NVME_SOURCE})",
            )
    if nvme_variants and has(r.properties, "KmsKeyId"):
        index, instance_type = nvme_variants[0]
        yield Finding(
            "KmsKeyId",
            f"ProductionVariants[{index}] runs on {instance_type}, which has local NVMe storage: omit the endpoint "
            f"config's KmsKeyId there (the key cannot encrypt instance storage, and older API documentation says "
            f"CreateEndpointConfig fails) ({_NVME_SOURCE})",
        )


def instance_pools_replace_type(r: Resource) -> Iterator[Finding]:
    for index, variant in _objects(r.properties.get("ProductionVariants")):
        if has(variant, "InstancePools") and has(variant, "InstanceType"):
            yield Finding(
                f"ProductionVariants[{index}].InstanceType",
                "the variant has InstancePools, which replace InstanceType: list the type as the priority-1 pool "
                "and remove InstanceType (SageMaker developer guide, realtime-endpoints-heterogeneous)",
            )


def managed_instance_scaling_bounds(r: Resource) -> Iterator[Finding]:
    for index, variant in _objects(r.properties.get("ProductionVariants")):
        scaling = _object(variant.get("ManagedInstanceScaling")) or {}
        low, high = known_int(scaling.get("MinInstanceCount")), known_int(scaling.get("MaxInstanceCount"))
        if low is not None and high is not None and low > high:
            yield Finding(
                f"ProductionVariants[{index}].ManagedInstanceScaling",
                f"MinInstanceCount {low} is above MaxInstanceCount {high}: no instance count is both "
                "(the shape ProductionVariantManagedInstanceScaling bounds each member alone; botocore sagemaker)",
            )


def endpoint_deployment_sizes(r: Resource) -> Iterator[Finding]:
    deployment = _object(r.properties.get("DeploymentConfig"))
    if deployment is None:
        return
    config = endpoint_config(r.stack.resources, r.properties) or {}
    totals: list[tuple[str, int]] = []
    for index, variant in _objects(config.get("ProductionVariants")):
        count = known_int(variant.get("InitialInstanceCount"))
        if count is not None and count > 0:
            name = r.text(variant.get("VariantName")) or f"ProductionVariants[{index}]"
            totals.append((f"variant {name}", count))
    base = "DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration"
    routing = _object((_object(deployment.get("BlueGreenUpdatePolicy")) or {}).get("TrafficRoutingConfiguration")) or {}
    rolling = _object(deployment.get("RollingUpdatePolicy")) or {}
    checks = [
        (f"{base}.CanarySize", "a canary", routing.get("CanarySize"), 0, "TrafficRoutingConfig.CanarySize"),
        (
            f"{base}.LinearStepSize",
            "a linear step",
            routing.get("LinearStepSize"),
            10,
            "TrafficRoutingConfig.LinearStepSize",
        ),
        (
            "DeploymentConfig.RollingUpdatePolicy.MaximumBatchSize",
            "a batch",
            rolling.get("MaximumBatchSize"),
            5,
            "RollingUpdatePolicy.MaximumBatchSize",
        ),
    ]
    for path, label, size, low, documented in checks:
        if size is None:
            continue
        finding = _share_finding(
            path,
            label,
            size,
            count_type="INSTANCE_COUNT",
            units=("instance", "instances"),
            totals=totals,
            low=low,
            high=50,
            source=f"botocore sagemaker {documented} documentation",
        )
        if finding is not None:
            yield finding


# --- Application Auto Scaling ----------------------------------------------------------------------

_AAS_RESOURCE_ID = "botocore application-autoscaling RegisterScalableTargetRequest.ResourceId documentation"
_VARIANT_ID = re.compile(r"endpoint/(?P<endpoint>[^/]+)/variant/(?P<variant>[^/]+)")
_COMPONENT_ID = re.compile(r"inference-component/(?P<component>[^/]+)")


def _scaling_target(r: Resource) -> tuple[dict[str, Any], str] | None:
    """The properties naming the scalable resource (the policy's own, or its target's) and a path prefix."""
    if "ScalingTargetId" in r.properties:
        target = r.sibling(r.properties["ScalingTargetId"], "AWS::ApplicationAutoScaling::ScalableTarget")
        return (target, "ScalingTargetId->") if target is not None else None
    return r.properties, ""


def capacity_bounds(r: Resource) -> Iterator[Finding]:
    low, high = known_int(r.properties.get("MinCapacity")), known_int(r.properties.get("MaxCapacity"))
    if low is not None and high is not None and low > high:
        yield Finding(
            "MinCapacity",
            f"{low} is above MaxCapacity {high}: Application Auto Scaling scales between the two "
            "(botocore application-autoscaling RegisterScalableTargetRequest.MinCapacity/MaxCapacity documentation)",
        )


def scaling_resource(r: Resource) -> Iterator[Finding]:
    if "ScalingTargetId" in r.properties:
        return  # the target itself is checked as a resource
    namespace = r.text(r.properties.get("ServiceNamespace"))
    dimension = r.text(r.properties.get("ScalableDimension"))
    if namespace is not None and dimension is not None and dimension.split(":")[0] != namespace:
        yield Finding(
            "ScalableDimension",
            f"{dimension} belongs to namespace {dimension.split(':')[0]}, not ServiceNamespace {namespace} "
            "(a dimension is <namespace>:<resource type>:<property>: botocore application-autoscaling "
            "RegisterScalableTargetRequest.ScalableDimension documentation)",
        )
        return
    resource_id = r.text(r.properties.get("ResourceId"))
    if resource_id is None or dimension is None:
        return
    if dimension.startswith("sagemaker:variant:"):
        match = _VARIANT_ID.fullmatch(resource_id)
        if match is None:
            yield Finding(
                "ResourceId",
                f"{show(resource_id)} is not endpoint/<EndpointName>/variant/<VariantName>, the form {dimension} "
                f"takes ({_AAS_RESOURCE_ID})",
            )
            return
        yield from _variant_exists(r.names, resource_id, match["endpoint"], match["variant"])
    elif dimension.startswith("sagemaker:inference-component:"):
        match = _COMPONENT_ID.fullmatch(resource_id)
        if match is None:
            yield Finding(
                "ResourceId",
                f"{show(resource_id)} is not inference-component/<InferenceComponentName>, the form {dimension} "
                f"takes ({_AAS_RESOURCE_ID})",
            )
            return
        component = match["component"]
        if r.names.all_components_named and component not in r.names.components:
            yield Finding(
                "ResourceId",
                f"{resource_id} names inference component {component}, which no stack in this assembly "
                f"defines{_closest(component, r.names.components)} (a scalable target registers an existing "
                f"resource: {_AAS_RESOURCE_ID})",
            )


def _variant_exists(names: AssemblyNames, resource_id: str, endpoint: str, variant: str) -> Iterator[Finding]:
    if not names.all_endpoints_named:
        return
    if endpoint not in names.endpoints:
        yield Finding(
            "ResourceId",
            f"{resource_id} names endpoint {endpoint}, which no stack in this assembly defines"
            f"{_closest(endpoint, names.endpoints)} (a scalable target registers an existing resource: "
            f"{_AAS_RESOURCE_ID})",
        )
        return
    variants = names.endpoints[endpoint]
    if variants is not None and variant not in variants:
        yield Finding(
            "ResourceId",
            f"{resource_id} names variant {variant}, which endpoint {endpoint} does not have"
            f"{_closest(variant, variants)} (a scalable target registers an existing resource: {_AAS_RESOURCE_ID})",
        )


def policy_target_choice(r: Resource) -> Iterator[Finding]:
    named = [name for name in ("ResourceId", "ScalableDimension", "ServiceNamespace") if name in r.properties]
    if "ScalingTargetId" in r.properties and named:
        yield Finding(
            "ScalingTargetId",
            f"set together with {', '.join(named)}; give either ScalingTargetId or ResourceId, ScalableDimension and "
            "ServiceNamespace, not both (CloudFormation AWS::ApplicationAutoScaling::ScalingPolicy ScalingTargetId)",
        )


_CONFIGURATION_FOR = {
    "TargetTrackingScaling": "TargetTrackingScalingPolicyConfiguration",
    "StepScaling": "StepScalingPolicyConfiguration",
}


def policy_configuration(r: Resource) -> Iterator[Finding]:
    policy_type = r.text(r.properties.get("PolicyType"))
    member = _CONFIGURATION_FOR.get(policy_type or "")
    if member is not None and not has(r.properties, member):
        yield Finding(
            member,
            f"missing; a {policy_type} policy needs it (botocore application-autoscaling "
            f"PutScalingPolicyRequest.{member} documentation)",
        )
    target = _scaling_target(r)
    namespace = r.text(target[0].get("ServiceNamespace")) if target is not None else None
    if policy_type == "PredictiveScaling" and namespace is not None and namespace != "ecs":
        yield Finding(
            "PolicyType",
            f"PredictiveScaling is not supported for namespace {namespace} "
            "(botocore application-autoscaling PutScalingPolicyRequest.PolicyType documentation: only Amazon ECS)",
        )


def target_value_positive(r: Resource) -> Iterator[Finding]:
    configuration = _object(r.properties.get("TargetTrackingScalingPolicyConfiguration")) or {}
    value = known_number(configuration.get("TargetValue"))
    if value is not None and value <= 0:
        yield Finding(
            "TargetTrackingScalingPolicyConfiguration.TargetValue",
            f"{value:g} is not above 0: target tracking adds capacity in proportion to metric / target, so the "
            "target must be a positive level of the metric (Application Auto Scaling User Guide, "
            "target-tracking-scaling-policy-overview; the shape MetricScale has no minimum)",
        )


def predefined_metric_matches_target(r: Resource) -> Iterator[Finding]:
    configuration = _object(r.properties.get("TargetTrackingScalingPolicyConfiguration")) or {}
    predefined = _object(configuration.get("PredefinedMetricSpecification")) or {}
    metric = r.text(predefined.get("PredefinedMetricType"))
    target = _scaling_target(r)
    dimension = r.text(target[0].get("ScalableDimension")) if target is not None else None
    if metric is None or dimension is None:
        return
    expected = {
        "SageMakerVariant": "sagemaker:variant:",
        "SageMakerInferenceComponent": "sagemaker:inference-component:",
    }
    for prefix, dimension_prefix in expected.items():
        if metric.startswith(prefix) and not dimension.startswith(dimension_prefix):
            yield Finding(
                "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
                f"{metric} measures a {dimension_prefix.split(':')[1]} but the policy scales {dimension} "
                "(aws-facts.md B: the SageMaker predefined metric types and the dimension each belongs to)",
            )


# --- CloudWatch alarms -----------------------------------------------------------------------------


def alarm_statistic(r: Resource) -> Iterator[Finding]:
    if "MetricName" not in r.properties:
        return
    both = [name for name in ("Statistic", "ExtendedStatistic") if has(r.properties, name)]
    source = "botocore cloudwatch PutMetricAlarmInput.Statistic documentation"
    if len(both) == 2:
        yield Finding(
            "ExtendedStatistic",
            f"set together with Statistic; with MetricName give exactly one of them ({source})",
        )
    elif not both:
        yield Finding("Statistic", f"missing; with MetricName give Statistic or ExtendedStatistic ({source})")


def alarm_datapoints(r: Resource) -> Iterator[Finding]:
    datapoints = known_int(r.properties.get("DatapointsToAlarm"))
    periods = known_int(r.properties.get("EvaluationPeriods"))
    if datapoints is not None and periods is not None and datapoints > periods:
        yield Finding(
            "DatapointsToAlarm",
            f"{datapoints} is more than EvaluationPeriods {periods}: an M-out-of-N alarm needs M <= N "
            "(botocore cloudwatch PutMetricAlarmInput.DatapointsToAlarm documentation)",
        )


RULES: Mapping[str, tuple[Rule, ...]] = {
    "AWS::SageMaker::Model": (model_data_archive, model_environment_size),
    "AWS::SageMaker::EndpointConfig": (nvme_storage, instance_pools_replace_type, managed_instance_scaling_bounds),
    "AWS::SageMaker::Endpoint": (endpoint_deployment_sizes,),
    "AWS::SageMaker::InferenceComponent": (
        ic_environment_entries,
        ic_artifact_archive,
        ic_rolling_batch,
        ic_endpoint_exists,
        ic_one_specification_form,
        ic_specification_instance_types,
        ic_adapter,
    ),
    "AWS::ApplicationAutoScaling::ScalableTarget": (capacity_bounds, scaling_resource),
    "AWS::ApplicationAutoScaling::ScalingPolicy": (
        policy_target_choice,
        scaling_resource,
        policy_configuration,
        target_value_positive,
        predefined_metric_matches_target,
    ),
    "AWS::CloudWatch::Alarm": (alarm_statistic, alarm_datapoints),
}
"""The hand-written rules by resource type, run after the shape checks."""
