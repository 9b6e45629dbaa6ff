"""CDK constructs and catalog tooling for hosting LLMs on Amazon SageMaker.

The constructs work on their own in any CDK app (no catalog needed):

    from llm_hosting import InferenceComponentEndpoint, ModelDefinition, ProductionVariant, ServingImage

Importing the package is cheap: the catalog, facts and CLI modules are plain Python; the constructs
(which load aws-cdk-lib through jsii) are imported on first use of their names.
"""

from __future__ import annotations

import importlib
from typing import Any

from llm_hosting import endpoints  # its names load on first use, like these

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
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'llm_hosting' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = ["__version__", *_LAZY]  # noqa: PLE0604 - the lazy names are the public API
