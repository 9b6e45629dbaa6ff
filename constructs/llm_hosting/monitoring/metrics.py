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
COMPONENTS = "/aws/sagemaker/InferenceComponents"


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


def gpu_memory_metric_target(percent_of_total: float, gpus: int) -> float:
    """Convert "80 % of the instance's GPU memory" into the metric's scale (percent x GPUs)."""
    return round(percent_of_total * max(gpus, 1), 2)


class _InvocationMetrics:
    """The invocation metrics (AWS/SageMaker) every endpoint variant and inference component reports,
    under the dimensions of the subclass."""

    @property
    def dimensions(self) -> tuple[tuple[str, str], ...]:
        raise NotImplementedError

    def invocation_metric(self, name: str, statistic: str = "Sum") -> MetricSpec:
        """Any invocation metric (AWS/SageMaker): ModelCacheHit, ModelLoadingTime, ..."""
        return MetricSpec(INVOCATIONS, name, self.dimensions, statistic)

    def invocations(self) -> MetricSpec:
        return self.invocation_metric("Invocations")

    def invocation_4xx_errors(self) -> MetricSpec:
        return self.invocation_metric("Invocation4XXErrors")

    def invocation_5xx_errors(self) -> MetricSpec:
        return self.invocation_metric("Invocation5XXErrors")

    def model_latency(self, statistic: str = "p90") -> MetricSpec:
        """ModelLatency is reported in microseconds."""
        return MetricSpec(INVOCATIONS, "ModelLatency", self.dimensions, statistic, unit="Microseconds")


@dataclass(frozen=True)
class VariantMetrics(_InvocationMetrics):
    """The metrics of one endpoint variant (dimensions EndpointName, VariantName)."""

    endpoint: str
    variant: str

    @property
    def dimensions(self) -> tuple[tuple[str, str], ...]:
        return (("EndpointName", self.endpoint), ("VariantName", self.variant))

    def instance_metric(self, name: str, statistic: str = "Average") -> MetricSpec:
        """Any instance metric of the variant (/aws/sagemaker/Endpoints): GPUReservation, LoadedModelCount, ..."""
        return MetricSpec(INSTANCES, name, self.dimensions, statistic)

    def invocations_per_instance(self) -> MetricSpec:
        return self.invocation_metric("InvocationsPerInstance")

    def gpu_utilization(self) -> MetricSpec:
        """Percent x number of GPUs."""
        return self.instance_metric("GPUUtilization")

    def gpu_memory_utilization(self) -> MetricSpec:
        """Percent x number of GPUs: 0-400 on a 4-GPU instance."""
        return self.instance_metric("GPUMemoryUtilization")


@dataclass(frozen=True)
class ComponentMetrics(_InvocationMetrics):
    """The metrics of one inference component (dimension InferenceComponentName)."""

    component: str

    @property
    def dimensions(self) -> tuple[tuple[str, str], ...]:
        return (("InferenceComponentName", self.component),)

    def invocations_per_copy(self) -> MetricSpec:
        return self.invocation_metric("InvocationsPerCopy")

    def no_capacity_invocation_failures(self) -> MetricSpec:
        """Requests that found no copy to serve them: the signal to scale out from zero."""
        return self.invocation_metric("NoCapacityInvocationFailures")

    def gpu_memory_utilization(self) -> MetricSpec:
        """Per copy, 0-100 % of what the copy reserved (/aws/sagemaker/InferenceComponents)."""
        return MetricSpec(COMPONENTS, "GPUMemoryUtilizationNormalized", self.dimensions, "Average")

    def gpu_utilization(self) -> MetricSpec:
        """Per copy, 0-100 % of what the copy reserved."""
        return MetricSpec(COMPONENTS, "GPUUtilizationNormalized", self.dimensions, "Average")


WARMUP_NAMESPACE = "LLMHosting/Warmup"


def warmup(name: str, endpoint: str, statistic: str = "Sum") -> MetricSpec:
    """What the warm-up function reports per run (ModelsWarmed, ModelsFailed, ModelsSkipped, DurationSeconds)."""
    return MetricSpec(WARMUP_NAMESPACE, name, (("EndpointName", endpoint),), statistic, period_s=3600)
