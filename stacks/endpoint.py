"""One stack per endpoint (plus shard stacks for many components and adapters), so each deploys on its own."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from llm_hosting import naming
from llm_hosting.catalog.resolve import ResolvedComponent, ResolvedEndpoint
from llm_hosting.endpoints.from_catalog import Target, add_adapter, add_component, build_endpoint
from llm_hosting.endpoints.inference_components import InferenceComponent, InferenceComponentEndpoint
from llm_hosting.monitoring.dashboard import EndpointDashboard
from llm_hosting.monitoring.dashboards import adapter_graphs, component_graphs
from llm_hosting.storage.synthesizer import ArtifactBucketSynthesizer
from stacks.plan import AdapterShard, Shard


def _synthesizer(project: str, endpoint_name: str) -> ArtifactBucketSynthesizer:
    # Model archives (and the template) are staged under assets/<endpoint>/ in the artifact bucket.
    return ArtifactBucketSynthesizer(project=project, prefix=naming.asset_prefix(endpoint_name))


class EndpointStack(cdk.Stack):
    """An endpoint and, for inference-component endpoints, its first components."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint: ResolvedEndpoint,
        target: Target,
        components: Shard | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope, construct_id, synthesizer=_synthesizer(target.catalog.spec.project, endpoint.name), **kwargs
        )
        # The construct id is the endpoint name: stable for as long as the endpoint keeps its name.
        self.endpoint = build_endpoint(self, endpoint.name, endpoint, target)
        if isinstance(self.endpoint, InferenceComponentEndpoint) and components is not None:
            for component in endpoint.components[components.start : components.stop]:
                add_component(self.endpoint, self, component)
        EndpointDashboard(
            self,
            "Dashboard",
            name=construct_id,
            title=f"Endpoint {endpoint.name} ({endpoint.type})",
            graphs=self.endpoint.dashboard_graphs(),
        )


class ComponentShardStack(cdk.Stack):
    """More inference components of an endpoint whose own stack is full."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        resolved: ResolvedEndpoint,
        endpoint: InferenceComponentEndpoint,
        project: str,
        shard: Shard,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, synthesizer=_synthesizer(project, resolved.name), **kwargs)
        built = [add_component(endpoint, self, c) for c in resolved.components[shard.start : shard.stop]]
        EndpointDashboard(
            self,
            "Dashboard",
            name=construct_id,
            title=f"Endpoint {resolved.name}: components {shard.start + 1}-{shard.stop}",
            graphs=component_graphs([c.metrics for c in built]),
        )


class AdapterStack(cdk.Stack):
    """LoRA adapters of one component, deployed after the component's own stack."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        resolved: ResolvedComponent,
        base: InferenceComponent,
        project: str,
        shard: AdapterShard,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, synthesizer=_synthesizer(project, base.endpoint.endpoint_name), **kwargs)
        built = [add_adapter(base, self, a) for a in resolved.adapters[shard.start : shard.stop]]
        EndpointDashboard(
            self,
            "Dashboard",
            name=construct_id,
            title=f"Adapters {shard.start + 1}-{shard.stop} on {resolved.name} of {base.endpoint.endpoint_name}",
            graphs=adapter_graphs([a.metrics for a in built]),
        )
