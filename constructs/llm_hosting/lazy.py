"""Names a package exports without importing their modules until first use (PEP 562 `__getattr__`).

The construct classes load aws-cdk-lib through jsii, which takes seconds; the catalog, the facts and
the command line must not pay for that when they never build a construct.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` that imports `names[name]` when `name` is first asked for."""

    def get(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return get
