"""SageMaker metric definitions, as plain data shared by scaling policies, alarms and dashboards.

Namespaces and dimensions follow the SageMaker developer guide (aws-facts.md, section B):
invocation metrics in `AWS/SageMaker`; instance metrics in `/aws/sagemaker/Endpoints`, where
utilization is percent x number of GPUs/cores; per-copy inference component metrics in
`/aws/sagemaker/InferenceComponents`.
"""

from __future__ import annotations

from dataclasses import dataclass

INVOCATIONS = "AWS/SageMaker"
INSTANCES = "/aws/sagemaker/Endpoints"


@dataclass(frozen=True)
class MetricSpec:
    """One CloudWatch metric with its dimensions and the statistic to read it with."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str = "Average"
    period_s: int = 60
    unit: str | None = None

    @property
    def extended(self) -> bool:
        """Percentile statistics (p90) go to `ExtendedStatistic` in CloudFormation."""
        return self.statistic.startswith("p")


def _variant(endpoint: str, variant: str) -> tuple[tuple[str, str], ...]:
    return (("EndpointName", endpoint), ("VariantName", variant))


def invocation_5xx_errors(endpoint: str, variant: str) -> MetricSpec:
    return MetricSpec(INVOCATIONS, "Invocation5XXErrors", _variant(endpoint, variant), "Sum")


def invocation_4xx_errors(endpoint: str, variant: str) -> MetricSpec:
    return MetricSpec(INVOCATIONS, "Invocation4XXErrors", _variant(endpoint, variant), "Sum")


def invocations(endpoint: str, variant: str) -> MetricSpec:
    return MetricSpec(INVOCATIONS, "Invocations", _variant(endpoint, variant), "Sum")


def invocations_per_instance(endpoint: str, variant: str) -> MetricSpec:
    return MetricSpec(INVOCATIONS, "InvocationsPerInstance", _variant(endpoint, variant), "Sum")


def model_latency(endpoint: str, variant: str, statistic: str = "p90") -> MetricSpec:
    """ModelLatency is reported in microseconds."""
    return MetricSpec(INVOCATIONS, "ModelLatency", _variant(endpoint, variant), statistic, unit="Microseconds")


def gpu_memory_utilization(endpoint: str, variant: str) -> MetricSpec:
    """Percent x number of GPUs: 0-400 on a 4-GPU instance."""
    return MetricSpec(INSTANCES, "GPUMemoryUtilization", _variant(endpoint, variant), "Average")


def gpu_utilization(endpoint: str, variant: str) -> MetricSpec:
    """Percent x number of GPUs."""
    return MetricSpec(INSTANCES, "GPUUtilization", _variant(endpoint, variant), "Average")


def gpu_memory_metric_target(percent_of_total: float, gpus: int) -> float:
    """Convert "80 % of the instance's GPU memory" into the metric's scale (percent x GPUs)."""
    return round(percent_of_total * max(gpus, 1), 2)


def _component(name: str) -> tuple[tuple[str, str], ...]:
    return (("InferenceComponentName", name),)


def component_invocations(name: str) -> MetricSpec:
    return MetricSpec(INVOCATIONS, "Invocations", _component(name), "Sum")


def component_invocation_5xx_errors(name: str) -> MetricSpec:
    return MetricSpec(INVOCATIONS, "Invocation5XXErrors", _component(name), "Sum")


def component_model_latency(name: str, statistic: str = "p90") -> MetricSpec:
    return MetricSpec(INVOCATIONS, "ModelLatency", _component(name), statistic, unit="Microseconds")


def component_no_capacity_invocation_failures(name: str) -> MetricSpec:
    """Requests that found no copy to serve them: the signal to scale out from zero."""
    return MetricSpec(INVOCATIONS, "NoCapacityInvocationFailures", _component(name), "Sum")


def component_invocations_per_copy(name: str) -> MetricSpec:
    return MetricSpec(INVOCATIONS, "InvocationsPerCopy", _component(name), "Sum")


def variant_metric(namespace: str, name: str, endpoint: str, variant: str, statistic: str = "Average") -> MetricSpec:
    """Any per-variant metric by name (GPUReservation, LoadedModelCount, ModelCacheHit, ...)."""
    return MetricSpec(namespace, name, _variant(endpoint, variant), statistic)


WARMUP_NAMESPACE = "LLMHosting/Warmup"


def warmup(name: str, endpoint: str, statistic: str = "Sum") -> MetricSpec:
    """What the warm-up function reports per run (ModelsWarmed, ModelsFailed, ModelsSkipped, DurationSeconds)."""
    return MetricSpec(WARMUP_NAMESPACE, name, (("EndpointName", endpoint),), statistic, period_s=3600)
