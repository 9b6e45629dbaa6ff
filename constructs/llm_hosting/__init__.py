"""CDK constructs and catalog tooling for hosting LLMs on Amazon SageMaker.

The constructs work on their own in any CDK app (no catalog needed):

    from llm_hosting import InferenceComponentEndpoint, ModelDefinition, ProductionVariant, ServingImage

Importing the package is cheap: the catalog, facts and CLI modules are plain Python; the constructs
(which load aws-cdk-lib through jsii) are imported on first use of their names.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "ArtifactStore": "llm_hosting.storage",
    "S3Location": "llm_hosting.storage.artifact_store",
    "SingleModelEndpoint": "llm_hosting.endpoints.single_model",
    "MultiModelEndpoint": "llm_hosting.endpoints.multi_model",
    "InferenceComponentEndpoint": "llm_hosting.endpoints.inference_components",
    "InferenceComponent": "llm_hosting.endpoints.inference_components",
    "ComputeRequirements": "llm_hosting.endpoints.inference_components",
    "ServingImage": "llm_hosting.endpoints.images",
    "ModelDefinition": "llm_hosting.endpoints.model",
    "ProductionVariant": "llm_hosting.endpoints.variant",
    "ConstructError": "llm_hosting.endpoints.validation",
    "StartupTimeouts": "llm_hosting.endpoints.settings",
    "DynamicBatching": "llm_hosting.endpoints.settings",
    "EndpointDeployment": "llm_hosting.endpoints.settings",
    "ComponentDeployment": "llm_hosting.endpoints.settings",
    "RollbackThresholds": "llm_hosting.endpoints.settings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'llm_hosting' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [  # noqa: RUF022 - the lazy names, in the order of _LAZY
    "__version__",
    "ArtifactStore",
    "S3Location",
    "SingleModelEndpoint",
    "MultiModelEndpoint",
    "InferenceComponentEndpoint",
    "InferenceComponent",
    "ComputeRequirements",
    "ServingImage",
    "ModelDefinition",
    "ProductionVariant",
    "ConstructError",
    "StartupTimeouts",
    "DynamicBatching",
    "EndpointDeployment",
    "ComponentDeployment",
    "RollbackThresholds",
]
if sorted(__all__[1:]) != sorted(_LAZY):
    raise AssertionError("__all__ and _LAZY must name the same things")
