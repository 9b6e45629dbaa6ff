"""The one translator from a loaded catalog to the endpoint constructs.

Everything here reads the resolved catalog (counts, copies, accelerators, images, code directories
worked out once by `catalog.resolve`) and hands the constructs their own settings objects; the
constructs never see the catalog. Endpoint types dispatch through `BUILDERS`, keyed by `type`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2, aws_kms as kms, aws_sagemaker as sagemaker, aws_sns as sns
from constructs import Construct

from llm_hosting import naming
from llm_hosting.catalog import settings as catalog_settings
from llm_hosting.catalog.loader import LoadedCatalog
from llm_hosting.catalog.resolve import (
    ResolvedAdapter,
    ResolvedComponent,
    ResolvedCompute,
    ResolvedEndpoint,
    ResolvedModel,
)
from llm_hosting.catalog.schema import (
    EndpointSpec,
    InferenceComponentEndpointSpec,
    InstanceScaling,
    ModelSpec,
    MultiModelEndpointSpec,
    SingleModelEndpointSpec,
)
from llm_hosting.compliance import acknowledge_shared, skip_checkov
from llm_hosting.endpoints.base import Endpoint
from llm_hosting.endpoints.images import ServingImage
from llm_hosting.endpoints.inference_components import (
    ComputeRequirements,
    InferenceComponent,
    InferenceComponentAdapter,
    InferenceComponentEndpoint,
)
from llm_hosting.endpoints.model import ModelDefinition
from llm_hosting.endpoints.model_endpoint import ModelEndpoint
from llm_hosting.endpoints.multi_model import MultiModelEndpoint
from llm_hosting.endpoints.single_model import SingleModelEndpoint
from llm_hosting.endpoints.variant import ProductionVariant
from llm_hosting.stack_info import stack_info
from llm_hosting.storage.artifact_store import ArtifactStore, S3Location


@dataclass(frozen=True)
class Target:
    """Where an endpoint of the catalog is built, and what it shares with the rest of the app."""

    catalog: LoadedCatalog
    store: ArtifactStore
    alarm_topic: sns.ITopic | None = None


def artifact_location(scope: Construct, target: Target, prefix: str) -> S3Location:
    """`prefix` in the artifact bucket of the stack that holds `scope`, with the bucket's key."""
    stack = stack_info(scope)
    return S3Location(
        bucket=naming.bucket_name(target.catalog.spec.project, stack.account, stack.region),
        prefix=prefix,
        kms_key_arn=target.store.key.key_arn if target.store.key is not None else None,
    )


def archives(scope: Construct, target: Target, endpoint: str, models: list[ResolvedModel]) -> S3Location | None:
    """Where an endpoint's model archives are staged, if any of its models has one (serving code)."""
    if all(m.code_dir is None for m in models):
        return None
    return artifact_location(scope, target, naming.asset_prefix(endpoint))


def image(model: ResolvedModel) -> ServingImage:
    found = model.image
    if found is None:  # a loaded catalog has found every image; guards direct use
        raise ValueError(f"{model.at}: the catalog names no image that exists")
    return ServingImage(uri=found) if isinstance(found, str) else ServingImage(image=found)


def imported_key(scope: Construct, arn: str) -> kms.IKey:
    """The customer key `arn`, imported once in the stack that holds `scope` (an import emits nothing,
    and the constructs only read its ARN back): one construct per key, not one per model or adapter."""
    info = stack_info(scope)
    cache_key = ("weights-key", arn)
    key = info.cache.get(cache_key)
    if key is None:
        digest = hashlib.sha256(arn.encode()).hexdigest()[:16]
        key = info.cache[cache_key] = kms.Key.from_key_arn(info.stack, f"WeightsKey{digest}", arn)
    return cast(kms.IKey, key)


def model_definition(scope: Construct, model: ResolvedModel) -> ModelDefinition:
    spec = model.spec
    if not isinstance(spec, ModelSpec):
        raise TypeError(f"{model.at} is a multi-model endpoint's model, which has no weights or code")
    weights_key = None
    if spec.weights_kms_key_arn is not None:
        weights_key = imported_key(scope, spec.weights_kms_key_arn)
    return ModelDefinition(
        image=image(model),
        code=model.code_dir,
        weights=spec.weights,
        weights_key=weights_key,
        tensor_parallel_degree=spec.tensor_parallel_degree,
        batching=catalog_settings.batching(spec.batching),
        serving_properties={**spec.properties, **spec.unchecked_properties},
        environment=spec.environment,
    )


def production_variant(endpoint: ResolvedEndpoint, target: Target) -> ProductionVariant:
    """The fleet of a catalog endpoint: an EBS volume (on types that have one) is encrypted with the
    artifact key unless the catalog says `volume.kms: false`."""
    spec, instance = endpoint.spec, endpoint.instance
    volume = spec.volume
    wants_key = volume.kms if volume is not None and volume.kms is not None else True
    nvme = instance is not None and instance.nvme
    pools = spec if isinstance(spec, InferenceComponentEndpointSpec) else None
    return ProductionVariant(
        instance_type=spec.instance_type,
        initial_instance_count=endpoint.instances.initial,
        variant_name=spec.variant_name,
        routing=spec.routing,
        startup=catalog_settings.startup(spec.startup),
        volume_size_gb=volume.size_gb if volume is not None else None,
        volume_key=target.store.key if (wants_key and not nvme) else None,
        inference_ami_version=spec.inference_ami_version,
        instance=instance,
        instance_pools=pools.instance_pools if pools is not None else (),
        provision_timeout_s=pools.provision_timeout_s if pools is not None else None,
        capacity_reservation_arn=pools.capacity_reservation if pools is not None else None,
    )


def network(scope: Construct, spec: EndpointSpec) -> tuple[list[ec2.ISubnet], list[ec2.ISecurityGroup]]:
    """The catalog's subnet and security group ids as the constructs take them."""
    if spec.vpc is None:
        return [], []
    subnets = [
        ec2.Subnet.from_subnet_id(scope, f"{spec.name}-subnet-{i}", sid) for i, sid in enumerate(spec.vpc.subnet_ids)
    ]
    for imported in subnets:
        cdk.Annotations.of(imported).acknowledge_warning(
            "@aws-cdk/aws-ec2:noSubnetRouteTableId",
            "The catalog names subnets by id; nothing here reads their route tables.",
        )
    groups = [
        ec2.SecurityGroup.from_security_group_id(scope, f"{spec.name}-sg-{i}", gid, mutable=False)
        for i, gid in enumerate(spec.vpc.security_group_ids)
    ]
    return subnets, groups


def acknowledge_volume_choice(
    endpoint: Endpoint, variant: ProductionVariant, config: sagemaker.CfnEndpointConfig
) -> None:
    """An EBS volume without the artifact key is the catalog's explicit choice: say so to the checks."""
    facts = variant.facts
    if variant.volume_key is None and not (facts is not None and facts.nvme):
        acknowledge_shared(
            config,
            "SageMakerEndpointConfigurationKMSKeyConfigured",
            f"The catalog sets volume.kms: false for endpoint {endpoint.endpoint_name} (or artifacts.encryption: "
            "s3, so there is no customer-managed key); the volume is encrypted with the AWS-managed key.",
        )


def scale_instances(endpoint: ModelEndpoint, resolved: ResolvedEndpoint, scaling: InstanceScaling | None) -> None:
    if scaling is None:
        return
    counts = resolved.instances
    scaled = endpoint.auto_scale_instance_count(min_capacity=counts.min, max_capacity=counts.max)
    scale_in, scale_out = scaling.scale_in_cooldown_s, scaling.scale_out_cooldown_s
    if scaling.invocations_per_instance is not None:
        scaled.scale_on_invocations(
            per_instance=scaling.invocations_per_instance, scale_in_cooldown_s=scale_in, scale_out_cooldown_s=scale_out
        )
    if scaling.concurrent_requests_per_model is not None:
        scaled.scale_on_concurrency(
            per_model=scaling.concurrent_requests_per_model,
            scale_in_cooldown_s=scale_in,
            scale_out_cooldown_s=scale_out,
        )
    if scaling.gpu_memory_percent is not None:
        scaled.scale_on_gpu_memory(
            percent=scaling.gpu_memory_percent, scale_in_cooldown_s=scale_in, scale_out_cooldown_s=scale_out
        )


def single_model_endpoint(scope: Construct, construct_id: str, resolved: ResolvedEndpoint, target: Target) -> Endpoint:
    spec = resolved.spec_as(SingleModelEndpointSpec)
    variant = production_variant(resolved, target)
    subnets, groups = network(scope, spec)
    endpoint = SingleModelEndpoint(
        scope,
        construct_id,
        endpoint_name=spec.name,
        model=model_definition(scope, resolved.single_model),
        variant=variant,
        vpc_subnets=subnets,
        security_groups=groups,
        network_isolation=spec.network_isolation,
        deployment=catalog_settings.endpoint_deployment(spec.deployment),
        alarm_topic=target.alarm_topic,
        archive_access=archives(scope, target, spec.name, [resolved.single_model]),
    )
    acknowledge_volume_choice(endpoint, variant, endpoint.endpoint_config)
    if not spec.network_isolation:
        skip_checkov(
            endpoint.model,
            "CKV_AWS_370",
            "The container downloads its weights from S3 itself (the catalog's weights location), which "
            "network isolation would block."
            if spec.model.weights is not None
            else f"The catalog sets network_isolation: false for endpoint {spec.name}.",
        )
    scale_instances(endpoint, resolved, spec.scaling)
    return endpoint


def multi_model_endpoint(scope: Construct, construct_id: str, resolved: ResolvedEndpoint, target: Target) -> Endpoint:
    """A multi-model endpoint reading `<endpoint>/` of the artifact bucket, with its warm-up."""
    spec = resolved.spec_as(MultiModelEndpointSpec)
    variant = production_variant(resolved, target)
    subnets, groups = network(scope, spec)
    endpoint = MultiModelEndpoint(
        scope,
        construct_id,
        endpoint_name=spec.name,
        image=image(resolved.single_model),
        models=artifact_location(scope, target, naming.model_prefix(spec.name)),
        variant=variant,
        model_cache=spec.model.cache,
        environment=spec.model.environment,
        vpc_subnets=subnets,
        security_groups=groups,
        network_isolation=spec.network_isolation,
        deployment=catalog_settings.endpoint_deployment(spec.deployment),
        alarm_topic=target.alarm_topic,
    )
    acknowledge_volume_choice(endpoint, variant, endpoint.endpoint_config)
    scale_instances(endpoint, resolved, spec.scaling)
    if spec.warmup is not None:
        warmup = catalog_settings.warmup(spec.warmup)
        endpoint.add_warmup(
            schedule=warmup.schedule,
            payload=warmup.payload,
            content_type=warmup.content_type,
            concurrency=warmup.concurrency,
            time_budget_s=warmup.time_budget_s,
            request_timeout_s=warmup.request_timeout_s,
            log_key=target.store.key,
        )
    return endpoint


def inference_component_endpoint(
    scope: Construct, construct_id: str, resolved: ResolvedEndpoint, target: Target
) -> Endpoint:
    """The shared endpoint, reading its staged archives and every component's weights; the
    components are added with `add_component`, in whichever stack holds them."""
    spec = resolved.spec_as(InferenceComponentEndpointSpec)
    variant = production_variant(resolved, target)
    subnets, groups = network(scope, spec)
    endpoint = InferenceComponentEndpoint(
        scope,
        construct_id,
        endpoint_name=spec.name,
        variant=variant,
        min_instance_count=resolved.instances.min,
        max_instance_count=resolved.instances.max,
        vpc_subnets=subnets,
        security_groups=groups,
        alarm_topic=target.alarm_topic,
        archive_access=archives(scope, target, spec.name, [c.model for c in resolved.components]),
        scale_in=catalog_settings.scale_in(spec.instance_scaling),
        data_cache=spec.data_cache,
    )
    acknowledge_volume_choice(endpoint, variant, endpoint.endpoint_config)
    endpoint.grant_weights(
        [
            S3Location.parse(c.spec.model.weights, c.spec.model.weights_kms_key_arn)
            for c in resolved.components
            if c.spec.model.weights
        ]
    )
    # Each base's adapters apart, by the folder they share: adding a customer's adapter there leaves
    # this stack as it is.
    for component in resolved.components:
        endpoint.grant_archive_folders([adapter_location(a) for a in component.adapters])
    return endpoint


def adapter_location(adapter: ResolvedAdapter) -> S3Location:
    return S3Location.parse(adapter.spec.weights, adapter.spec.weights_kms_key_arn)


def compute_requirements(compute: ResolvedCompute) -> ComputeRequirements:
    return ComputeRequirements(
        accelerators=compute.accelerators,
        memory_mb=compute.memory_mb,
        max_memory_mb=compute.max_memory_mb,
        cpu_cores=compute.cpu_cores,
    )


def add_component(
    endpoint: InferenceComponentEndpoint, scope: Construct, component: ResolvedComponent
) -> InferenceComponent:
    """One catalog component on `endpoint`, built in `scope` (the endpoint's stack or a shard)."""
    spec = component.spec
    built = endpoint.add_component(
        spec.name,
        scope=scope,
        component_name=spec.name,
        model=model_definition(scope, component.model),
        compute=compute_requirements(component.compute),
        compute_by_instance_type={
            name: compute_requirements(compute) for name, compute in component.compute_by_instance_type.items()
        },
        initial_copies=component.copies.initial,
        startup=catalog_settings.startup(spec.startup),
        deployment=catalog_settings.component_deployment(spec.deployment),
        data_cache=spec.data_cache,
        scheduling=catalog_settings.scheduling(spec.scheduling),
    )
    for key, value in spec.tags.items():
        cdk.Tags.of(built).add(key, value)
    scaling = spec.scaling
    if scaling is not None:
        copies = component.copies
        scaled = built.auto_scale_copy_count(min_copies=copies.min, max_copies=copies.max)
        if scaling.invocations_per_copy is not None:
            scaled.scale_on_invocations(
                per_copy=scaling.invocations_per_copy,
                scale_in_cooldown_s=scaling.scale_in_cooldown_s,
                scale_out_cooldown_s=scaling.scale_out_cooldown_s,
            )
        if scaling.concurrent_requests_per_copy is not None:
            scaled.scale_on_concurrency(
                per_copy=scaling.concurrent_requests_per_copy,
                scale_in_cooldown_s=scaling.scale_in_cooldown_s,
                scale_out_cooldown_s=scaling.scale_out_cooldown_s,
            )
    return built


def add_adapter(base: InferenceComponent, scope: Construct, adapter: ResolvedAdapter) -> InferenceComponentAdapter:
    """One catalog adapter on its base component, built in `scope` (the adapters' stack)."""
    spec = adapter.spec
    key = None
    if spec.weights_kms_key_arn is not None:
        key = imported_key(scope, spec.weights_kms_key_arn)
    built = base.add_adapter(spec.name, scope=scope, adapter_name=spec.name, weights=spec.weights, weights_key=key)
    for k, value in spec.tags.items():
        cdk.Tags.of(built).add(k, value)
    return built


Builder = Callable[[Construct, str, ResolvedEndpoint, Target], Endpoint]

BUILDERS: Mapping[str, Builder] = {
    "single-model": single_model_endpoint,
    "multi-model": multi_model_endpoint,
    "inference-components": inference_component_endpoint,
}
"""How each endpoint type of the catalog becomes constructs, by `type`."""


def build_endpoint(scope: Construct, construct_id: str, resolved: ResolvedEndpoint, target: Target) -> Endpoint:
    """The endpoint of a catalog entry (an inference-component endpoint without its components)."""
    builder = BUILDERS.get(resolved.type)
    if builder is None:  # the catalog rules refuse such a type; this guards direct use
        raise ValueError(f"{resolved.at}.type: no constructs for endpoints of type {resolved.type!r}")
    return builder(scope, construct_id, resolved, target)
