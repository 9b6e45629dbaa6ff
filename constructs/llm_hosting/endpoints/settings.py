"""Settings the endpoint constructs take, with their defaults: plain frozen dataclasses, no CDK.

Each default is written here once. The constructs take these objects (or the constants below as
their keyword defaults), and the catalog schema reads its documented defaults from them, so a
catalog and a hand-written CDK app get the same behaviour when they say nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

VARIANT_NAME = "AllTraffic"
"""The production variant every endpoint gets unless told otherwise."""

SCALE_IN_COOLDOWN_S = 300
"""Seconds after a scale-in before the next one: slow, so a dip in traffic does not drop capacity."""
SCALE_OUT_COOLDOWN_S = 60
"""Seconds after a scale-out before the next one: quick, so a surge is met."""

Routing = Literal["least-outstanding-requests", "random"]
"""How the variant spreads requests over instances (and over copies of an inference component)."""

LatencyStatistic = Literal["p50", "p90", "p99", "Average", "Maximum"]
DeploymentStrategy = Literal["canary", "linear", "all-at-once", "rolling"]

COMPONENT_ENV_MAX_ENTRIES = 16
"""SageMaker's limit on an inference component's environment (CreateInferenceComponent)."""


@dataclass(frozen=True, kw_only=True)
class StartupTimeouts:
    """How long SageMaker waits for a new container: both 60-3600 s; `None` is SageMaker's default."""

    download_timeout_s: int | None = None
    """ModelDataDownloadTimeoutInSeconds: downloading the model data (archive, S3 weights)."""
    health_check_timeout_s: int | None = None
    """ContainerStartupHealthCheckTimeoutInSeconds: until the container answers its health check."""


@dataclass(frozen=True, kw_only=True)
class DynamicBatching:
    """DJL Serving's server-side batching: requests that arrive within `max_batch_delay_ms` share one call."""

    max_batch_size: int
    """`batch_size` in serving.properties: at most this many requests per handler call (1-64)."""
    max_batch_delay_ms: int = 100
    """`max_batch_delay`: how long the first request of a batch waits for others, in milliseconds."""


@dataclass(frozen=True, kw_only=True)
class RollbackThresholds:
    """When a deployment rolls back: more 5xx errors a minute, or a higher model latency, than these."""

    max_5xx_errors: int = 5
    """Invocation5XXErrors per minute above which the update rolls back."""
    max_model_latency_ms: int = 30000
    """ModelLatency (at `latency_statistic`) above which the update rolls back."""
    latency_statistic: LatencyStatistic = "p90"
    evaluation_periods: int = 2
    """Consecutive minutes above a threshold before its alarm fires (and the update rolls back)."""


@dataclass(frozen=True, kw_only=True)
class EndpointDeployment:
    """How an endpoint update shifts traffic: blue/green (canary, linear, all at once) or rolling."""

    strategy: DeploymentStrategy | None = None
    """Default: canary when the variant always keeps at least 2 instances, else all-at-once."""
    canary_instances: int = 1
    """Canary size, in instances (at most half of the instances the variant keeps)."""
    linear_step_percent: int = 25
    """Linear step, in percent of the fleet (10-50)."""
    rolling_batch_instances: int = 1
    """Rolling batch, in instances (at most half of the instances the variant keeps)."""
    rollback_batch_instances: int | None = None
    """Rolling: instances per batch when rolling back. Default: all at once."""
    wait_s: int = 300
    """Baking period between traffic steps (0-3600)."""
    termination_wait_s: int = 300
    """Blue/green: how long the old fleet is kept after the shift (0-3600)."""
    max_execution_timeout_s: int | None = None
    """The whole update's time limit (600-28800). Default: SageMaker's."""
    rollback: RollbackThresholds = field(default_factory=RollbackThresholds)

    def strategy_for(self, min_instances: int) -> DeploymentStrategy:
        """The strategy used: as given, else a canary when the variant always keeps 2+ instances."""
        if self.strategy is not None:
            return self.strategy
        return "canary" if min_instances >= 2 else "all-at-once"

    def problems(self, min_instances: int) -> list[tuple[str, str]]:
        """(field, what is wrong and the fix) for a variant that keeps `min_instances` instances."""
        strategy = self.strategy_for(min_instances)
        problems: list[tuple[str, str]] = []
        if strategy == "canary" and self.canary_instances * 2 > min_instances:
            problems.append(
                (
                    "canary_instances",
                    f"a canary of {self.canary_instances} instance(s) is more than half of the {min_instances} "
                    "instance(s) the endpoint keeps (instance_count.min); raise min to "
                    f"{self.canary_instances * 2} or more, or use strategy: all-at-once",
                )
            )
        if strategy == "rolling" and self.rolling_batch_instances * 2 > min_instances:
            problems.append(
                (
                    "rolling_batch_instances",
                    f"a rolling batch of {self.rolling_batch_instances} instance(s) is more than half of the "
                    f"{min_instances} instance(s) the endpoint keeps; raise instance_count.min to "
                    f"{self.rolling_batch_instances * 2} or more, or use strategy: all-at-once",
                )
            )
        if strategy == "linear" and min_instances < 2:
            problems.append(
                (
                    "strategy",
                    "linear traffic shifting needs at least 2 instances (steps of 10-50 % of the fleet); raise "
                    "instance_count.min to 2 or use strategy: all-at-once",
                )
            )
        if self.rollback_batch_instances is not None and strategy != "rolling":
            problems.append(
                ("rollback_batch_instances", "only applies to strategy: rolling; remove it or set the strategy")
            )
        return problems


@dataclass(frozen=True, kw_only=True)
class ComponentDeployment:
    """Rolling update of an inference component, batch by batch of copies.

    SageMaker takes a batch of 5-50 % of the component's copies; a percentage satisfies that at any
    copy count, a fixed number of copies only while the component keeps twice as many.
    """

    batch_percent: int = 50
    """Batch size in percent of the copies (CAPACITY_PERCENT, 5-50)."""
    batch_copies: int | None = None
    """Batch size in copies (COPY_COUNT) instead; at most half of the copies the component keeps."""
    rollback_batch_copies: int | None = None
    """Copies per batch when rolling back. Default: all at once."""
    wait_s: int = 120
    """Wait between batches (0-3600)."""
    max_execution_timeout_s: int | None = None
    """The whole update's time limit (600-28800). Default: SageMaker's."""
    rollback: RollbackThresholds = field(default_factory=RollbackThresholds)

    def problems(self, min_copies: int, max_copies: int) -> list[tuple[str, str]]:
        """(field, what is wrong and the fix) for a component that keeps `min_copies` to `max_copies` copies."""
        problems: list[tuple[str, str]] = []
        batch = self.batch_copies
        if batch is not None and batch * 2 > min_copies:
            problems.append(
                (
                    "batch_copies",
                    f"a batch of {batch} {'copy' if batch == 1 else 'copies'} is more than half of the {min_copies} "
                    "the component keeps (copies.min), and SageMaker takes 5-50 % of the copies per batch; "
                    f"use batch_percent instead, or raise copies.min to {batch * 2}",
                )
            )
        if self.rollback_batch_copies is not None and self.rollback_batch_copies > max_copies:
            problems.append(
                ("rollback_batch_copies", f"larger than the component's maximum of {max_copies} copies; lower it")
            )
        return problems


WARMUP_SCHEDULE = "rate(1 hour)"


def default_warmup_payload() -> Any:
    """A body most text models accept; give your own for anything else."""
    return {"inputs": "warm-up"}


@dataclass(frozen=True, kw_only=True)
class WarmupSettings:
    """Invoke every model on a multi-model endpoint: which request, how many at once, for how long."""

    schedule: str = WARMUP_SCHEDULE
    """An EventBridge schedule expression: `rate(...)` or `cron(...)`."""
    payload: Mapping[str, Any] | Sequence[Any] | str | int | float | bool | None = field(
        default_factory=default_warmup_payload
    )
    """The request body (JSON-serializable), sent to every model."""
    content_type: str = "application/json"
    concurrency: int = 4
    """Models invoked at once (1-64)."""
    time_budget_s: int = 600
    """A run stops starting new invocations after this long (10-840); the rest count as skipped."""
    request_timeout_s: int = 60
    """One invocation's time limit (1-600): a model that takes longer counts as failed."""


@dataclass(frozen=True, kw_only=True)
class ScaleInPolicy:
    """How managed instance scaling releases an inference-component endpoint's instances (ScaleInPolicy)."""

    strategy: Literal["idle-release", "consolidation"]
    """idle-release: release instances that host no copies; consolidation: also move copies together to
    release more (honouring each component's scheduling)."""
    cooldown_minutes: int | None = None
    """Consolidation: minutes after the last endpoint operation before it looks again (5-1440).
    Default: SageMaker's (20)."""
    max_step: int | None = None
    """Consolidation: at most this many instances released at a time (1-100). Default: SageMaker's (1)."""


@dataclass(frozen=True, kw_only=True)
class Scheduling:
    """How SageMaker places a component's copies when it adds or removes them (SchedulingConfig)."""

    placement: Literal["spread", "binpack"]
    """spread: across instances, for resilience; binpack: onto as few instances as possible."""
    az_max_imbalance: int = 0
    """Availability Zone balance (PERMISSIVE): a placement may leave at most this many more copies in
    one zone than in another (0-100; CloudFormation requires the balance with a placement strategy)."""
