"""SageMaker endpoint constructs and the pieces they share (images, roles, scaling, safe updates).

The construct classes load aws-cdk-lib (through jsii), so they are imported on first use of their
names; `settings` (plain dataclasses and defaults) can be imported without CDK.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "SingleModelEndpoint": "llm_hosting.endpoints.single_model",
    "MultiModelEndpoint": "llm_hosting.endpoints.multi_model",
    "InferenceComponentEndpoint": "llm_hosting.endpoints.inference_components",
    "InferenceComponent": "llm_hosting.endpoints.inference_components",
    "ServingImage": "llm_hosting.endpoints.images",
    "ModelDefinition": "llm_hosting.endpoints.model",
    "ProductionVariant": "llm_hosting.endpoints.variant",
    "ComputeRequirements": "llm_hosting.endpoints.inference_components",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'llm_hosting.endpoints' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "ComputeRequirements",
    "InferenceComponent",
    "InferenceComponentEndpoint",
    "ModelDefinition",
    "MultiModelEndpoint",
    "ProductionVariant",
    "ServingImage",
    "SingleModelEndpoint",
]
