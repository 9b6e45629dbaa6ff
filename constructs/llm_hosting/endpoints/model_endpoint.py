"""`ModelEndpoint`: one SageMaker model behind one endpoint, with safe updates and scaling.

The part single-model and multi-model endpoints share: the execution role, the model, the
endpoint config, the endpoint, rollback alarms, instance scaling. Model and endpoint-config names
are left to CloudFormation, because both are replaced on every change; the endpoint name is
explicit because clients address it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct
from typing_extensions import Unpack

from llm_hosting.catalog.schema import EndpointDeployment, StartupTimeouts, Vpc
from llm_hosting.endpoints.deployment import RollbackAlarms, default_strategy, endpoint_deployment_config
from llm_hosting.endpoints.execution_role import (
    create_execution_role,
    execution_policy,
    grant_image_pull,
    grant_prefix_read,
)
from llm_hosting.endpoints.images import ImageReference, resolve_image
from llm_hosting.endpoints.scaling import VariantScaling
from llm_hosting.endpoints.variant import acknowledge_local_storage, model_vpc_config, variant_options
from llm_hosting.facts.images import ContainerImage
from llm_hosting.monitoring import metrics
from llm_hosting.storage.artifact_store import S3Location


class EndpointOptions(TypedDict, total=False):
    """Settings every model endpoint takes as keyword arguments (all optional)."""

    role: iam.IRole | None
    """Default: a new role with access to exactly what the model needs."""
    environment: Mapping[str, str] | None
    initial_instance_count: int
    """Default: 1."""
    variant_name: str
    """Default: AllTraffic."""
    startup: StartupTimeouts | None
    volume_size_gb: int | None
    volume_kms_key: kms.IKey | None
    routing: str | None
    vpc: Vpc | None
    inference_ami_version: str | None
    network_isolation: bool
    deployment: EndpointDeployment | None
    """Default: none; updates use SageMaker's default blue/green without alarms."""
    min_instances_during_update: int | None
    """Instances the variant keeps (autoscaling's minimum): sizes the default canary. Default: initial."""
    retain_variant_properties: bool
    """Keep the autoscaled instance count across updates. Default: false."""
    alarm_topic_arn: str | None
    """Where the rollback alarms also notify. Default: nowhere."""
    local_storage_encrypted: bool
    """The instance type's storage is NVMe instance store (hardware-encrypted): no endpoint-config key
    is possible there, which is acknowledged for the compliance checks. Default: false."""


class ModelEndpoint(Construct):
    """One model on one endpoint; see `SingleModelEndpoint` and `MultiModelEndpoint`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        instance_type: str,
        image: ContainerImage | str,
        gpus: int,
        mode: str,
        model_data_url: str | None,
        multi_model_cache: bool | None = None,
        **options: Unpack[EndpointOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        self.endpoint_name = endpoint_name
        self.variant_name = options.get("variant_name", "AllTraffic")
        self.gpus = gpus
        self.alarm_topic_arn = options.get("alarm_topic_arn")
        initial_instance_count = options.get("initial_instance_count", 1)

        self.role: iam.IRole = options.get("role") or create_execution_role(
            self, "ExecutionRole", description=f"SageMaker execution role of endpoint {endpoint_name}"
        )
        self.policy = execution_policy(
            self, "ExecutionPolicy", role=self.role, log_group_names=[f"/aws/sagemaker/Endpoints/{endpoint_name}"]
        )
        self.image: ImageReference = resolve_image(self, image, gpu=gpus > 0)
        grant_image_pull(self.policy, self.image)

        environment = options.get("environment")
        multi_model_config = None
        if multi_model_cache is not None:
            multi_model_config = sagemaker.CfnModel.MultiModelConfigProperty(
                model_cache_setting="Enabled" if multi_model_cache else "Disabled"
            )
        self.model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=self.role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=self.image.uri,
                mode=mode,
                model_data_url=model_data_url,
                multi_model_config=multi_model_config,
                environment=dict(environment) if environment else None,
            ),
            enable_network_isolation=options.get("network_isolation") or None,
            vpc_config=model_vpc_config(options.get("vpc")),
        )

        volume_kms_key = options.get("volume_kms_key")
        variant = sagemaker.CfnEndpointConfig.ProductionVariantProperty(
            variant_name=self.variant_name,
            model_name=self.model.attr_model_name,
            instance_type=instance_type,
            initial_instance_count=initial_instance_count,
            initial_variant_weight=1.0,
            **variant_options(
                startup=options.get("startup"),
                volume_size_gb=options.get("volume_size_gb"),
                routing=options.get("routing"),
                inference_ami_version=options.get("inference_ami_version"),
            ),
        )
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            production_variants=[variant],
            kms_key_id=volume_kms_key.key_arn if volume_kms_key is not None else None,
        )
        if volume_kms_key is None and options.get("local_storage_encrypted"):
            acknowledge_local_storage(self.endpoint_config, instance_type)

        self.rollback_alarms: RollbackAlarms | None = None
        deployment_config = None
        deployment = options.get("deployment")
        if deployment is not None:
            self.rollback_alarms = RollbackAlarms(
                self,
                "Rollback",
                errors=metrics.invocation_5xx_errors(endpoint_name, self.variant_name),
                latency=metrics.model_latency(endpoint_name, self.variant_name, deployment.rollback.latency_statistic),
                thresholds=deployment.rollback,
                subject=f"Endpoint {endpoint_name}",
                notify=[topic] if (topic := options.get("alarm_topic_arn")) else (),
            )
            floor = options.get("min_instances_during_update") or initial_instance_count
            deployment_config = endpoint_deployment_config(
                deployment,
                strategy=default_strategy(deployment, floor),
                alarm_names=self.rollback_alarms.alarm_names,
            )

        self.endpoint = sagemaker.CfnEndpoint(
            self,
            "Resource",
            endpoint_name=endpoint_name,
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
            deployment_config=deployment_config,
            retain_all_variant_properties=options.get("retain_variant_properties") or None,
        )
        # The role's policy must be attached before SageMaker pulls the image and the model data.
        self.endpoint.node.add_dependency(self.policy)
        self.scaling: VariantScaling | None = None

    def grant_read(self, location: S3Location) -> None:
        """Let the model read one S3 prefix (and decrypt it, if a key is named)."""
        grant_prefix_read(self.policy, location)

    def add_instance_scaling(
        self,
        *,
        min_capacity: int,
        max_capacity: int,
        invocations_per_instance: int | None = None,
        concurrent_requests_per_model: int | None = None,
        gpu_memory_percent: float | None = None,
        scale_in_cooldown_s: int = 300,
        scale_out_cooldown_s: int = 60,
    ) -> VariantScaling:
        """Scale the variant's instance count with target tracking (see `VariantScaling`)."""
        self.scaling = VariantScaling(
            self,
            "Scaling",
            endpoint_name=self.endpoint_name,
            variant_name=self.variant_name,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            gpus=self.gpus,
            invocations_per_instance=invocations_per_instance,
            concurrent_requests_per_model=concurrent_requests_per_model,
            gpu_memory_percent=gpu_memory_percent,
            scale_in_cooldown_s=scale_in_cooldown_s,
            scale_out_cooldown_s=scale_out_cooldown_s,
        )
        # The target names the endpoint by string, so CloudFormation needs the order spelled out.
        self.scaling.target.add_resource_dependency(self.endpoint)
        return self.scaling

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow `grantee` to call InvokeEndpoint (and its streaming form) on this endpoint."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"],
            resource_arns=[self.endpoint_arn],
        )

    @property
    def endpoint_arn(self) -> str:
        """SageMaker ARNs carry the endpoint name in lower case."""
        stack = cdk.Stack.of(self)
        return f"arn:{stack.partition}:sagemaker:{stack.region}:{stack.account}:endpoint/{self.endpoint_name.lower()}"
