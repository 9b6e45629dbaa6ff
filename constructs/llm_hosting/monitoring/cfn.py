"""Metric definitions rendered as CloudFormation (L1) properties."""

from __future__ import annotations

from typing import Any

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
