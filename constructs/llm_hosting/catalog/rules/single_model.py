"""Rules of `type: single-model` endpoints: one model on its own fleet."""

from __future__ import annotations

from collections.abc import Iterator

from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.resolve import ResolvedEndpoint
from llm_hosting.catalog.rules import models
from llm_hosting.catalog.rules.common import Context, deployment, instance_scaling, network_isolation
from llm_hosting.catalog.schema import SingleModelEndpointSpec


def check(context: Context, endpoint: ResolvedEndpoint) -> Iterator[Problem]:
    spec, instance = endpoint.spec_as(SingleModelEndpointSpec), endpoint.instance
    yield from models.model(
        context,
        endpoint.single_model,
        gpus=instance.gpus if instance else None,
        gpu_owner=f"{instance.name} has {instance.gpus}; lower it or choose an instance type with more GPUs"
        if instance
        else "",
        component=False,
    )
    yield from deployment(endpoint.at, spec.deployment, endpoint.instances.min)
    if spec.scaling is not None:
        yield from instance_scaling(endpoint, spec.scaling)
    yield from network_isolation(endpoint)
