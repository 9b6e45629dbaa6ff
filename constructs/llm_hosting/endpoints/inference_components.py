"""Endpoints shared by many models through inference components.

`InferenceComponentEndpoint` is the shared fleet: an endpoint config with no model on its variant,
the execution role (and VPC) on the config instead, managed instance scaling and a routing
strategy. `InferenceComponent` is one model on it with its own accelerators, memory, CPU, copies,
copy scaling and rolling updates. A component may live in another stack than its endpoint, so
that one endpoint can carry more components than one CloudFormation stack can hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Required, TypedDict

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct
from typing_extensions import Unpack

from llm_hosting.catalog.schema import ComponentDeployment, StartupTimeouts, Vpc
from llm_hosting.endpoints.component_scaling import ComponentScaling
from llm_hosting.endpoints.deployment import RollbackAlarms, component_deployment_config
from llm_hosting.endpoints.execution_role import (
    create_execution_role,
    execution_policy,
    grant_image_pull,
    grant_prefix_read,
)
from llm_hosting.endpoints.images import ImageReference, resolve_image
from llm_hosting.endpoints.model_archive import StagedArchive, stage_archive
from llm_hosting.endpoints.scaling import service_linked_role_arn
from llm_hosting.endpoints.variant import acknowledge_local_storage, endpoint_config_vpc_config, variant_options
from llm_hosting.facts.images import ContainerImage
from llm_hosting.monitoring import metrics
from llm_hosting.monitoring.cfn import alarm_metric_properties
from llm_hosting.stack_info import stack_of
from llm_hosting.storage.artifact_store import S3Location

IC = sagemaker.CfnInferenceComponent
COMPONENT_LOG_GROUPS = "/aws/sagemaker/InferenceComponents/*"


class ComponentOptions(TypedDict, total=False):
    """What `add_component` passes on to `InferenceComponent` (see there)."""

    component_name: Required[str]
    image: Required[ContainerImage | str]
    model_archive: Path | None
    environment: Mapping[str, str] | None
    accelerators: int | None
    memory_mb: Required[int]
    max_memory_mb: int | None
    cpu_cores: float | None
    initial_copies: int
    startup: StartupTimeouts | None
    deployment: ComponentDeployment | None


class InferenceComponentEndpoint(Construct):
    """The endpoint and its fleet; models arrive with `add_component`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        instance_type: str,
        initial_instance_count: int,
        min_instance_count: int,
        max_instance_count: int,
        variant_name: str = "AllTraffic",
        routing: str | None = "least-outstanding-requests",
        vpc: Vpc | None = None,
        inference_ami_version: str | None = None,
        network_isolation: bool = False,
        volume_size_gb: int | None = None,
        volume_kms_key: kms.IKey | None = None,
        role: iam.IRole | None = None,
        alarm_topic_arn: str | None = None,
        local_storage_encrypted: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.stack = stack_of(scope)
        self.endpoint_name = endpoint_name
        self.variant_name = variant_name
        self.alarm_topic_arn = alarm_topic_arn
        self.dependent_stacks: dict[cdk.Stack, set[cdk.Stack]] = {}
        self.role: iam.IRole = role or create_execution_role(
            self,
            "ExecutionRole",
            description=f"SageMaker execution role of endpoint {endpoint_name} and its inference components",
        )
        # Components log under their own names, which the policy cannot list in advance without
        # growing with every component; the log-group prefix is SageMaker's.
        self.policy = execution_policy(
            self,
            "ExecutionPolicy",
            role=self.role,
            log_group_names=[f"/aws/sagemaker/Endpoints/{endpoint_name}", COMPONENT_LOG_GROUPS],
        )
        self._pulls: set[str] = set()

        variant = sagemaker.CfnEndpointConfig.ProductionVariantProperty(
            variant_name=variant_name,
            instance_type=instance_type,
            initial_instance_count=initial_instance_count,
            managed_instance_scaling=sagemaker.CfnEndpointConfig.ManagedInstanceScalingProperty(
                status="ENABLED", min_instance_count=min_instance_count, max_instance_count=max_instance_count
            ),
            **variant_options(
                volume_size_gb=volume_size_gb, routing=routing, inference_ami_version=inference_ami_version
            ),
        )
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            production_variants=[variant],
            execution_role_arn=self.role.role_arn,
            vpc_config=endpoint_config_vpc_config(vpc),
            enable_network_isolation=network_isolation or None,
            kms_key_id=volume_kms_key.key_arn if volume_kms_key is not None else None,
        )
        if volume_kms_key is None and local_storage_encrypted:
            acknowledge_local_storage(self.endpoint_config, instance_type)
        self.endpoint = sagemaker.CfnEndpoint(
            self,
            "Resource",
            endpoint_name=endpoint_name,
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
        )
        # SageMaker pulls images and archives with the role as soon as components arrive.
        self.endpoint.node.add_dependency(self.policy)

    def grant_read(self, location: S3Location) -> None:
        """Let the components read one S3 prefix (and decrypt it, if a key is named)."""
        grant_prefix_read(self.policy, location)

    def allow_image(self, image: ContainerImage | str) -> None:
        """Let the role pull `image` (once per repository). Call it for components in other stacks too."""
        if not isinstance(image, ContainerImage) or image.repository in self._pulls:
            return
        self._pulls.add(image.repository)
        grant_image_pull(self.policy, resolve_image(self, image))

    def add_component(
        self, construct_id: str, *, scope: Construct | None = None, **options: Unpack[ComponentOptions]
    ) -> InferenceComponent:
        """Place a model on this endpoint, in `scope` (default: this construct's own scope)."""
        self.allow_image(options["image"])
        return InferenceComponent(scope or self, construct_id, endpoint=self, **options)


class InferenceComponent(Construct):
    """One model on an `InferenceComponentEndpoint`, named explicitly (clients and scaling use it)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint: InferenceComponentEndpoint,
        component_name: str,
        image: ContainerImage | str,
        model_archive: Path | None = None,
        environment: Mapping[str, str] | None = None,
        accelerators: int | None = None,
        memory_mb: int,
        max_memory_mb: int | None = None,
        cpu_cores: float | None = None,
        initial_copies: int = 1,
        startup: StartupTimeouts | None = None,
        deployment: ComponentDeployment | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.stack = stack = stack_of(scope)  # asked once: each Stack.of is a round trip to the jsii kernel
        self.component_name = component_name
        self.endpoint = endpoint
        self.image: ImageReference = resolve_image(stack, image, gpu=accelerators is not None)
        self.model_archive: StagedArchive | None = stage_archive(stack, model_archive) if model_archive else None

        startup_parameters = None
        if startup is not None and (startup.download_timeout_s or startup.health_check_timeout_s):
            startup_parameters = IC.InferenceComponentStartupParametersProperty(
                model_data_download_timeout_in_seconds=startup.download_timeout_s,
                container_startup_health_check_timeout_in_seconds=startup.health_check_timeout_s,
            )
        specification = IC.InferenceComponentSpecificationProperty(
            container=IC.InferenceComponentContainerSpecificationProperty(
                image=self.image.uri,
                artifact_url=self.model_archive.s3_url if self.model_archive else None,
                environment=dict(environment) if environment else None,
            ),
            compute_resource_requirements=IC.InferenceComponentComputeResourceRequirementsProperty(
                number_of_accelerator_devices_required=accelerators,
                number_of_cpu_cores_required=cpu_cores,
                min_memory_required_in_mb=memory_mb,
                max_memory_required_in_mb=max_memory_mb,
            ),
            startup_parameters=startup_parameters,
        )

        self.rollback_alarms: RollbackAlarms | None = None
        deployment_config = None
        if deployment is not None:
            self.rollback_alarms = RollbackAlarms(
                self,
                "Rollback",
                errors=metrics.component_invocation_5xx_errors(component_name),
                latency=metrics.component_model_latency(component_name, deployment.rollback.latency_statistic),
                thresholds=deployment.rollback,
                subject=f"Inference component {component_name}",
                notify=[endpoint.alarm_topic_arn] if endpoint.alarm_topic_arn else (),
            )
            deployment_config = component_deployment_config(deployment, alarm_names=self.rollback_alarms.alarm_names)

        self.resource = IC(
            self,
            "Resource",
            endpoint_name=endpoint.endpoint_name,
            variant_name=endpoint.variant_name,
            inference_component_name=component_name,
            specification=specification,
            runtime_config=IC.InferenceComponentRuntimeConfigProperty(copy_count=initial_copies),
            deployment_config=deployment_config,
        )
        # The endpoint is named by string, so the order must be spelled out (a stack dependency
        # when the component lives in another stack, added once per stack).
        endpoint_stack = endpoint.stack
        if stack is endpoint_stack:
            self.resource.add_resource_dependency(endpoint.endpoint)
        elif endpoint_stack not in endpoint.dependent_stacks.setdefault(stack, set()):
            endpoint.dependent_stacks[stack].add(endpoint_stack)
            stack.add_stack_dependency(endpoint_stack)
        self.scaling: ComponentScaling | None = None

    def add_copy_scaling(
        self,
        *,
        min_copies: int,
        max_copies: int,
        invocations_per_copy: int | None = None,
        concurrent_requests_per_copy: int | None = None,
        scale_in_cooldown_s: int = 300,
        scale_out_cooldown_s: int = 60,
    ) -> ComponentScaling:
        """Scale the copy count with target tracking; `min_copies=0` adds the scale-out-from-zero path."""
        self.scaling = ComponentScaling(
            self,
            "Scaling",
            component_name=self.component_name,
            min_copies=min_copies,
            max_copies=max_copies,
            invocations_per_copy=invocations_per_copy,
            concurrent_requests_per_copy=concurrent_requests_per_copy,
            scale_in_cooldown_s=scale_in_cooldown_s,
            scale_out_cooldown_s=scale_out_cooldown_s,
            role_arn=service_linked_role_arn(self.stack),
        )
        self.scaling.target.add_resource_dependency(self.resource)
        if min_copies > 0 and self.endpoint.alarm_topic_arn:
            self.add_capacity_alarm([self.endpoint.alarm_topic_arn])
        return self.scaling

    def add_capacity_alarm(self, notify: Sequence[str]) -> cloudwatch.CfnAlarm:
        """Tell the operators when requests find no copy although the component keeps a floor: the
        fleet is out of room (at its maximum instances, or copies cannot be placed)."""
        return cloudwatch.CfnAlarm(
            self,
            "CapacityAlarm",
            alarm_description=(
                f"Inference component {self.component_name} keeps copies, yet requests found none: the "
                "endpoint is out of capacity"
            ),
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=1,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            treat_missing_data="notBreaching",
            alarm_actions=list(notify),
            ok_actions=list(notify),
            **alarm_metric_properties(metrics.component_no_capacity_invocation_failures(self.component_name)),
        )
