"""CDK constructs and catalog tooling for hosting LLMs on Amazon SageMaker.

The constructs work on their own in any CDK app (no catalog needed):

    from llm_hosting import InferenceComponentEndpoint, ModelDefinition, ProductionVariant, ServingImage

Importing the package is cheap: the catalog, facts and CLI modules are plain Python; the constructs
(which load aws-cdk-lib through jsii) are imported on first use of their names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_hosting import endpoints  # its names load on first use, like these

if TYPE_CHECKING:  # what type checkers see; at run time the names load on first use
    from llm_hosting.endpoints import (
        ComputeRequirements as ComputeRequirements,
        InferenceComponent as InferenceComponent,
        InferenceComponentAdapter as InferenceComponentAdapter,
        InferenceComponentEndpoint as InferenceComponentEndpoint,
        ModelDefinition as ModelDefinition,
        MultiModelEndpoint as MultiModelEndpoint,
        ProductionVariant as ProductionVariant,
        ServingImage as ServingImage,
        SingleModelEndpoint as SingleModelEndpoint,
    )
    from llm_hosting.endpoints.settings import (
        ComponentDeployment as ComponentDeployment,
        DynamicBatching as DynamicBatching,
        EndpointDeployment as EndpointDeployment,
        RollbackThresholds as RollbackThresholds,
        ScaleInPolicy as ScaleInPolicy,
        Scheduling as Scheduling,
        StartupTimeouts as StartupTimeouts,
    )
    from llm_hosting.endpoints.validation import ConstructError as ConstructError
    from llm_hosting.storage import ArtifactStore as ArtifactStore
    from llm_hosting.storage.artifact_store import S3Location as S3Location
from llm_hosting.lazy import lazy_attributes

__version__ = "0.1.0"

_LAZY = {
    **dict.fromkeys(endpoints.__all__, "llm_hosting.endpoints"),
    "ArtifactStore": "llm_hosting.storage",
    "S3Location": "llm_hosting.storage.artifact_store",
    "ConstructError": "llm_hosting.endpoints.validation",
    "StartupTimeouts": "llm_hosting.endpoints.settings",
    "DynamicBatching": "llm_hosting.endpoints.settings",
    "EndpointDeployment": "llm_hosting.endpoints.settings",
    "ComponentDeployment": "llm_hosting.endpoints.settings",
    "RollbackThresholds": "llm_hosting.endpoints.settings",
    "ScaleInPolicy": "llm_hosting.endpoints.settings",
    "Scheduling": "llm_hosting.endpoints.settings",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = ["__version__", *_LAZY]  # noqa: PLE0604 - the lazy names are the public API
