"""Application Auto Scaling of a variant's instance count and of an inference component's copy count.

`InstanceCountScaling` (from `auto_scale_instance_count`) and `CopyCountScaling` (from
`auto_scale_copy_count`) each own one scalable target; their `scale_on_*` methods add one
target-tracking policy per metric. Several policies on one target scale out when any asks and in
only when all agree. Both work through Application Auto Scaling's service-linked role for SageMaker.
"""

from __future__ import annotations

import functools

from aws_cdk import aws_applicationautoscaling as appscaling, aws_cloudwatch as cloudwatch
from constructs import Construct

from llm_hosting.endpoints.settings import SCALE_IN_COOLDOWN_S, SCALE_OUT_COOLDOWN_S
from llm_hosting.endpoints.validation import check
from llm_hosting.monitoring.cfn import alarm_metric_properties, customized_metric
from llm_hosting.monitoring.metrics import ComponentMetrics, VariantMetrics, gpu_memory_metric_target
from llm_hosting.stack_info import stack_info

Policy = appscaling.CfnScalingPolicy

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
SERVICE_LINKED_ROLE = (
    "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)


def _kebab(name: str) -> str:
    """`InvocationsPerInstance` -> `invocations-per-instance`."""
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name).lstrip("-")


def service_linked_role_arn(scope: Construct) -> str:
    info = stack_info(scope)
    return f"arn:{info.partition}:iam::{info.account}:role/{SERVICE_LINKED_ROLE}"


def _tracking(
    target_value: float,
    *,
    predefined: str | None = None,
    customized: Policy.CustomizedMetricSpecificationProperty | None = None,
    scale_in_cooldown_s: int,
    scale_out_cooldown_s: int,
) -> Policy.TargetTrackingScalingPolicyConfigurationProperty:
    return Policy.TargetTrackingScalingPolicyConfigurationProperty(
        target_value=target_value,
        predefined_metric_specification=(
            Policy.PredefinedMetricSpecificationProperty(predefined_metric_type=predefined) if predefined else None
        ),
        customized_metric_specification=customized,
        scale_in_cooldown=scale_in_cooldown_s,
        scale_out_cooldown=scale_out_cooldown_s,
    )


def _cooldown_problems(scale_in_cooldown_s: int, scale_out_cooldown_s: int) -> list[str]:
    return [
        f"{name} is {value}; use 0-3600 seconds"
        for name, value in (
            ("scale_in_cooldown_s", scale_in_cooldown_s),
            ("scale_out_cooldown_s", scale_out_cooldown_s),
        )
        if not 0 <= value <= 3600
    ]


def _range_problems(unit: str, low: int, minimum: int, maximum: int) -> list[str]:
    problems = []
    if minimum < low:
        problems.append(f"min {unit} is {minimum}; use {low} or more")
    if maximum < 1:
        problems.append(f"max {unit} is {maximum}; use 1 or more")
    if minimum > maximum:
        problems.append(f"min {unit} ({minimum}) is greater than max ({maximum}); raise max or lower min")
    return problems


class _Target:
    """The scalable target's id (its Ref), asked of the kernel once however many policies use it."""

    target: appscaling.CfnScalableTarget

    @functools.cached_property
    def target_id(self) -> str:
        return self.target.ref


class InstanceCountScaling(_Target, Construct):
    """A scalable target on one variant's instance count; add policies with `scale_on_*`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        metrics: VariantMetrics,
        min_capacity: int,
        max_capacity: int,
        gpus: int | None,
        multi_model: bool = False,
    ) -> None:
        """`gpus`: GPUs per instance (None when unknown), which converts a GPU-memory target into
        the metric's percent x GPUs. `multi_model`: the variant serves many models (no per-model metric)."""
        super().__init__(scope, construct_id)
        check(self, _range_problems("instances", 1, min_capacity, max_capacity))
        self.metrics = metrics
        self.min_capacity = min_capacity
        self.max_capacity = max_capacity
        self._gpus = gpus
        self._multi_model = multi_model
        self.resource_id = f"endpoint/{metrics.endpoint}/variant/{metrics.variant}"
        self.target = appscaling.CfnScalableTarget(
            self,
            "Target",
            service_namespace="sagemaker",
            scalable_dimension=VARIANT_DIMENSION,
            resource_id=self.resource_id,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            role_arn=service_linked_role_arn(self),
        )
        self.policies: dict[str, Policy] = {}
        self.gpu_memory_target: float | None = None
        """The GPU-memory policy's target in the metric's own scale (percent x GPUs), once there is one."""

    def scale_on_invocations(
        self,
        *,
        per_instance: int,
        scale_in_cooldown_s: int = SCALE_IN_COOLDOWN_S,
        scale_out_cooldown_s: int = SCALE_OUT_COOLDOWN_S,
    ) -> Policy:
        """Keep InvocationsPerInstance (requests a minute per instance) near `per_instance`."""
        check(self, [f"per_instance is {per_instance}; use 1 or more"] if per_instance < 1 else [])
        return self._add(
            "InvocationsPerInstance",
            per_instance,
            predefined="SageMakerVariantInvocationsPerInstance",
            scale_in_cooldown_s=scale_in_cooldown_s,
            scale_out_cooldown_s=scale_out_cooldown_s,
        )

    def scale_on_concurrency(
        self,
        *,
        per_model: int,
        scale_in_cooldown_s: int = SCALE_IN_COOLDOWN_S,
        scale_out_cooldown_s: int = SCALE_OUT_COOLDOWN_S,
    ) -> Policy:
        """Keep the high-resolution (10 s) concurrent requests per model near `per_model`."""
        problems = [f"per_model is {per_model}; use 1 or more"] if per_model < 1 else []
        if self._multi_model:
            problems.append(
                "the per-model concurrency metric is not reported for multi-model endpoints; scale on "
                "invocations or GPU memory"
            )
        check(self, problems)
        return self._add(
            "ConcurrentRequestsPerModel",
            per_model,
            predefined="SageMakerVariantConcurrentRequestsPerModelHighResolution",
            scale_in_cooldown_s=scale_in_cooldown_s,
            scale_out_cooldown_s=scale_out_cooldown_s,
        )

    def scale_on_gpu_memory(
        self,
        *,
        percent: float,
        scale_in_cooldown_s: int = SCALE_IN_COOLDOWN_S,
        scale_out_cooldown_s: int = SCALE_OUT_COOLDOWN_S,
    ) -> Policy:
        """Keep GPU memory in use near `percent` of the instance's whole GPU memory.

        GPUMemoryUtilization is reported as percent x number of GPUs (0-400 on a 4-GPU instance);
        the target is converted here, once.
        """
        problems = [] if 0 < percent <= 100 else [f"percent is {percent:g}; use more than 0 and at most 100"]
        if self._gpus is None:
            problems.append(
                "the GPUs per instance are unknown; describe the instance type (ProductionVariant.instance)"
            )
        elif self._gpus == 0:
            problems.append("the instance type has no GPUs; scale on invocations instead")
        check(self, problems)
        target = gpu_memory_metric_target(percent, self._gpus or 1)
        policy = self._add(
            "GpuMemoryUtilization",
            target,
            customized=customized_metric(self.metrics.gpu_memory_utilization()),
            scale_in_cooldown_s=scale_in_cooldown_s,
            scale_out_cooldown_s=scale_out_cooldown_s,
        )
        self.gpu_memory_target = target
        return policy

    def _add(
        self,
        construct_id: str,
        target_value: float,
        *,
        predefined: str | None = None,
        customized: Policy.CustomizedMetricSpecificationProperty | None = None,
        scale_in_cooldown_s: int,
        scale_out_cooldown_s: int,
    ) -> Policy:
        problems = _cooldown_problems(scale_in_cooldown_s, scale_out_cooldown_s)
        if construct_id in self.policies:
            problems.append(
                f"already scales on {_kebab(construct_id).replace('-', ' ')}; call scale_on_* once per metric"
            )
        check(self, problems)
        policy = Policy(
            self,
            construct_id,
            policy_name=f"{self.metrics.endpoint}-{_kebab(construct_id)}",
            policy_type="TargetTrackingScaling",
            scaling_target_id=self.target_id,
            target_tracking_scaling_policy_configuration=_tracking(
                target_value,
                predefined=predefined,
                customized=customized,
                scale_in_cooldown_s=scale_in_cooldown_s,
                scale_out_cooldown_s=scale_out_cooldown_s,
            ),
        )
        self.policies[construct_id] = policy
        return policy


class CopyCountScaling(_Target, Construct):
    """A scalable target on `inference-component/<name>`: one target-tracking policy (`scale_on_*`).

    With `min_copies=0` the component may scale to zero copies. Target tracking never leaves zero,
    so such a component also gets a step policy driven by an alarm on NoCapacityInvocationFailures
    (requests that found no copy): one failed request adds a copy (the SageMaker guide, "Scale an
    endpoint to zero instances").
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        metrics: ComponentMetrics,
        min_copies: int,
        max_copies: int,
        role_arn: str | None = None,
    ) -> None:
        """`role_arn`: Application Auto Scaling's service-linked role for SageMaker (default: worked
        out from the stack; pass it when adding many components to save the look-ups)."""
        super().__init__(scope, construct_id)
        check(self, _range_problems("copies", 0, min_copies, max_copies))
        self.metrics = metrics
        self.min_copies = min_copies
        self.max_copies = max_copies
        name = metrics.component
        self.resource_id = f"inference-component/{name}"
        self.target = appscaling.CfnScalableTarget(
            self,
            "Target",
            service_namespace="sagemaker",
            scalable_dimension=COPY_DIMENSION,
            resource_id=self.resource_id,
            min_capacity=min_copies,
            max_capacity=max_copies,
            role_arn=role_arn or service_linked_role_arn(self),
        )
        self.tracking: Policy | None = None
        self.scale_out_from_zero: Policy | None = None
        self.no_capacity_alarm: cloudwatch.CfnAlarm | None = None
        if min_copies == 0:
            self.scale_out_from_zero = Policy(
                self,
                "ScaleOutFromZero",
                policy_name=f"{name}-scale-out-from-zero",
                policy_type="StepScaling",
                scaling_target_id=self.target_id,
                step_scaling_policy_configuration=Policy.StepScalingPolicyConfigurationProperty(
                    adjustment_type="ChangeInCapacity",
                    metric_aggregation_type="Maximum",
                    cooldown=60,
                    step_adjustments=[
                        Policy.StepAdjustmentProperty(metric_interval_lower_bound=0, scaling_adjustment=1)
                    ],
                ),
            )
            # The guide prints GreaterThanThreshold 1; at or above 1 lets the first failed request
            # start the scale-out instead of the second.
            self.no_capacity_alarm = cloudwatch.CfnAlarm(
                self,
                "NoCapacity",
                alarm_description=(
                    f"Inference component {name} has no copy to serve a request: add one (scale out from zero)"
                ),
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=1,
                evaluation_periods=1,
                datapoints_to_alarm=1,
                treat_missing_data="notBreaching",
                alarm_actions=[self.scale_out_from_zero.ref],
                **alarm_metric_properties(metrics.no_capacity_invocation_failures()),
            )

    def scale_on_invocations(
        self,
        *,
        per_copy: int,
        scale_in_cooldown_s: int = SCALE_IN_COOLDOWN_S,
        scale_out_cooldown_s: int = SCALE_OUT_COOLDOWN_S,
    ) -> Policy:
        """Keep InvocationsPerCopy (requests a minute per copy) near `per_copy`."""
        return self._track(
            "invocations-per-copy",
            "SageMakerInferenceComponentInvocationsPerCopy",
            per_copy,
            scale_in_cooldown_s,
            scale_out_cooldown_s,
        )

    def scale_on_concurrency(
        self,
        *,
        per_copy: int,
        scale_in_cooldown_s: int = SCALE_IN_COOLDOWN_S,
        scale_out_cooldown_s: int = SCALE_OUT_COOLDOWN_S,
    ) -> Policy:
        """Keep the high-resolution (10 s) concurrent requests per copy near `per_copy`."""
        return self._track(
            "concurrent-requests-per-copy",
            "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
            per_copy,
            scale_in_cooldown_s,
            scale_out_cooldown_s,
        )

    def _track(self, suffix: str, metric_type: str, target: int, scale_in: int, scale_out: int) -> Policy:
        problems = _cooldown_problems(scale_in, scale_out)
        if target < 1:
            problems.append(f"per_copy is {target}; use 1 or more")
        if self.tracking is not None:
            problems.append(
                "already has a target-tracking policy; a component scales on one metric, call scale_on_* once"
            )
        check(self, problems)
        self.tracking = Policy(
            self,
            "TargetTracking",
            policy_name=f"{self.metrics.component}-{suffix}",
            policy_type="TargetTrackingScaling",
            scaling_target_id=self.target_id,
            target_tracking_scaling_policy_configuration=_tracking(
                target, predefined=metric_type, scale_in_cooldown_s=scale_in, scale_out_cooldown_s=scale_out
            ),
        )
        return self.tracking
