"""Build endpoint constructs from catalog entries: the bridge from `catalog.yaml` to constructs."""

from __future__ import annotations

import aws_cdk as cdk

from constructs import Construct
from llm_hosting.catalog.loader import LoadedCatalog
from llm_hosting.catalog.rules import instance_counts
from llm_hosting.catalog.schema import SingleModelEndpointSpec
from llm_hosting.endpoints.model_archive import package_model
from llm_hosting.endpoints.single_model import SingleModelEndpoint
from llm_hosting.facts.images import find_image
from llm_hosting.storage import layout
from llm_hosting.storage.artifact_store import ArtifactStore, S3Location


def staged_archive_access(
    scope: Construct, catalog: LoadedCatalog, store: ArtifactStore, endpoint_name: str
) -> S3Location:
    """The prefix an endpoint's staged files live under in the artifact bucket, with its key."""
    stack = cdk.Stack.of(scope)
    return S3Location(
        bucket=layout.bucket_name(catalog.spec.project, stack.account, stack.region),
        prefix=layout.asset_prefix(endpoint_name),
        kms_key_arn=store.key.key_arn if store.key is not None else None,
    )


def single_model_endpoint(
    scope: Construct,
    construct_id: str,
    spec: SingleModelEndpointSpec,
    *,
    catalog: LoadedCatalog,
    store: ArtifactStore,
) -> SingleModelEndpoint:
    instance = catalog.instance(spec.instance_type)
    counts = instance_counts(spec.instance_count)
    model = spec.model
    code_dir = catalog.resolve(model.code) if model.code else None
    image = model.image if model.engine == "custom" and model.image else find_image(model.engine, model.version)

    volume = spec.volume
    # Encrypt an EBS volume with the artifact key by default; NVMe types have none (and refuse a key).
    wants_kms = volume.kms if volume is not None and volume.kms is not None else True
    volume_key = store.key if (wants_kms and not instance.nvme) else None

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
        initial_instance_count=counts.initial,
        variant_name=spec.variant_name,
        startup=spec.startup,
        volume_size_gb=volume.size_gb if volume is not None else None,
        volume_kms_key=volume_key,
        routing=spec.routing,
        vpc=spec.vpc,
        inference_ami_version=spec.inference_ami_version,
        network_isolation=spec.network_isolation,
        deployment=spec.deployment,
        min_instances_during_update=counts.min,
        retain_variant_properties=spec.scaling is not None,
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
