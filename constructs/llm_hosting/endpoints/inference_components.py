"""Endpoints shared by many models through inference components.

`InferenceComponentEndpoint` is the shared fleet: an endpoint config with no model on its variant,
the execution role (and VPC) on the config instead, managed instance scaling and a routing
strategy. `InferenceComponent` is one model on it with its own accelerators, memory, CPU, copies,
copy scaling and rolling updates. A component may live in another stack than its endpoint, so
that one endpoint can carry more components than one CloudFormation stack can hold.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
    aws_ec2 as ec2,
    aws_iam as iam,
    aws_sagemaker as sagemaker,
    aws_sns as sns,
)
from constructs import Construct

from llm_hosting.endpoints.base import INVOKE_ACTIONS, Endpoint, endpoint_problems
from llm_hosting.endpoints.deployment import RollbackAlarms, component_deployment_config
from llm_hosting.endpoints.model import ModelDefinition, container
from llm_hosting.endpoints.scaling import CopyCountScaling, service_linked_role_arn
from llm_hosting.endpoints.settings import ComponentDeployment, StartupTimeouts
from llm_hosting.endpoints.validation import check
from llm_hosting.endpoints.variant import ProductionVariant, endpoint_config_vpc_config
from llm_hosting.monitoring.cfn import MetricMethods, alarm_metric_properties, cloudwatch_metric
from llm_hosting.monitoring.dashboards import Graph, component_graphs, fleet_graphs
from llm_hosting.monitoring.metrics import ComponentMetrics
from llm_hosting.naming import sagemaker_name_problem
from llm_hosting.stack_info import stack_of
from llm_hosting.storage.artifact_store import S3Location

IC = sagemaker.CfnInferenceComponent
COMPONENT_LOG_GROUPS = "/aws/sagemaker/InferenceComponents/*"
COMPONENT_ENV_MAX_ENTRIES = 16
"""SageMaker's limit on an inference component's environment (CreateInferenceComponent)."""
MAX_PREFIX_GRANTS_PER_BUCKET = 8
"""Beyond this many weights prefixes in one bucket, grant their common prefix instead: the role's
policy must stay under IAM's size limit however many components share the endpoint."""


def consolidate_prefixes(locations: Sequence[S3Location]) -> list[S3Location]:
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


@dataclass(frozen=True, kw_only=True)
class ComputeRequirements:
    """What one copy of a component reserves on an instance (ComputeResourceRequirements)."""

    memory_mb: int
    """Host memory reserved per copy (MinMemoryRequiredInMb, at least 128)."""
    accelerators: int | None = None
    """GPUs per copy. Default: the model's tensor parallel degree, or 1 (none on CPU instance types)."""
    max_memory_mb: int | None = None
    """Host memory a copy may use at most. Default: no limit."""
    cpu_cores: float | None = None
    """CPU cores reserved per copy (at least 0.25). Default: none reserved."""


class InferenceComponentEndpoint(Endpoint):
    """The endpoint and its fleet; models arrive with `add_component`.

    The fleet grows and shrinks by itself (managed instance scaling, between `min_instance_count`
    and `max_instance_count`) as components' copies need room; `min_instance_count=0` lets an idle
    endpoint release every instance when all its components can scale to zero copies.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        variant: ProductionVariant,
        min_instance_count: int | None = None,
        max_instance_count: int | None = None,
        role: iam.IRole | None = None,
        vpc_subnets: Sequence[ec2.ISubnet] = (),
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        network_isolation: bool = False,
        alarm_topic: sns.ITopic | None = None,
        archive_access: S3Location | None = None,
    ) -> None:
        """
        Args:
            endpoint_name: The SageMaker endpoint name clients call.
            variant: The fleet: instance type, initial count, routing (least outstanding requests
                suits models of different speeds), storage, and the components' default startup
                timeouts.
            min_instance_count: Managed instance scaling's floor (0 allowed). Default: the initial count.
            max_instance_count: Managed instance scaling's ceiling. Default: the initial count.
            role: The execution role of every component. Default: a new role that reads what the
                components need and writes their logs.
            vpc_subnets: Run the components in these subnets (1-16). Default: no VPC.
            security_groups: With `vpc_subnets`: 1-5 security groups.
            network_isolation: No network access from the containers. Default: false.
            alarm_topic: Where the components' alarms also notify. Default: nowhere.
            archive_access: A prefix that holds every component's model archive, read as a whole (e.g.
                where an app stages the endpoint's archives). Default: each archive object alone.
        """
        initial = variant.initial_instance_count
        minimum = initial if min_instance_count is None else min_instance_count
        maximum = initial if max_instance_count is None else max_instance_count
        problems = endpoint_problems(endpoint_name, variant, vpc_subnets=vpc_subnets, security_groups=security_groups)
        if minimum < 0 or maximum < 1 or not minimum <= initial <= maximum:
            problems.append(
                f"instance counts must keep 0 <= min ({minimum}) <= initial ({initial}) <= max ({maximum}), max >= 1"
            )
        facts = variant.facts
        if facts is not None and facts.is_burstable and maximum > minimum:
            problems.append(
                f"{facts.name} is a burstable (ml.t*) type, which SageMaker cannot autoscale; choose another type "
                "or set min_instance_count and max_instance_count equal"
            )
        check(scope, problems, child=construct_id)
        super().__init__(
            scope,
            construct_id,
            endpoint_name=endpoint_name,
            variant=variant,
            role=role,
            alarm_topic=alarm_topic,
            # Components log under their own names, which the policy cannot list in advance without
            # growing with every component; the log-group prefix is SageMaker's.
            log_group_names=[f"/aws/sagemaker/Endpoints/{endpoint_name}", COMPONENT_LOG_GROUPS],
            role_description=f"SageMaker execution role of endpoint {endpoint_name} and its inference components",
        )
        self.stack = stack_of(scope)
        self.min_instance_count = minimum
        self.max_instance_count = maximum
        self.dependent_stacks: dict[cdk.Stack, set[cdk.Stack]] = {}
        self.components: list[InferenceComponent] = []
        self._scaling_role_arns: dict[cdk.Stack, str] = {}
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            production_variants=[
                variant.property(
                    managed_instance_scaling=sagemaker.CfnEndpointConfig.ManagedInstanceScalingProperty(
                        status="ENABLED", min_instance_count=minimum, max_instance_count=maximum
                    ),
                    with_startup=False,
                )
            ],
            execution_role_arn=self.role.role_arn,
            vpc_config=endpoint_config_vpc_config(vpc_subnets, security_groups),
            enable_network_isolation=network_isolation or None,
        )
        variant.endpoint_config_key(self.endpoint_config)
        # SageMaker pulls images and archives with the role as soon as components arrive.
        self.resource = self._create_endpoint(self.endpoint_config)
        # Managed instance scaling moves the instance count; an update to a new endpoint config would
        # otherwise start from InitialInstanceCount again (UpdateEndpoint's RetainAllVariantProperties
        # keeps DesiredInstanceCount, botocore sagemaker service-2.json).
        self.resource.retain_all_variant_properties = True
        self.archive_access = archive_access
        self._readable: list[S3Location] = []
        if archive_access is not None:
            self.grant_read(archive_access)

    def grant_read(self, location: S3Location) -> None:
        """Let the components read one S3 prefix (and decrypt it, if the location names a key)."""
        self._readable.append(location)
        super().grant_read(location)

    def dashboard_graphs(self) -> list[Graph]:
        """The shared fleet's reservations and use, and per component its traffic, latency and copies."""
        return fleet_graphs(self.metrics) + component_graphs([c.metrics for c in self.components])

    def grant_weights(self, locations: Sequence[S3Location]) -> None:
        """Let the components read these weights prefixes, in as few statements as keep the policy small:
        beyond `MAX_PREFIX_GRANTS_PER_BUCKET` prefixes in one bucket, their common prefix instead.
        Components whose weights are covered add no statement of their own."""
        for grant in consolidate_prefixes(locations):
            self.grant_read(grant)

    def can_read(self, location: S3Location) -> bool:
        """Whether a granted prefix covers `location`."""
        return any(
            granted.bucket == location.bucket
            and granted.kms_key_arn == location.kms_key_arn
            and location.prefix.startswith(granted.prefix)
            for granted in self._readable
        )

    def add_component(
        self,
        construct_id: str,
        *,
        component_name: str,
        model: ModelDefinition,
        compute: ComputeRequirements,
        initial_copies: int = 1,
        startup: StartupTimeouts | None = None,
        deployment: ComponentDeployment | None = None,
        scope: Construct | None = None,
    ) -> InferenceComponent:
        """Place a model on this endpoint (see `InferenceComponent` for the arguments), in `scope`:
        another stack holds components beyond what one stack can (default: this construct)."""
        return InferenceComponent(
            scope or self,
            construct_id,
            endpoint=self,
            component_name=component_name,
            model=model,
            compute=compute,
            initial_copies=initial_copies,
            startup=startup,
            deployment=deployment,
        )

    def scaling_role_arn(self, stack: cdk.Stack) -> str:
        """Application Auto Scaling's service-linked role, worked out once per stack."""
        arn = self._scaling_role_arns.get(stack)
        if arn is None:
            arn = self._scaling_role_arns[stack] = service_linked_role_arn(stack)
        return arn


class InferenceComponent(MetricMethods, Construct):
    """One model on an `InferenceComponentEndpoint`, named explicitly (clients and scaling use it).

    Scale its copies with `auto_scale_copy_count`; let clients call it with `grant_invoke`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint: InferenceComponentEndpoint,
        component_name: str,
        model: ModelDefinition,
        compute: ComputeRequirements,
        initial_copies: int = 1,
        startup: StartupTimeouts | None = None,
        deployment: ComponentDeployment | None = None,
    ) -> None:
        """
        Args:
            endpoint: The shared endpoint.
            component_name: The name clients pass as InferenceComponentName (unique in the account and region).
            model: What runs: image, serving code, weights, DJL settings (at most 16 environment entries).
            compute: What one copy reserves.
            initial_copies: Copies at creation (0 or more). Default: 1.
            startup: Download and health-check timeouts. Default: the endpoint variant's.
            deployment: Roll updates copy batch by batch, rolled back by alarms. Default: SageMaker's.
        """
        gpus = endpoint.variant.gpus
        accelerators = compute.accelerators
        if accelerators is None and gpus != 0:
            accelerators = model.tensor_parallel_degree or 1
        problems = self._problems(
            endpoint,
            name=component_name,
            model=model,
            compute=compute,
            accelerators=accelerators,
            initial_copies=initial_copies,
        )
        check(scope, problems, child=construct_id)
        super().__init__(scope, construct_id)
        self.stack = stack = stack_of(scope)  # asked once: each Stack.of is a round trip to the jsii kernel
        self.component_name = component_name
        self.endpoint = endpoint
        self.definition = model
        self.metrics: ComponentMetrics = ComponentMetrics(component_name)
        """The component's metric definitions (dashboards, alarms and `metric_*` read them)."""
        endpoint.components.append(self)
        endpoint.allow_image(model.image.bind(endpoint))
        bound = container(stack, model, name=component_name, gpu=accelerators is not None)
        self.image = bound.image
        self.model_archive = bound.archive
        weights = model.weights_location()
        if weights is not None and not endpoint.can_read(weights):
            endpoint.grant_read(weights)
        if bound.archive is not None and endpoint.archive_access is None:
            endpoint.policy.add_statements(
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[bound.archive.object_arn])
            )

        startup = startup or endpoint.variant.startup
        startup_parameters = None
        if startup is not None and (startup.download_timeout_s or startup.health_check_timeout_s):
            startup_parameters = IC.InferenceComponentStartupParametersProperty(
                model_data_download_timeout_in_seconds=startup.download_timeout_s,
                container_startup_health_check_timeout_in_seconds=startup.health_check_timeout_s,
            )
        specification = IC.InferenceComponentSpecificationProperty(
            container=IC.InferenceComponentContainerSpecificationProperty(
                image=bound.image.uri, artifact_url=bound.model_data_url, environment=bound.environment
            ),
            compute_resource_requirements=IC.InferenceComponentComputeResourceRequirementsProperty(
                number_of_accelerator_devices_required=accelerators,
                number_of_cpu_cores_required=compute.cpu_cores,
                min_memory_required_in_mb=compute.memory_mb,
                max_memory_required_in_mb=compute.max_memory_mb,
            ),
            startup_parameters=startup_parameters,
        )

        self.rollback_alarms: RollbackAlarms | None = None
        deployment_config = None
        if deployment is not None:
            self.rollback_alarms = RollbackAlarms(
                self,
                "Rollback",
                metrics=self.metrics,
                thresholds=deployment.rollback,
                subject=f"Inference component {component_name}",
                notify=endpoint.alarm_actions,
            )
            deployment_config = component_deployment_config(deployment, alarm_names=self.rollback_alarms.alarm_names)
        self.deployment = deployment

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
            self.resource.add_resource_dependency(endpoint.resource)
        elif endpoint_stack not in endpoint.dependent_stacks.setdefault(stack, set()):
            endpoint.dependent_stacks[stack].add(endpoint_stack)
            stack.add_stack_dependency(endpoint_stack)
        self.scaling: CopyCountScaling | None = None
        self.capacity_alarm: cloudwatch.CfnAlarm | None = None

    @staticmethod
    def _problems(
        endpoint: InferenceComponentEndpoint,
        *,
        name: str,
        model: ModelDefinition,
        compute: ComputeRequirements,
        accelerators: int | None,
        initial_copies: int,
    ) -> list[str]:
        problems = []
        name_problem = sagemaker_name_problem(name)
        if name_problem is not None:
            problems.append(f"component_name: {name_problem}")
        facts = endpoint.variant.facts
        instance_type = endpoint.variant.instance_type
        if facts is not None and accelerators is not None and accelerators > facts.gpus:
            problems.append(f"{accelerators} GPUs per copy but {instance_type} has {facts.gpus}; lower accelerators")
        if compute.memory_mb < 128:
            problems.append(f"memory_mb is {compute.memory_mb}; SageMaker reserves at least 128")
        if facts is not None and compute.memory_mb > facts.memory_mib:
            problems.append(
                f"{compute.memory_mb} MB per copy but {instance_type} has {facts.memory_mib} MB of host memory"
            )
        if compute.max_memory_mb is not None and compute.max_memory_mb < compute.memory_mb:
            problems.append(f"max_memory_mb ({compute.max_memory_mb}) is below memory_mb ({compute.memory_mb})")
        if compute.cpu_cores is not None and compute.cpu_cores < 0.25:
            problems.append(f"cpu_cores is {compute.cpu_cores:g}; SageMaker reserves at least 0.25")
        if facts is not None and compute.cpu_cores is not None and compute.cpu_cores > facts.vcpus:
            problems.append(f"{compute.cpu_cores:g} cores per copy but {instance_type} has {facts.vcpus} vCPUs")
        if initial_copies < 0:
            problems.append(f"initial_copies is {initial_copies}; use 0 or more")
        if len(model.environment) > COMPONENT_ENV_MAX_ENTRIES:
            problems.append(
                f"the environment has {len(model.environment)} entries; an inference component takes at most "
                f"{COMPONENT_ENV_MAX_ENTRIES}"
            )
        problems += model.problems(
            gpus=accelerators,
            gpu_owner=f"the component reserves {accelerators}; lower it or raise the component's accelerators",
        )
        return problems

    def auto_scale_copy_count(self, *, min_copies: int, max_copies: int) -> CopyCountScaling:
        """Scale the copy count between `min_copies` and `max_copies`; add the metric to track with
        `scale_on_invocations` or `scale_on_concurrency`.

        `min_copies=0` lets the component scale to zero and brings the way back: an alarm on requests
        that found no copy, driving a step policy that adds one. A floor of copies with an alarm topic
        on the endpoint brings an alarm for requests that found no copy all the same (the fleet is full).
        """
        check(self, ["auto_scale_copy_count was already called; call it once"] if self.scaling is not None else [])
        self.scaling = CopyCountScaling(
            self,
            "Scaling",
            metrics=self.metrics,
            min_copies=min_copies,
            max_copies=max_copies,
            role_arn=self.endpoint.scaling_role_arn(self.stack),
        )
        self.scaling.target.add_resource_dependency(self.resource)
        if min_copies > 0 and self.endpoint.alarm_actions:
            self.capacity_alarm = self._capacity_alarm(self.endpoint.alarm_actions)
        return self.scaling

    def _capacity_alarm(self, notify: Sequence[str]) -> cloudwatch.CfnAlarm:
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
            **alarm_metric_properties(self.metrics.no_capacity_invocation_failures()),
        )

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow `grantee` to invoke this component (InvokeEndpoint with InferenceComponentName, and its
        streaming form). IAM has no condition key for the component name, so the grant names the
        endpoint and the component as resources; a caller allowed the endpoint alone may call every
        component on it."""
        stack = cdk.Stack.of(self)
        component_arn = (
            f"arn:{stack.partition}:sagemaker:{stack.region}:{stack.account}:inference-component/"
            f"{self.component_name.lower()}"
        )
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=list(INVOKE_ACTIONS), resource_arns=[self.endpoint.endpoint_arn, component_arn]
        )

    def metric_invocations_per_copy(self, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
        return cloudwatch_metric(self.metrics.invocations_per_copy(), props)

    def metric_no_capacity_invocation_failures(
        self, props: cloudwatch.MetricOptions | None = None
    ) -> cloudwatch.Metric:
        """Requests that found no copy to serve them."""
        return cloudwatch_metric(self.metrics.no_capacity_invocation_failures(), props)
