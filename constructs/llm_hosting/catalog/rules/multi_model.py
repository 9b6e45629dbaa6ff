"""Rules of `type: multi-model` endpoints: models loaded on demand from one S3 prefix, on single-GPU types."""

from __future__ import annotations

from collections.abc import Iterator

from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.resolve import ResolvedEndpoint
from llm_hosting.catalog.rules import models
from llm_hosting.catalog.rules.common import (
    MODEL_ENV_MAX_ENTRIES,
    Context,
    deployment,
    environment_size,
    instance_scaling,
)
from llm_hosting.catalog.schema import MultiModelEndpointSpec


def check(context: Context, endpoint: ResolvedEndpoint) -> Iterator[Problem]:
    spec, instance, at = endpoint.spec_as(MultiModelEndpointSpec), endpoint.instance, endpoint.at
    if instance is not None and instance.gpus > 1:
        singles = sorted(n for n, t in context.instance_types.items() if t.gpus == 1)
        yield Problem(
            f"{at}.instance_type",
            f"multi-model endpoints support single-GPU instance types only and {instance.name} has "
            f"{instance.gpus} GPUs; use one of {', '.join(singles)}",
        )
    yield from models.image(context, f"{at}.model", spec.model)
    yield from environment_size(f"{at}.model.environment", spec.model.environment, MODEL_ENV_MAX_ENTRIES)
    yield from deployment(at, spec.deployment, endpoint.instances.min)
    if spec.scaling is not None:
        yield from instance_scaling(endpoint, spec.scaling)
        if spec.scaling.concurrent_requests_per_model is not None:
            yield Problem(
                f"{at}.scaling.concurrent_requests_per_model",
                "the per-model concurrency metric is not reported for multi-model endpoints; use "
                "invocations_per_instance or gpu_memory_percent",
            )
