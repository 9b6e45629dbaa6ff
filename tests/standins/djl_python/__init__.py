"""Stand-in for DJL Serving's `djl_python` package (Input, Output, PairList) as of djl-serving 0.21.0 and 0.24.0.

Our handlers run on the DJL FasterTransformer images 0.21.0 (FLAN-T5) and 0.24.0 (CodeGen), which
cannot run here. The version is a setting: `use_version("0.24.0")`, then import the handler;
`from djl_python import Input, Output` gives that version's classes (0.21.0 by default). Methods a
version lacks are absent, so calling one fails with AttributeError as it would in the container
(`Output.encode` exists only in 0.21.0, `Output.send` and `add_stream_content` only in 0.24.0).
`djl_python.server.DjlServer` delivers requests and batches the way the server of that version does.
Sources: deepjavalibrary/djl-serving engines/python/setup/djl_python/{inputs,outputs,pair_list}.py
and engines/python/src/main/java/ai/djl/python/engine/PyPredictor.java at v0.21.0 (583dbc0c) and
v0.24.0 (94819278).
"""

from __future__ import annotations

from typing import Any

from djl_python.inputs import Input as Input021, Input024
from djl_python.outputs import Output021, Output024
from djl_python.pair_list import PairList

VERSIONS: dict[str, tuple[type[Input021], type[Any]]] = {
    "0.21.0": (Input021, Output021),
    "0.24.0": (Input024, Output024),
}
_selected = {"version": "0.21.0"}


def use_version(version: str) -> None:
    """Make `from djl_python import Input, Output` give `version`'s classes (import the handler afterwards)."""
    if version not in VERSIONS:
        raise ValueError(f"the djl_python stand-in follows {', '.join(VERSIONS)}, not {version}")
    _selected["version"] = version


def current_version() -> str:
    return _selected["version"]


def classes(version: str) -> tuple[type[Input021], type[Any]]:
    """(Input, Output) of `version`."""
    return VERSIONS[version]


def __getattr__(name: str) -> Any:
    if name == "Input":
        return VERSIONS[current_version()][0]
    if name == "Output":
        return VERSIONS[current_version()][1]
    raise AttributeError(f"module 'djl_python' has no attribute '{name}'")


__all__ = ["PairList", "classes", "current_version", "use_version"]
