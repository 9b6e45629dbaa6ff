"""One stack per endpoint, so each endpoint deploys, updates and rolls back on its own."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

from constructs import Construct
from llm_hosting.catalog.loader import LoadedCatalog
from llm_hosting.catalog.schema import SingleModelEndpointSpec
from llm_hosting.endpoints.from_catalog import single_model_endpoint
from llm_hosting.storage import ArtifactStore, layout
from llm_hosting.storage.synthesizer import ArtifactBucketSynthesizer

Endpoint = SingleModelEndpointSpec


class EndpointStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: Endpoint,
        catalog: LoadedCatalog,
        store: ArtifactStore,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            # Model archives (and the template) are staged under assets/<endpoint>/ in the artifact bucket.
            synthesizer=ArtifactBucketSynthesizer(project=catalog.spec.project, prefix=layout.asset_prefix(spec.name)),
            **kwargs,
        )
        # The construct id is the endpoint name: stable for as long as the endpoint keeps its name.
        self.endpoint = single_model_endpoint(self, spec.name, spec, catalog=catalog, store=store)
