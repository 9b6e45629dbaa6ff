"""SageMaker endpoint constructs and the pieces they share (images, roles, scaling, safe updates).

The construct classes load aws-cdk-lib (through jsii), so they are imported on first use of their
names; `settings` (plain dataclasses and defaults) can be imported without CDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_hosting.lazy import lazy_attributes

if TYPE_CHECKING:  # what type checkers see; at run time the names load on first use
    from llm_hosting.endpoints.images import ServingImage as ServingImage
    from llm_hosting.endpoints.inference_components import (
        ComputeRequirements as ComputeRequirements,
        InferenceComponent as InferenceComponent,
        InferenceComponentAdapter as InferenceComponentAdapter,
        InferenceComponentEndpoint as InferenceComponentEndpoint,
    )
    from llm_hosting.endpoints.model import ModelDefinition as ModelDefinition
    from llm_hosting.endpoints.multi_model import MultiModelEndpoint as MultiModelEndpoint
    from llm_hosting.endpoints.single_model import SingleModelEndpoint as SingleModelEndpoint
    from llm_hosting.endpoints.variant import ProductionVariant as ProductionVariant

_LAZY = {
    "SingleModelEndpoint": "llm_hosting.endpoints.single_model",
    "MultiModelEndpoint": "llm_hosting.endpoints.multi_model",
    "InferenceComponentEndpoint": "llm_hosting.endpoints.inference_components",
    "InferenceComponent": "llm_hosting.endpoints.inference_components",
    "InferenceComponentAdapter": "llm_hosting.endpoints.inference_components",
    "ServingImage": "llm_hosting.endpoints.images",
    "ModelDefinition": "llm_hosting.endpoints.model",
    "ProductionVariant": "llm_hosting.endpoints.variant",
    "ComputeRequirements": "llm_hosting.endpoints.inference_components",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "ComputeRequirements",
    "InferenceComponent",
    "InferenceComponentAdapter",
    "InferenceComponentEndpoint",
    "ModelDefinition",
    "MultiModelEndpoint",
    "ProductionVariant",
    "ServingImage",
    "SingleModelEndpoint",
]
