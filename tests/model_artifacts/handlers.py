"""Import the serving code under model_artifacts/ as modules, each under its own name, on a chosen djl_python version."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import djl_python

from tests.synth import ROOT


def load_handler(directory: str, module_name: str, *, djl_version: str) -> ModuleType:
    """The handler module, importing the `djl_python` classes of `djl_version` as the container would."""
    djl_python.use_version(djl_version)
    path = ROOT / "model_artifacts" / directory / "model.py"
    spec = importlib.util.spec_from_file_location(f"{module_name}_{djl_version.replace('.', '_')}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
