"""DJL Serving's `serving.properties`: read the one in a code directory, add what the catalog says.

The catalog is the single source of the values it names (tensor parallel degree, weights location,
batching); a code directory's own file may add any other option, and may repeat a catalog value
only if it agrees — a disagreement is a catalog error, not a silent override.
"""

from __future__ import annotations

from collections.abc import Mapping

DJL_ENGINES: Mapping[str, str] = {
    "fastertransformer": "FasterTransformer",
    "lmi": "Python",
    "tensorrt-llm": "MPI",
}
"""The DJL `engine=` each catalog engine runs on by default."""

WEIGHTS_PROPERTY: Mapping[str, str] = {
    # DJL 0.21-0.24 FasterTransformer downloads `option.s3url`; LMI and TensorRT-LLM take an S3
    # `option.model_id`.
    "fastertransformer": "option.s3url",
    "lmi": "option.model_id",
    "tensorrt-llm": "option.model_id",
}


def parse_properties(text: str) -> dict[str, str]:
    """Parse the `key=value` subset of Java properties that DJL reads (comments with # or !)."""
    props: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        key, sep, value = line.partition("=")
        if not sep:
            key, _, value = line.partition(":")
        props[key.strip()] = value.strip()
    return props


def render_properties(props: Mapping[str, str]) -> str:
    """Deterministic text: `engine` first, then keys in sorted order."""
    keys = sorted(props, key=lambda k: (k != "engine", k))
    return "".join(f"{key}={props[key]}\n" for key in keys)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def owned_properties(
    engine: str,
    *,
    tensor_parallel_degree: int | None = None,
    weights: str | None = None,
    max_batch_size: int | None = None,
    max_batch_delay_ms: int | None = None,
    extra: Mapping[str, str | int | float | bool] | None = None,
) -> dict[str, str]:
    """The serving.properties entries given outside the code directory (by the catalog or the construct)."""
    props: dict[str, str] = {}
    if tensor_parallel_degree is not None:
        props["option.tensor_parallel_degree"] = str(tensor_parallel_degree)
    if weights is not None and engine in WEIGHTS_PROPERTY:
        props[WEIGHTS_PROPERTY[engine]] = weights
    if max_batch_size is not None:
        props["batch_size"] = str(max_batch_size)
    if max_batch_delay_ms is not None:
        props["max_batch_delay"] = str(max_batch_delay_ms)
    props.update({key: _text(value) for key, value in (extra or {}).items()})
    return props


def merge_properties(
    engine: str, file_props: Mapping[str, str], owned: Mapping[str, str]
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """(merged properties, conflicts as (key, value in the file, value given outside it))."""
    merged = dict(file_props)
    conflicts: list[tuple[str, str, str]] = []
    for key, value in owned.items():
        if key in file_props and file_props[key] != value:
            conflicts.append((key, file_props[key], value))
        merged[key] = value
    merged.setdefault("engine", DJL_ENGINES[engine])
    return merged, conflicts
