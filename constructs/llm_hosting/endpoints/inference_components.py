"""Endpoints shared by many models through inference components.

`InferenceComponentEndpoint` is the shared fleet: an endpoint config with no model on its variant,
the execution role (and VPC) on the config instead, managed instance scaling and a routing
strategy. `InferenceComponent` is one model on it with its own accelerators, memory, CPU, copies,
copy scaling and rolling updates. A component may live in another stack than its endpoint, so
that one endpoint can carry more components than one CloudFormation stack can hold.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
    aws_ec2 as ec2,
    aws_iam as iam,
    aws_kms as kms,
    aws_sagemaker as sagemaker,
    aws_sns as sns,
)
from constructs import Construct

from llm_hosting.endpoints.base import INVOKE_ACTIONS, Endpoint, endpoint_problems
from llm_hosting.endpoints.deployment import RollbackAlarms, component_deployment_config, errors_alarm
from llm_hosting.endpoints.model import ModelDefinition, container
from llm_hosting.endpoints.scaling import CopyCountScaling, service_linked_role_arn
from llm_hosting.endpoints.settings import (
    COMPONENT_ENV_MAX_ENTRIES,
    ComponentDeployment,
    RollbackThresholds,
    ScaleInPolicy,
    Scheduling,
    StartupTimeouts,
)
from llm_hosting.endpoints.validation import check
from llm_hosting.endpoints.variant import ProductionVariant, endpoint_config_vpc_config
from llm_hosting.facts.djl import adapter_problem, unsourced_reason
from llm_hosting.facts.instances import InstanceType
from llm_hosting.monitoring.cfn import MetricMethods, alarm_metric_properties, cloudwatch_metric
from llm_hosting.monitoring.dashboards import Graph, adapter_graphs, component_graphs, fleet_graphs
from llm_hosting.monitoring.metrics import ComponentMetrics
from llm_hosting.naming import sagemaker_name_problem
from llm_hosting.stack_info import stack_info, stack_of
from llm_hosting.storage.artifact_store import S3Location

IC = sagemaker.CfnInferenceComponent
COMPONENT_LOG_GROUPS = "/aws/sagemaker/InferenceComponents/*"
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


def archive_folders(locations: Sequence[S3Location]) -> list[S3Location]:
    """Per bucket and key, the folder `locations` (archives) share: a grant that does not change when
    another archive arrives in that folder (a customer's adapter beside the others)."""
    groups: dict[tuple[str, str | None], list[str]] = {}
    for location in locations:
        groups.setdefault((location.bucket, location.kms_key_arn), []).append(posixpath.dirname(location.prefix))
    grants = []
    for (bucket, key), folders in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        common = posixpath.commonpath(folders) if all(folders) else ""
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


def _requirements(
    compute: ComputeRequirements, model: ModelDefinition, facts: InstanceType | None
) -> IC.InferenceComponentComputeResourceRequirementsProperty:
    """One copy's reservation on one instance type; accelerators default to the tensor parallel degree
    (or 1), and to none on an instance type without GPUs."""
    accelerators = compute.accelerators
    if accelerators is None and (facts is None or facts.gpus > 0):
        accelerators = model.tensor_parallel_degree or 1
    return IC.InferenceComponentComputeResourceRequirementsProperty(
        number_of_accelerator_devices_required=accelerators,
        number_of_cpu_cores_required=compute.cpu_cores,
        min_memory_required_in_mb=compute.memory_mb,
        max_memory_required_in_mb=compute.max_memory_mb,
    )


def _fit_problems(
    instance_type: str,
    facts: InstanceType | None,
    requirements: IC.InferenceComponentComputeResourceRequirementsProperty,
) -> list[str]:
    """What one copy reserves against SageMaker's minimums and one instance of `instance_type`."""
    problems = []
    accelerators = requirements.number_of_accelerator_devices_required
    memory_mb = int(requirements.min_memory_required_in_mb or 0)
    max_memory_mb = requirements.max_memory_required_in_mb
    cpu_cores = requirements.number_of_cpu_cores_required
    if facts is not None and accelerators is not None and accelerators > facts.gpus:
        problems.append(f"{accelerators} GPUs per copy but {instance_type} has {facts.gpus}; lower accelerators")
    if memory_mb < 128:
        problems.append(f"memory_mb is {memory_mb}; SageMaker reserves at least 128")
    if facts is not None and memory_mb > facts.memory_mib:
        problems.append(f"{memory_mb} MB per copy but {instance_type} has {facts.memory_mib} MB of host memory")
    if max_memory_mb is not None and max_memory_mb < memory_mb:
        problems.append(f"max_memory_mb ({max_memory_mb:g}) is below memory_mb ({memory_mb})")
    if cpu_cores is not None and cpu_cores < 0.25:
        problems.append(f"cpu_cores is {cpu_cores:g}; SageMaker reserves at least 0.25")
    if facts is not None and cpu_cores is not None and cpu_cores > facts.vcpus:
        problems.append(f"{cpu_cores:g} cores per copy but {instance_type} has {facts.vcpus} vCPUs")
    return problems


def _scale_in_problems(policy: ScaleInPolicy) -> list[str]:
    problems = [
        f"scale_in {name} applies to consolidation only (the ScaleInPolicy API reference); remove it or use "
        "strategy consolidation"
        for name in ("cooldown_minutes", "max_step")
        if policy.strategy != "consolidation" and getattr(policy, name) is not None
    ]
    if policy.cooldown_minutes is not None and not 5 <= policy.cooldown_minutes <= 1440:
        problems.append(f"scale_in cooldown_minutes is {policy.cooldown_minutes}; SageMaker takes 5-1440")
    if policy.max_step is not None and not 1 <= policy.max_step <= 100:
        problems.append(f"scale_in max_step is {policy.max_step}; SageMaker takes 1-100")
    return problems


def _scale_in_policy(policy: ScaleInPolicy | None) -> sagemaker.CfnEndpointConfig.ScaleInPolicyProperty | None:
    if policy is None:
        return None
    return sagemaker.CfnEndpointConfig.ScaleInPolicyProperty(
        strategy=policy.strategy.upper().replace("-", "_"),
        cooldown_in_minutes=policy.cooldown_minutes,
        maximum_step_size=policy.max_step,
    )


def _scheduling_problems(scheduling: Scheduling | None) -> list[str]:
    if scheduling is None or 0 <= scheduling.az_max_imbalance <= 100:
        return []
    return [f"scheduling az_max_imbalance is {scheduling.az_max_imbalance}; SageMaker takes 0-100"]


def _scheduling(scheduling: Scheduling | None) -> IC.InferenceComponentSchedulingConfigProperty | None:
    if scheduling is None:
        return None
    return IC.InferenceComponentSchedulingConfigProperty(
        placement_strategy=scheduling.placement.upper(),
        availability_zone_balance=IC.InferenceComponentAvailabilityZoneBalanceProperty(
            enforcement_mode="PERMISSIVE", max_imbalance=scheduling.az_max_imbalance
        ),
    )


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
        scale_in: ScaleInPolicy | None = None,
        data_cache: bool | None = None,
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
            scale_in: How managed instance scaling releases instances (idle release or consolidation).
                Default: SageMaker's.
            data_cache: The components' default for caching model data and image on new instances.
                Default: SageMaker's.
        """
        initial = variant.initial_instance_count
        minimum = initial if min_instance_count is None else min_instance_count
        maximum = initial if max_instance_count is None else max_instance_count
        problems = endpoint_problems(endpoint_name, variant, vpc_subnets=vpc_subnets, security_groups=security_groups)
        if minimum < 0 or maximum < 1 or not minimum <= initial <= maximum:
            problems.append(
                f"instance counts must keep 0 <= min ({minimum}) <= initial ({initial}) <= max ({maximum}), max >= 1"
            )
        if scale_in is not None:
            problems += _scale_in_problems(scale_in)
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
        self.data_cache = data_cache
        self.min_instance_count = minimum
        self.max_instance_count = maximum
        self.dependent_stacks: dict[cdk.Stack, set[cdk.Stack]] = {}
        self.components: list[InferenceComponent] = []
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            production_variants=[
                variant.property(
                    managed_instance_scaling=sagemaker.CfnEndpointConfig.ManagedInstanceScalingProperty(
                        status="ENABLED",
                        min_instance_count=minimum,
                        max_instance_count=maximum,
                        scale_in_policy=_scale_in_policy(scale_in),
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
        """The shared fleet's reservations and use, per component its traffic, latency and copies, and per
        adapter added so far its traffic, errors and latency."""
        adapters = [a.metrics for c in self.components for a in c.adapters]
        return (
            fleet_graphs(self.metrics)
            + component_graphs([c.metrics for c in self.components])
            + adapter_graphs(adapters)
        )

    def grant_weights(self, locations: Sequence[S3Location]) -> None:
        """Let the components read these weights prefixes, in as few statements as keep the policy small:
        beyond `MAX_PREFIX_GRANTS_PER_BUCKET` prefixes in one bucket, their common prefix instead.
        Components whose weights are covered add no statement of their own."""
        for grant in consolidate_prefixes(locations):
            self.grant_read(grant)

    def grant_archive_folders(self, locations: Sequence[S3Location]) -> None:
        """Let the components read the folder these archives share (per bucket and key; see
        `archive_folders`), e.g. a base's adapters: onboarding another adapter into that folder then
        changes nothing on the endpoint."""
        for grant in archive_folders(locations):
            self.grant_read_uncovered(grant)

    def can_read(self, location: S3Location) -> bool:
        """Whether a granted prefix covers `location`."""
        return any(granted.covers(location) for granted in self._readable)

    def grant_read_uncovered(self, location: S3Location) -> None:
        """`grant_read`, unless a prefix granted already covers `location` (no second statement)."""
        if not self.can_read(location):
            self.grant_read(location)

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
        compute_by_instance_type: Mapping[str, ComputeRequirements] | None = None,
        data_cache: bool | None = None,
        scheduling: Scheduling | None = None,
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
            compute_by_instance_type=compute_by_instance_type,
            data_cache=data_cache,
            scheduling=scheduling,
        )

    def _depend(self, resource: cdk.CfnResource, stack: cdk.Stack, *, on: cdk.CfnResource, on_stack: cdk.Stack) -> None:
        """Order `resource` (in `stack`) after `on` (in `on_stack`): a resource dependency in one stack,
        else a dependency of `stack` on `on_stack`, added once per pair of stacks."""
        if stack is on_stack:
            resource.add_resource_dependency(on)
        elif on_stack not in self.dependent_stacks.setdefault(stack, set()):
            self.dependent_stacks[stack].add(on_stack)
            stack.add_stack_dependency(on_stack)


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
        compute_by_instance_type: Mapping[str, ComputeRequirements] | None = None,
        data_cache: bool | None = None,
        scheduling: Scheduling | None = None,
    ) -> None:
        """
        Args:
            endpoint: The shared endpoint.
            component_name: The name clients pass as InferenceComponentName (unique in the account and region).
            model: What runs: image, serving code, weights, DJL settings (at most 16 environment entries).
            compute: What one copy reserves (on the variant's instance_type, and on every pool type not in
                `compute_by_instance_type`).
            initial_copies: Copies at creation (0 or more). Default: 1.
            startup: Download and health-check timeouts. Default: the endpoint variant's.
            deployment: Roll updates copy batch by batch, rolled back by alarms. Default: SageMaker's.
            compute_by_instance_type: Another reservation on some of the variant's fallback pool types; the
                component then gets one specification per pool type (Specifications). Default: `compute` on all.
            data_cache: Cache the model data and image on each instance that gets a copy, so scale-out is
                faster (DataCacheConfig). Default: the endpoint's `data_cache`, else SageMaker's (on by itself
                on instance types with more than 232 GiB of local NVMe, per CloudFormation's schema).
            scheduling: How copies are placed (spread or binpack, Availability Zone balance). Default: SageMaker's.
        """
        by_type = dict(compute_by_instance_type or {})
        reservations = {
            name: _requirements(by_type.get(name, compute), model, facts) for name, facts in endpoint.variant.pool_facts
        }
        problems = self._problems(
            endpoint, name=component_name, model=model, reservations=reservations, initial_copies=initial_copies
        )
        problems += [
            f"compute_by_instance_type names {name}, which is not one of the variant's fallback instance_pools"
            for name in by_type
            if name not in endpoint.variant.instance_pools
        ]
        problems += _scheduling_problems(scheduling)
        check(scope, problems, child=construct_id)
        accelerators = reservations[endpoint.variant.instance_type].number_of_accelerator_devices_required
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
        if weights is not None:
            endpoint.grant_read_uncovered(weights)
        if bound.archive is not None and endpoint.archive_access is None:
            endpoint.grant_archive_read(bound.archive)

        startup = startup or endpoint.variant.startup
        startup_parameters = None
        if startup is not None and (startup.download_timeout_s or startup.health_check_timeout_s):
            startup_parameters = IC.InferenceComponentStartupParametersProperty(
                model_data_download_timeout_in_seconds=startup.download_timeout_s,
                container_startup_health_check_timeout_in_seconds=startup.health_check_timeout_s,
            )
        cache = data_cache if data_cache is not None else endpoint.data_cache
        cache_config = IC.InferenceComponentDataCacheConfigProperty(enable_caching=cache) if cache is not None else None
        scheduling_config = _scheduling(scheduling)
        specification = specifications = None
        if by_type:
            specifications = [
                IC.InferenceComponentSpecificationForInstanceTypeProperty(
                    instance_type=name,
                    container=IC.InferenceComponentContainerSpecificationForInstanceTypeProperty(
                        image=bound.image.uri, artifact_url=bound.model_data_url, environment=bound.environment
                    ),
                    compute_resource_requirements=requirements,
                    startup_parameters=startup_parameters,
                    data_cache_config=cache_config,
                    scheduling_config=scheduling_config,
                )
                for name, requirements in reservations.items()
            ]
        else:
            specification = IC.InferenceComponentSpecificationProperty(
                container=IC.InferenceComponentContainerSpecificationProperty(
                    image=bound.image.uri, artifact_url=bound.model_data_url, environment=bound.environment
                ),
                compute_resource_requirements=reservations[endpoint.variant.instance_type],
                startup_parameters=startup_parameters,
                data_cache_config=cache_config,
                scheduling_config=scheduling_config,
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
            specifications=specifications,
            runtime_config=IC.InferenceComponentRuntimeConfigProperty(copy_count=initial_copies),
            deployment_config=deployment_config,
        )
        # The endpoint is named by string, so the order must be spelled out.
        endpoint._depend(self.resource, stack, on=endpoint.resource, on_stack=endpoint.stack)
        self.scaling: CopyCountScaling | None = None
        self.capacity_alarm: cloudwatch.CfnAlarm | None = None
        self.adapters: list[InferenceComponentAdapter] = []

    @staticmethod
    def _problems(
        endpoint: InferenceComponentEndpoint,
        *,
        name: str,
        model: ModelDefinition,
        reservations: Mapping[str, IC.InferenceComponentComputeResourceRequirementsProperty],
        initial_copies: int,
    ) -> list[str]:
        problems = []
        name_problem = sagemaker_name_problem(name)
        if name_problem is not None:
            problems.append(f"component_name: {name_problem}")
        for instance_type, facts in endpoint.variant.pool_facts:
            problems += _fit_problems(instance_type, facts, reservations[instance_type])
        if initial_copies < 0:
            problems.append(f"initial_copies is {initial_copies}; use 0 or more")
        environment = model.container_environment()
        if len(environment) > COMPONENT_ENV_MAX_ENTRIES:
            serving = len(environment) - len(model.environment)
            made = f" ({serving} of them made from the serving options)" if serving else ""
            problems.append(
                f"the environment has {len(environment)} entries{made}; an inference component takes at most "
                f"{COMPONENT_ENV_MAX_ENTRIES}"
            )
        accelerators = reservations[endpoint.variant.instance_type].number_of_accelerator_devices_required
        problems += model.problems(
            gpus=int(accelerators) if accelerators is not None else None,
            gpu_owner=f"the component reserves {accelerators}; lower it or raise the component's accelerators",
        )
        return problems

    def add_adapter(
        self,
        construct_id: str,
        *,
        adapter_name: str,
        weights: str,
        weights_key: kms.IKey | None = None,
        scope: Construct | None = None,
    ) -> InferenceComponentAdapter:
        """Put a LoRA adapter on this component (see `InferenceComponentAdapter`), in `scope`: another
        stack holds adapters beyond what one stack can (default: this construct)."""
        return InferenceComponentAdapter(
            scope or self, construct_id, base=self, adapter_name=adapter_name, weights=weights, weights_key=weights_key
        )

    @functools.cached_property
    def adapter_refusal(self) -> str | None:
        """Why this component's DJL engine would not serve LoRA adapters with its serving options, if it
        would not: one verdict for all its adapters (it reads the serving.properties of the model)."""
        definition = self.definition
        image = definition.image.image
        if not definition.image.djl or image is None or unsourced_reason(image.engine, image.version) is not None:
            return None
        return adapter_problem(image.engine, image.version, properties=definition.djl_properties()[0])

    def auto_scale_copy_count(self, *, min_copies: int, max_copies: int) -> CopyCountScaling:
        """Scale the copy count between `min_copies` and `max_copies`; add the metric to track with
        `scale_on_invocations` or `scale_on_concurrency`.

        `min_copies=0` lets the component scale to zero and brings the way back: an alarm on requests
        that found no copy, driving a step policy that adds one. A floor of copies with an alarm topic
        on the endpoint brings an alarm for requests that found no copy all the same (the fleet is full).
        """
        problems = ["auto_scale_copy_count was already called; call it once"] if self.scaling is not None else []
        if min_copies == 0 and self.adapters:
            problems.append(ADAPTERS_NEED_A_COPY)
        check(self, problems)
        self.scaling = CopyCountScaling(
            self,
            "Scaling",
            metrics=self.metrics,
            min_copies=min_copies,
            max_copies=max_copies,
            role_arn=service_linked_role_arn(self.stack),
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
        return _grant_component_invoke(self, grantee, self.endpoint, self.component_name)

    def metric_invocations_per_copy(self, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
        return cloudwatch_metric(self.metrics.invocations_per_copy(), props)

    def metric_no_capacity_invocation_failures(
        self, props: cloudwatch.MetricOptions | None = None
    ) -> cloudwatch.Metric:
        """Requests that found no copy to serve them."""
        return cloudwatch_metric(self.metrics.no_capacity_invocation_failures(), props)


ADAPTERS_NEED_A_COPY = (
    "a component that carries adapters keeps at least one copy: an adapter runs on its base's copies (it \"uses the "
    "compute resources of the base inference component\": SageMaker's adapter guide), and the scale-to-zero guide "
    "brings copies back only for components with compute; use min_copies=1"
)


class InferenceComponentAdapter(MetricMethods, Construct):
    """A LoRA adapter: an inference component with no compute of its own, which SageMaker loads into its
    base component's copies (Specification.BaseInferenceComponentName).

    Clients call it by its name (InferenceComponentName); one base model can so serve a fine-tune per
    customer. The adapter is created after its base and deleted before it. It has no copies and no
    scaling: scale the base. With an alarm topic on the endpoint, its own 5xx errors alarm (a customer
    whose adapter does not load sees them alone).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        base: InferenceComponent,
        adapter_name: str,
        weights: str,
        weights_key: kms.IKey | None = None,
    ) -> None:
        """
        Args:
            base: The component whose model the adapter fine-tunes.
            adapter_name: The name clients pass as InferenceComponentName (unique in the account and region).
            weights: The adapter's archive in S3 (ArtifactUrl): one .tar.gz object.
            weights_key: The KMS key that encrypts the artifact, if any: the endpoint's role may decrypt with it.
        """
        check(scope, _adapter_problems(base, adapter_name, weights), child=construct_id)
        super().__init__(scope, construct_id)
        self.stack = stack = stack_of(scope)
        self.adapter_name = adapter_name
        self.base = base
        endpoint = base.endpoint
        self.metrics: ComponentMetrics = ComponentMetrics(adapter_name)
        """The adapter's invocation metrics (its own InferenceComponentName; the compute is the base's)."""
        location = S3Location.parse(weights, weights_key.key_arn if weights_key is not None else None)
        endpoint.grant_read_uncovered(location)
        self.resource = IC(
            self,
            "Resource",
            endpoint_name=endpoint.endpoint_name,
            inference_component_name=adapter_name,
            specification=IC.InferenceComponentSpecificationProperty(
                base_inference_component_name=base.component_name,
                container=IC.InferenceComponentContainerSpecificationProperty(artifact_url=weights),
            ),
        )
        # The base is named by string: create the adapter after it, delete it before it.
        endpoint._depend(self.resource, stack, on=base.resource, on_stack=base.stack)
        base.adapters.append(self)
        self.errors_alarm: cloudwatch.CfnAlarm | None = None
        if endpoint.alarm_actions:
            thresholds = base.deployment.rollback if base.deployment is not None else RollbackThresholds()
            self.errors_alarm = errors_alarm(
                self,
                "Errors",
                metrics=self.metrics,
                thresholds=thresholds,
                description=(
                    f"Adapter {adapter_name} on {base.component_name}: more than {thresholds.max_5xx_errors} 5xx "
                    "errors a minute (its artifact may not load)"
                ),
                actions=list(endpoint.alarm_actions),
            )

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow `grantee` to invoke this adapter (see `InferenceComponent.grant_invoke`)."""
        return _grant_component_invoke(self, grantee, self.base.endpoint, self.adapter_name)


def _adapter_problems(base: InferenceComponent, name: str, weights: str) -> list[str]:
    problems = []
    name_problem = sagemaker_name_problem(name)
    if name_problem is not None:
        problems.append(f"adapter_name: {name_problem}")
    try:
        location = S3Location.parse(weights)
    except ValueError:
        location = None
    if location is None or not location.is_archive:
        problems.append(
            f"weights {weights!r} is not an S3 .tar.gz object (SageMaker takes one gzip-compressed tar); "
            "use s3://bucket/adapter.tar.gz"
        )
    if base.scaling is not None and base.scaling.min_copies == 0:
        problems.append(ADAPTERS_NEED_A_COPY)
    refused = base.adapter_refusal
    if refused is not None:
        problems.append(f"the base cannot serve adapters: {refused}")
    return problems


def _grant_component_invoke(
    scope: Construct, grantee: iam.IGrantable, endpoint: InferenceComponentEndpoint, name: str
) -> iam.Grant:
    info = stack_info(scope)
    component_arn = f"arn:{info.partition}:sagemaker:{info.region}:{info.account}:inference-component/{name.lower()}"
    return iam.Grant.add_to_principal(
        grantee=grantee, actions=list(INVOKE_ACTIONS), resource_arns=[endpoint.endpoint_arn, component_arn]
    )
