"""Application Auto Scaling for a variant's instance count, through the service-linked role."""

from __future__ import annotations

from aws_cdk import aws_applicationautoscaling as appscaling
from constructs import Construct

from llm_hosting.monitoring import metrics
from llm_hosting.monitoring.cfn import customized_metric
from llm_hosting.stack_info import stack_info

Policy = appscaling.CfnScalingPolicy

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
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


class VariantScaling(Construct):
    """A scalable target on one variant's instance count and its target-tracking policies.

    Several targets may be given; Application Auto Scaling scales out when any policy asks and in
    only when all agree.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        variant_name: str,
        min_capacity: int,
        max_capacity: int,
        gpus: int,
        invocations_per_instance: int | None = None,
        concurrent_requests_per_model: int | None = None,
        gpu_memory_percent: float | None = None,
        scale_in_cooldown_s: int = 300,
        scale_out_cooldown_s: int = 60,
    ) -> None:
        super().__init__(scope, construct_id)
        self.resource_id = f"endpoint/{endpoint_name}/variant/{variant_name}"
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
        self.policies: list[appscaling.CfnScalingPolicy] = []
        predefined = (
            ("InvocationsPerInstance", "SageMakerVariantInvocationsPerInstance", invocations_per_instance),
            (
                "ConcurrentRequestsPerModel",
                "SageMakerVariantConcurrentRequestsPerModelHighResolution",
                concurrent_requests_per_model,
            ),
        )
        for policy_id, metric_type, target in predefined:
            if target is None:
                continue
            self._policy(
                policy_id,
                f"{endpoint_name}-{_kebab(policy_id)}",
                Policy.TargetTrackingScalingPolicyConfigurationProperty(
                    target_value=target,
                    predefined_metric_specification=Policy.PredefinedMetricSpecificationProperty(
                        predefined_metric_type=metric_type
                    ),
                    scale_in_cooldown=scale_in_cooldown_s,
                    scale_out_cooldown=scale_out_cooldown_s,
                ),
            )
        if gpu_memory_percent is not None:
            # The metric is percent x GPUs; the catalog speaks of percent of the whole instance.
            self._policy(
                "GpuMemoryUtilization",
                f"{endpoint_name}-{_kebab('GpuMemoryUtilization')}",
                Policy.TargetTrackingScalingPolicyConfigurationProperty(
                    target_value=metrics.gpu_memory_metric_target(gpu_memory_percent, gpus),
                    customized_metric_specification=customized_metric(
                        metrics.gpu_memory_utilization(endpoint_name, variant_name)
                    ),
                    scale_in_cooldown=scale_in_cooldown_s,
                    scale_out_cooldown=scale_out_cooldown_s,
                ),
            )

    def _policy(
        self, construct_id: str, name: str, config: Policy.TargetTrackingScalingPolicyConfigurationProperty
    ) -> None:
        policy = Policy(
            self,
            construct_id,
            policy_name=name,
            policy_type="TargetTrackingScaling",
            scaling_target_id=self.target.ref,
            target_tracking_scaling_policy_configuration=config,
        )
        self.policies.append(policy)
