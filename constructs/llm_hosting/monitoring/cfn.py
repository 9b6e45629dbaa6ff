"""Metric definitions rendered for CDK: CloudFormation (L1) properties, and CloudWatch `Metric` objects."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling, aws_cloudwatch as cloudwatch

from llm_hosting.monitoring.metrics import ComponentMetrics, MetricSpec, VariantMetrics


def alarm_metric_properties(metric: MetricSpec) -> dict[str, Any]:
    """The metric half of `CfnAlarm`'s keyword arguments."""
    props: dict[str, Any] = {
        "namespace": metric.namespace,
        "metric_name": metric.name,
        "dimensions": [cloudwatch.CfnAlarm.DimensionProperty(name=k, value=v) for k, v in metric.dimensions],
        "period": metric.period_s,
    }
    if metric.extended:
        props["extended_statistic"] = metric.statistic
    else:
        props["statistic"] = metric.statistic
    return props


def customized_metric(metric: MetricSpec) -> appscaling.CfnScalingPolicy.CustomizedMetricSpecificationProperty:
    """A target-tracking policy's customized metric."""
    return appscaling.CfnScalingPolicy.CustomizedMetricSpecificationProperty(
        namespace=metric.namespace,
        metric_name=metric.name,
        dimensions=[appscaling.CfnScalingPolicy.MetricDimensionProperty(name=k, value=v) for k, v in metric.dimensions],
        statistic=metric.statistic,
    )


def cloudwatch_metric(metric: MetricSpec, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
    """A `cloudwatch.Metric` for alarms and dashboards of your own; `props` overrides the period,
    statistic, label, ... (the `metric_*` methods of the constructs pass theirs on)."""
    given = props or cloudwatch.MetricOptions()
    return cloudwatch.Metric(
        namespace=metric.namespace,
        metric_name=metric.name,
        dimensions_map=dict(metric.dimensions),
        statistic=given.statistic or metric.statistic,
        period=given.period or cdk.Duration.seconds(metric.period_s),
        unit=given.unit or (cloudwatch.Unit[metric.unit.upper()] if metric.unit else None),
        label=given.label,
        color=given.color,
        account=given.account,
        region=given.region,
    )


class MetricMethods:
    """The `metric_*` methods endpoints and inference components share, read from their `metrics`."""

    metrics: VariantMetrics | ComponentMetrics

    def metric_invocations(self, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
        """Requests (Sum a minute)."""
        return cloudwatch_metric(self.metrics.invocations(), props)

    def metric_invocation_4xx_errors(self, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
        return cloudwatch_metric(self.metrics.invocation_4xx_errors(), props)

    def metric_invocation_5xx_errors(self, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
        return cloudwatch_metric(self.metrics.invocation_5xx_errors(), props)

    def metric_model_latency(self, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
        """ModelLatency in microseconds (p90 unless `props` names a statistic)."""
        return cloudwatch_metric(self.metrics.model_latency(), props)

    def metric_gpu_utilization(self, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
        """GPUUtilization: an endpoint's percent x GPUs per instance; a component's percent of its reservation."""
        return cloudwatch_metric(self.metrics.gpu_utilization(), props)

    def metric_gpu_memory_utilization(self, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
        """GPU memory in use: an endpoint's percent x GPUs per instance (0-400 on a 4-GPU instance); a
        component's percent of what each copy reserved."""
        return cloudwatch_metric(self.metrics.gpu_memory_utilization(), props)
