"""Import the serving code under model_artifacts/ as modules, each under its own name."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.synth import ROOT


def load_handler(directory: str, module_name: str) -> ModuleType:
    path = ROOT / "model_artifacts" / directory / "model.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
