"""Catalog sections as the settings objects the constructs take (`endpoints/settings.py`).

Plain Python, no CDK: the rules check a section through the construct's own checks
(`EndpointDeployment.problems`), and `endpoints/from_catalog.py` hands the same objects to the
constructs, so both read one definition of each setting and its default.
"""

from __future__ import annotations

from llm_hosting.catalog import schema
from llm_hosting.endpoints import settings


def rollback(section: schema.RollbackAlarms) -> settings.RollbackThresholds:
    return settings.RollbackThresholds(
        max_5xx_errors=section.max_5xx_errors,
        max_model_latency_ms=section.max_model_latency_ms,
        latency_statistic=section.latency_statistic,
        evaluation_periods=section.evaluation_periods,
    )


def endpoint_deployment(section: schema.EndpointDeployment) -> settings.EndpointDeployment:
    return settings.EndpointDeployment(
        strategy=section.strategy,
        canary_instances=section.canary_instances,
        linear_step_percent=section.linear_step_percent,
        rolling_batch_instances=section.rolling_batch_instances,
        rollback_batch_instances=section.rollback_batch_instances,
        wait_s=section.wait_s,
        termination_wait_s=section.termination_wait_s,
        max_execution_timeout_s=section.max_execution_timeout_s,
        rollback=rollback(section.rollback),
    )


def component_deployment(section: schema.ComponentDeployment) -> settings.ComponentDeployment:
    return settings.ComponentDeployment(
        batch_percent=section.batch_percent,
        batch_copies=section.batch_copies,
        rollback_batch_copies=section.rollback_batch_copies,
        wait_s=section.wait_s,
        max_execution_timeout_s=section.max_execution_timeout_s,
        rollback=rollback(section.rollback),
    )


def startup(section: schema.StartupTimeouts | None) -> settings.StartupTimeouts | None:
    if section is None:
        return None
    return settings.StartupTimeouts(
        download_timeout_s=section.download_timeout_s, health_check_timeout_s=section.health_check_timeout_s
    )


def batching(section: schema.Batching | None) -> settings.DynamicBatching | None:
    if section is None:
        return None
    return settings.DynamicBatching(
        max_batch_size=section.max_batch_size, max_batch_delay_ms=section.max_batch_delay_ms
    )


def warmup(section: schema.Warmup) -> settings.WarmupSettings:
    return settings.WarmupSettings(
        schedule=section.schedule,
        payload=section.payload,
        content_type=section.content_type,
        concurrency=section.concurrency,
        time_budget_s=section.time_budget_s,
        request_timeout_s=section.request_timeout_s,
    )
