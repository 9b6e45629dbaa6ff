"""Application Auto Scaling of an inference component's copy count, down to zero and back.

Scaling in follows a target-tracking policy. Target tracking never leaves zero, so a component
allowed to reach zero also gets a step policy driven by an alarm on NoCapacityInvocationFailures
(requests that found no copy): one failed request adds a copy (see the SageMaker guide,
"Scale an endpoint to zero instances").
"""

from __future__ import annotations

from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from llm_hosting.endpoints.scaling import service_linked_role_arn
from llm_hosting.monitoring import metrics
from llm_hosting.monitoring.cfn import alarm_metric_properties

COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
Policy = appscaling.CfnScalingPolicy


class ComponentScaling(Construct):
    """Scalable target on `inference-component/<name>` with its policies."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        component_name: str,
        min_copies: int,
        max_copies: int,
        invocations_per_copy: int | None = None,
        concurrent_requests_per_copy: int | None = None,
        scale_in_cooldown_s: int = 300,
        scale_out_cooldown_s: int = 60,
        role_arn: str | None = None,
    ) -> None:
        """`role_arn`: Application Auto Scaling's service-linked role for SageMaker (default: worked
        out from the stack; pass it when adding many components to save the look-ups)."""
        super().__init__(scope, construct_id)
        targets = [
            (metric, suffix, value)
            for metric, suffix, value in (
                ("SageMakerInferenceComponentInvocationsPerCopy", "invocations-per-copy", invocations_per_copy),
                (
                    "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
                    "concurrent-requests-per-copy",
                    concurrent_requests_per_copy,
                ),
            )
            if value is not None
        ]
        if len(targets) != 1:
            raise ValueError("give exactly one of invocations_per_copy or concurrent_requests_per_copy")
        metric_type, suffix, target = targets[0]
        self.resource_id = f"inference-component/{component_name}"
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
        target_ref = self.target.ref
        self.tracking = Policy(
            self,
            "TargetTracking",
            policy_name=f"{component_name}-{suffix}",
            policy_type="TargetTrackingScaling",
            scaling_target_id=target_ref,
            target_tracking_scaling_policy_configuration=Policy.TargetTrackingScalingPolicyConfigurationProperty(
                target_value=target,
                predefined_metric_specification=Policy.PredefinedMetricSpecificationProperty(
                    predefined_metric_type=metric_type
                ),
                scale_in_cooldown=scale_in_cooldown_s,
                scale_out_cooldown=scale_out_cooldown_s,
            ),
        )

        self.scale_out_from_zero: Policy | None = None
        self.no_capacity_alarm: cloudwatch.CfnAlarm | None = None
        if min_copies == 0:
            self.scale_out_from_zero = Policy(
                self,
                "ScaleOutFromZero",
                policy_name=f"{component_name}-scale-out-from-zero",
                policy_type="StepScaling",
                scaling_target_id=target_ref,
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
                    f"Inference component {component_name} has no copy to serve a request: add one "
                    "(scale out from zero)"
                ),
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=1,
                evaluation_periods=1,
                datapoints_to_alarm=1,
                treat_missing_data="notBreaching",
                alarm_actions=[self.scale_out_from_zero.ref],
                **alarm_metric_properties(metrics.component_no_capacity_invocation_failures(component_name)),
            )
