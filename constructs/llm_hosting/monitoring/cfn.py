"""Metric definitions rendered for CDK: CloudFormation (L1) properties, and CloudWatch `Metric` objects."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch

from llm_hosting.monitoring.metrics import MetricSpec


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
