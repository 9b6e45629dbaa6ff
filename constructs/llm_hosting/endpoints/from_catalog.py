"""Build endpoint constructs from catalog entries: the bridge from `catalog.yaml` to constructs."""

from __future__ import annotations

import posixpath
from typing import Any

from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from llm_hosting import naming
from llm_hosting.catalog.loader import LoadedCatalog
from llm_hosting.catalog.rules import (
    Counts,
    component_accelerators,
    component_endpoint_counts,
    copy_counts,
    instance_counts,
)
from llm_hosting.catalog.schema import (
    ComponentSpec,
    InferenceComponentEndpointSpec,
    ModelSpec,
    MultiModelEndpointSpec,
    MultiModelSpec,
    SingleModelEndpointSpec,
)
from llm_hosting.compliance import acknowledge_shared, skip_checkov
from llm_hosting.endpoints.inference_components import InferenceComponent, InferenceComponentEndpoint
from llm_hosting.endpoints.model_archive import package_model
from llm_hosting.endpoints.multi_model import MultiModelEndpoint
from llm_hosting.endpoints.single_model import SingleModelEndpoint
from llm_hosting.facts.images import ContainerImage, find_image
from llm_hosting.facts.instances import InstanceType
from llm_hosting.stack_info import stack_info
from llm_hosting.storage.artifact_store import ArtifactStore, S3Location

EndpointSpec = SingleModelEndpointSpec | MultiModelEndpointSpec | InferenceComponentEndpointSpec


def shared_options(
    spec: EndpointSpec, instance: InstanceType, store: ArtifactStore, alarm_topic_arn: str | None
) -> dict[str, Any]:
    """The construct options every endpoint type takes the same way from the catalog."""
    volume = spec.volume
    # An EBS volume is encrypted with the artifact key unless the catalog says otherwise; NVMe
    # instance types have no volume (and refuse a key).
    wants_kms = volume.kms if volume is not None and volume.kms is not None else True
    return {
        "variant_name": spec.variant_name,
        "routing": spec.routing,
        "vpc": spec.vpc,
        "inference_ami_version": spec.inference_ami_version,
        "volume_size_gb": volume.size_gb if volume is not None else None,
        "volume_kms_key": store.key if (wants_kms and not instance.nvme) else None,
        "alarm_topic_arn": alarm_topic_arn,
        "local_storage_encrypted": instance.nvme,
    }


def model_endpoint_options(spec: SingleModelEndpointSpec | MultiModelEndpointSpec, counts: Counts) -> dict[str, Any]:
    """The options single-model and multi-model endpoints take the same way from the catalog."""
    return {
        "initial_instance_count": counts.initial,
        "startup": spec.startup,
        "network_isolation": spec.network_isolation,
        "deployment": spec.deployment,
        "min_instances_during_update": counts.min,
        "retain_variant_properties": spec.scaling is not None,
    }


def acknowledge_catalog_volume_choice(config: sagemaker.CfnEndpointConfig, options: dict[str, Any], name: str) -> None:
    """An EBS volume without the artifact key is the catalog's explicit choice: say so to the checks."""
    if options["volume_kms_key"] is None and not options["local_storage_encrypted"]:
        acknowledge_shared(
            config,
            "SageMakerEndpointConfigurationKMSKeyConfigured",
            f"The catalog sets volume.kms: false for endpoint {name} (or artifacts.encryption: s3, so there is "
            "no customer-managed key); the volume is encrypted with the AWS-managed key.",
        )


def artifact_location(scope: Construct, catalog: LoadedCatalog, store: ArtifactStore, prefix: str) -> S3Location:
    """`prefix` in the artifact bucket of the stack that holds `scope`, with the bucket's key."""
    stack = stack_info(scope)
    return S3Location(
        bucket=naming.bucket_name(catalog.spec.project, stack.account, stack.region),
        prefix=prefix,
        kms_key_arn=store.key.key_arn if store.key is not None else None,
    )


def staged_archive_access(
    scope: Construct, catalog: LoadedCatalog, store: ArtifactStore, endpoint_name: str
) -> S3Location:
    """The prefix an endpoint's staged files live under in the artifact bucket, with its key."""
    return artifact_location(scope, catalog, store, naming.asset_prefix(endpoint_name))


def single_model_endpoint(
    scope: Construct,
    construct_id: str,
    spec: SingleModelEndpointSpec,
    *,
    catalog: LoadedCatalog,
    store: ArtifactStore,
    alarm_topic_arn: str | None = None,
) -> SingleModelEndpoint:
    instance = catalog.instance(spec.instance_type)
    counts = instance_counts(spec.instance_count)
    model = spec.model
    code_dir = catalog.resolve(model.code) if model.code else None
    image = _image(model)

    options = shared_options(spec, instance, store, alarm_topic_arn)
    endpoint = SingleModelEndpoint(
        scope,
        construct_id,
        endpoint_name=spec.name,
        instance_type=spec.instance_type,
        image=image,
        gpus=instance.gpus,
        model_archive=package_model(model, name=spec.name, code_dir=code_dir),
        model_archive_access=staged_archive_access(scope, catalog, store, spec.name),
        environment=model.environment,
        **model_endpoint_options(spec, counts),
        **options,
    )
    acknowledge_catalog_volume_choice(endpoint.endpoint_config, options, spec.name)
    if not spec.network_isolation:
        skip_checkov(
            endpoint.model,
            "CKV_AWS_370",
            "The container downloads its weights from S3 itself (the catalog's weights location), which "
            "network isolation would block."
            if model.weights is not None
            else f"The catalog sets network_isolation: false for endpoint {spec.name}.",
        )
    if model.weights is not None:
        endpoint.grant_read(S3Location.parse(model.weights, model.weights_kms_key_arn))
    if spec.scaling is not None:
        scaling = spec.scaling
        endpoint.add_instance_scaling(
            min_capacity=counts.min,
            max_capacity=counts.max,
            invocations_per_instance=scaling.invocations_per_instance,
            concurrent_requests_per_model=scaling.concurrent_requests_per_model,
            gpu_memory_percent=scaling.gpu_memory_percent,
            scale_in_cooldown_s=scaling.scale_in_cooldown_s,
            scale_out_cooldown_s=scaling.scale_out_cooldown_s,
        )
    return endpoint


MAX_PREFIX_GRANTS_PER_BUCKET = 8
"""Beyond this many weights prefixes in one bucket, grant their common prefix instead: the role's
inline policy must stay under IAM's size limit however many components share the endpoint."""


def consolidate_prefixes(locations: list[S3Location]) -> list[S3Location]:
    """Grants covering `locations`: each one, or per bucket and key their common `/`-prefix."""
    groups: dict[tuple[str, str | None], set[str]] = {}
    for location in locations:
        groups.setdefault((location.bucket, location.kms_key_arn), set()).add(location.prefix)
    grants: list[S3Location] = []
    for (bucket, key), prefixes in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        if len(prefixes) <= MAX_PREFIX_GRANTS_PER_BUCKET:
            grants.extend(S3Location(bucket, prefix, key) for prefix in sorted(prefixes))
            continue
        common = posixpath.commonpath(sorted(prefixes))
        grants.append(S3Location(bucket, f"{common}/" if common else "", key))
    return grants


def _image(model: ModelSpec | MultiModelSpec) -> ContainerImage | str:
    if model.engine == "custom" and model.image is not None:
        return model.image
    return find_image(model.engine, model.version)


def inference_component_endpoint(
    scope: Construct,
    construct_id: str,
    spec: InferenceComponentEndpointSpec,
    *,
    catalog: LoadedCatalog,
    store: ArtifactStore,
    alarm_topic_arn: str | None = None,
) -> InferenceComponentEndpoint:
    """The shared endpoint, with read access for every component's archive and weights."""
    instance = catalog.instance(spec.instance_type)
    counts = component_endpoint_counts(spec, instance)
    options = shared_options(spec, instance, store, alarm_topic_arn)
    endpoint = InferenceComponentEndpoint(
        scope,
        construct_id,
        endpoint_name=spec.name,
        instance_type=spec.instance_type,
        initial_instance_count=counts.initial,
        min_instance_count=counts.min,
        max_instance_count=counts.max,
        **options,
    )
    acknowledge_catalog_volume_choice(endpoint.endpoint_config, options, spec.name)
    endpoint.grant_read(staged_archive_access(scope, catalog, store, spec.name))
    weights = [
        S3Location.parse(c.model.weights, c.model.weights_kms_key_arn) for c in spec.components if c.model.weights
    ]
    for grant in consolidate_prefixes(weights):
        endpoint.grant_read(grant)
    for component in spec.components:
        endpoint.allow_image(_image(component.model))
    return endpoint


def add_inference_component(
    endpoint: InferenceComponentEndpoint,
    scope: Construct,
    spec: ComponentSpec,
    *,
    endpoint_spec: InferenceComponentEndpointSpec,
    catalog: LoadedCatalog,
) -> InferenceComponent:
    """One catalog component on `endpoint`, built in `scope` (the endpoint's stack or a shard)."""
    model = spec.model
    code_dir = catalog.resolve(model.code) if model.code else None
    copies = copy_counts(spec.copies)
    instance = catalog.instance(endpoint_spec.instance_type)
    component = endpoint.add_component(
        spec.name,
        scope=scope,
        component_name=spec.name,
        image=_image(model),
        model_archive=package_model(model, name=spec.name, code_dir=code_dir),
        environment=model.environment,
        accelerators=component_accelerators(spec) if instance.gpus else None,
        memory_mb=spec.memory_mb,
        max_memory_mb=spec.max_memory_mb,
        cpu_cores=spec.cpu_cores,
        initial_copies=copies.initial,
        startup=spec.startup or endpoint_spec.startup,
        deployment=spec.deployment,
    )
    if spec.scaling is not None:
        component.add_copy_scaling(
            min_copies=copies.min,
            max_copies=copies.max,
            invocations_per_copy=spec.scaling.invocations_per_copy,
            concurrent_requests_per_copy=spec.scaling.concurrent_requests_per_copy,
            scale_in_cooldown_s=spec.scaling.scale_in_cooldown_s,
            scale_out_cooldown_s=spec.scaling.scale_out_cooldown_s,
        )
    return component


def multi_model_endpoint(
    scope: Construct,
    construct_id: str,
    spec: MultiModelEndpointSpec,
    *,
    catalog: LoadedCatalog,
    store: ArtifactStore,
    alarm_topic_arn: str | None = None,
) -> MultiModelEndpoint:
    """A multi-model endpoint reading `<endpoint>/` of the artifact bucket, with its warm-up."""
    instance = catalog.instance(spec.instance_type)
    counts = instance_counts(spec.instance_count)
    model = spec.model
    options = shared_options(spec, instance, store, alarm_topic_arn)
    endpoint = MultiModelEndpoint(
        scope,
        construct_id,
        endpoint_name=spec.name,
        instance_type=spec.instance_type,
        image=_image(model),
        gpus=instance.gpus,
        models=artifact_location(scope, catalog, store, naming.model_prefix(spec.name)),
        model_cache=model.cache,
        environment=model.environment,
        **model_endpoint_options(spec, counts),
        **options,
    )
    acknowledge_catalog_volume_choice(endpoint.endpoint_config, options, spec.name)
    if spec.scaling is not None:
        endpoint.add_instance_scaling(
            min_capacity=counts.min,
            max_capacity=counts.max,
            invocations_per_instance=spec.scaling.invocations_per_instance,
            gpu_memory_percent=spec.scaling.gpu_memory_percent,
            scale_in_cooldown_s=spec.scaling.scale_in_cooldown_s,
            scale_out_cooldown_s=spec.scaling.scale_out_cooldown_s,
        )
    if spec.warmup is not None:
        endpoint.add_warmup(spec.warmup, log_key=store.key, vpc=spec.vpc)
    return endpoint
