"""Safe updates: rollback alarms and the endpoint DeploymentConfig that watches them."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from aws_cdk import aws_cloudwatch as cloudwatch, aws_sagemaker as sagemaker
from constructs import Construct

from llm_hosting.endpoints.settings import ComponentDeployment, EndpointDeployment, RollbackThresholds
from llm_hosting.monitoring.cfn import alarm_metric_properties
from llm_hosting.monitoring.metrics import ComponentMetrics, VariantMetrics

Cfn = sagemaker.CfnEndpoint


class RollbackAlarms(Construct):
    """Two alarms on an endpoint's or a component's `metrics` that abort and roll back an update: 5xx
    errors and model latency."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        metrics: VariantMetrics | ComponentMetrics,
        thresholds: RollbackThresholds,
        subject: str,
        notify: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        latency = metrics.model_latency(thresholds.latency_statistic)
        # Besides rolling the update back, the alarms tell the operators (an SNS topic, usually).
        actions = list(notify) or None
        self.errors = errors_alarm(
            self,
            "Errors",
            metrics=metrics,
            thresholds=thresholds,
            description=f"{subject}: more than {thresholds.max_5xx_errors} 5xx errors a minute; rolls back updates",
            actions=actions,
        )
        self.latency = cloudwatch.CfnAlarm(
            self,
            "Latency",
            alarm_description=(
                f"{subject}: {latency.statistic} model latency above {thresholds.max_model_latency_ms} ms; "
                "rolls back updates"
            ),
            comparison_operator="GreaterThanThreshold",
            threshold=thresholds.max_model_latency_ms * 1000,  # ModelLatency is in microseconds
            evaluation_periods=thresholds.evaluation_periods,
            datapoints_to_alarm=thresholds.evaluation_periods,
            treat_missing_data="notBreaching",
            alarm_actions=actions,
            ok_actions=actions,
            **alarm_metric_properties(latency),
        )

    @functools.cached_property
    def alarm_names(self) -> list[str]:
        """The two alarms' names (Ref), asked of the kernel once."""
        return [self.errors.ref, self.latency.ref]


def errors_alarm(
    scope: Construct,
    construct_id: str,
    *,
    metrics: VariantMetrics | ComponentMetrics,
    thresholds: RollbackThresholds,
    description: str,
    actions: list[str] | None,
) -> cloudwatch.CfnAlarm:
    """An alarm on more than `thresholds.max_5xx_errors` 5xx errors a minute, for
    `thresholds.evaluation_periods` minutes running; no data is no errors."""
    return cloudwatch.CfnAlarm(
        scope,
        construct_id,
        alarm_description=description,
        comparison_operator="GreaterThanThreshold",
        threshold=thresholds.max_5xx_errors,
        evaluation_periods=thresholds.evaluation_periods,
        datapoints_to_alarm=thresholds.evaluation_periods,
        treat_missing_data="notBreaching",
        alarm_actions=actions,
        ok_actions=actions,
        **alarm_metric_properties(metrics.invocation_5xx_errors()),
    )


def endpoint_deployment_config(
    deployment: EndpointDeployment, *, strategy: str, alarm_names: list[str]
) -> sagemaker.CfnEndpoint.DeploymentConfigProperty:
    """An AWS::SageMaker::Endpoint DeploymentConfig for `strategy`, rolled back by `alarm_names`."""
    rollback = Cfn.AutoRollbackConfigProperty(alarms=[Cfn.AlarmProperty(alarm_name=name) for name in alarm_names])
    if strategy == "rolling":
        rollback_batch = (
            Cfn.CapacitySizeProperty(type="INSTANCE_COUNT", value=deployment.rollback_batch_instances)
            if deployment.rollback_batch_instances is not None
            else None
        )
        return Cfn.DeploymentConfigProperty(
            auto_rollback_configuration=rollback,
            rolling_update_policy=Cfn.RollingUpdatePolicyProperty(
                maximum_batch_size=Cfn.CapacitySizeProperty(
                    type="INSTANCE_COUNT", value=deployment.rolling_batch_instances
                ),
                wait_interval_in_seconds=deployment.wait_s,
                rollback_maximum_batch_size=rollback_batch,
                maximum_execution_timeout_in_seconds=deployment.max_execution_timeout_s,
            ),
        )

    if strategy == "canary":
        routing = Cfn.TrafficRoutingConfigProperty(
            type="CANARY",
            canary_size=Cfn.CapacitySizeProperty(type="INSTANCE_COUNT", value=deployment.canary_instances),
            wait_interval_in_seconds=deployment.wait_s,
        )
    elif strategy == "linear":
        routing = Cfn.TrafficRoutingConfigProperty(
            type="LINEAR",
            linear_step_size=Cfn.CapacitySizeProperty(type="CAPACITY_PERCENT", value=deployment.linear_step_percent),
            wait_interval_in_seconds=deployment.wait_s,
        )
    else:
        routing = Cfn.TrafficRoutingConfigProperty(type="ALL_AT_ONCE", wait_interval_in_seconds=deployment.wait_s)
    return Cfn.DeploymentConfigProperty(
        auto_rollback_configuration=rollback,
        blue_green_update_policy=Cfn.BlueGreenUpdatePolicyProperty(
            traffic_routing_configuration=routing,
            termination_wait_in_seconds=deployment.termination_wait_s,
            maximum_execution_timeout_in_seconds=deployment.max_execution_timeout_s,
        ),
    )


def component_deployment_config(
    deployment: ComponentDeployment, *, alarm_names: list[str]
) -> sagemaker.CfnInferenceComponent.InferenceComponentDeploymentConfigProperty:
    """Roll an inference component's copies a batch at a time; the alarms roll it back."""
    ic = sagemaker.CfnInferenceComponent
    rollback_batch = (
        ic.InferenceComponentCapacitySizeProperty(type="COPY_COUNT", value=deployment.rollback_batch_copies)
        if deployment.rollback_batch_copies is not None
        else None
    )
    return ic.InferenceComponentDeploymentConfigProperty(
        auto_rollback_configuration=ic.AutoRollbackConfigurationProperty(
            alarms=[ic.AlarmProperty(alarm_name=name) for name in alarm_names]
        ),
        rolling_update_policy=ic.InferenceComponentRollingUpdatePolicyProperty(
            maximum_batch_size=(
                ic.InferenceComponentCapacitySizeProperty(type="COPY_COUNT", value=deployment.batch_copies)
                if deployment.batch_copies is not None
                else ic.InferenceComponentCapacitySizeProperty(type="CAPACITY_PERCENT", value=deployment.batch_percent)
            ),
            wait_interval_in_seconds=deployment.wait_s,
            rollback_maximum_batch_size=rollback_batch,
            maximum_execution_timeout_in_seconds=deployment.max_execution_timeout_s,
        ),
    )
