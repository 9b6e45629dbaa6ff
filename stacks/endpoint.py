"""One stack per endpoint (plus shard stacks for many components), so each deploys on its own."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from llm_hosting import naming
from llm_hosting.catalog.loader import LoadedCatalog
from llm_hosting.catalog.schema import InferenceComponentEndpointSpec, MultiModelEndpointSpec, SingleModelEndpointSpec
from llm_hosting.endpoints.from_catalog import (
    add_inference_component,
    inference_component_endpoint,
    multi_model_endpoint,
    single_model_endpoint,
)
from llm_hosting.endpoints.inference_components import InferenceComponentEndpoint
from llm_hosting.endpoints.multi_model import MultiModelEndpoint
from llm_hosting.endpoints.single_model import SingleModelEndpoint
from llm_hosting.monitoring import metrics
from llm_hosting.monitoring.dashboard import EndpointDashboard
from llm_hosting.monitoring.dashboards import component_graphs, fleet_graphs, variant_graphs
from llm_hosting.storage import ArtifactStore
from llm_hosting.storage.synthesizer import ArtifactBucketSynthesizer
from stacks.plan import Shard

Endpoint = SingleModelEndpointSpec | MultiModelEndpointSpec | InferenceComponentEndpointSpec


def _synthesizer(catalog: LoadedCatalog, endpoint_name: str) -> ArtifactBucketSynthesizer:
    # Model archives (and the template) are staged under assets/<endpoint>/ in the artifact bucket.
    return ArtifactBucketSynthesizer(project=catalog.spec.project, prefix=naming.asset_prefix(endpoint_name))


class EndpointStack(cdk.Stack):
    """An endpoint and, for inference-component endpoints, its first components."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: Endpoint,
        catalog: LoadedCatalog,
        store: ArtifactStore,
        alarm_topic_arn: str | None = None,
        components: Shard | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, synthesizer=_synthesizer(catalog, spec.name), **kwargs)
        # The construct id is the endpoint name: stable for as long as the endpoint keeps its name.
        self.endpoint: SingleModelEndpoint | MultiModelEndpoint | InferenceComponentEndpoint
        instance = catalog.instance(spec.instance_type)
        if isinstance(spec, SingleModelEndpointSpec | MultiModelEndpointSpec):
            target = spec.scaling.gpu_memory_percent if spec.scaling is not None else None
            graphs = variant_graphs(
                spec.name,
                spec.variant_name,
                gpus=instance.gpus,
                gpu_memory_target=metrics.gpu_memory_metric_target(target, instance.gpus) if target else None,
                models=isinstance(spec, MultiModelEndpointSpec),
            )
        else:
            mine = spec.components[components.start : components.stop] if components is not None else []
            graphs = fleet_graphs(spec.name, spec.variant_name) + component_graphs([c.name for c in mine])
        EndpointDashboard(
            self, "Dashboard", name=construct_id, title=f"Endpoint {spec.name} ({spec.type})", graphs=graphs
        )
        if isinstance(spec, SingleModelEndpointSpec):
            self.endpoint = single_model_endpoint(
                self, spec.name, spec, catalog=catalog, store=store, alarm_topic_arn=alarm_topic_arn
            )
            return
        if isinstance(spec, MultiModelEndpointSpec):
            self.endpoint = multi_model_endpoint(
                self, spec.name, spec, catalog=catalog, store=store, alarm_topic_arn=alarm_topic_arn
            )
            return
        self.endpoint = inference_component_endpoint(
            self, spec.name, spec, catalog=catalog, store=store, alarm_topic_arn=alarm_topic_arn
        )
        for component in mine:
            add_inference_component(self.endpoint, self, component, endpoint_spec=spec, catalog=catalog)


class ComponentShardStack(cdk.Stack):
    """More inference components of an endpoint whose own stack is full."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: InferenceComponentEndpointSpec,
        endpoint: InferenceComponentEndpoint,
        catalog: LoadedCatalog,
        shard: Shard,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, synthesizer=_synthesizer(catalog, spec.name), **kwargs)
        components = spec.components[shard.start : shard.stop]
        for component in components:
            add_inference_component(endpoint, self, component, endpoint_spec=spec, catalog=catalog)
        EndpointDashboard(
            self,
            "Dashboard",
            name=construct_id,
            title=f"Endpoint {spec.name}: components {shard.start + 1}-{shard.stop}",
            graphs=component_graphs([c.name for c in components]),
        )
