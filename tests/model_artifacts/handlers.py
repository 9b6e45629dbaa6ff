"""Import the serving code under model_artifacts/ as modules, each under its own name."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import djl_python

from tests.synth import ROOT


def load_handler(directory: str, module_name: str, *, djl_version: str | None = None) -> ModuleType:
    """The handler module; with `djl_version`, importing that version's `djl_python` classes as its container would."""
    if djl_version is not None:
        djl_python.use_version(djl_version)
        module_name = f"{module_name}_{djl_version.replace('.', '_')}"
    path = ROOT / "model_artifacts" / directory / "model.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
