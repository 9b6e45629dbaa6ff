"""CDK constructs and catalog tooling for hosting LLMs on Amazon SageMaker.

Importing the package is cheap: the catalog, facts and CLI modules are plain Python; the constructs
(which load aws-cdk-lib through jsii) are imported on first use of their names.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "ArtifactStore": "llm_hosting.storage",
    "SingleModelEndpoint": "llm_hosting.endpoints",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'llm_hosting' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = ["ArtifactStore", "SingleModelEndpoint", "__version__"]
