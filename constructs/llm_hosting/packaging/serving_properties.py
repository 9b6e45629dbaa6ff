"""DJL Serving's `serving.properties`: read the one in a code directory, add what the catalog says.

The catalog is the single source of the values it names (tensor parallel degree, weights location,
batching); a code directory's own file may add any other option, and may repeat a catalog value
only if it agrees — a disagreement is a catalog error, not a silent override.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from llm_hosting.facts.djl import DEFAULT_DJL_ENGINE, environment_if_possible
from llm_hosting.facts.images import ContainerImage

DJL_ENGINES: Mapping[str, str] = DEFAULT_DJL_ENGINE
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


def read_serving_properties(code_dir: Path | None) -> dict[str, str]:
    """A code directory's serving.properties (empty without a directory or without the file).

    Raises OSError or UnicodeDecodeError when the file cannot be read."""
    if code_dir is None:
        return {}
    props_file = code_dir / "serving.properties"
    return parse_properties(props_file.read_text(encoding="utf-8")) if props_file.is_file() else {}


class Batching(Protocol):
    """Dynamic batching as the catalog and the construct both give it."""

    @property
    def max_batch_size(self) -> int: ...

    @property
    def max_batch_delay_ms(self) -> int: ...


@dataclass(frozen=True)
class DjlServing:
    """A DJL model's serving options, worked out once: the code directory's file, what is given outside
    it, the merge of the two, and the environment variables that can carry them."""

    file: dict[str, str]
    """The code directory's serving.properties (empty without one)."""
    given: dict[str, str]
    """The entries given outside the code directory (`owned_properties`)."""
    properties: dict[str, str]
    """What the model runs with: the file with the given entries filled in."""
    conflicts: list[tuple[str, str, str]]
    """(key, value in the file, value given outside it) for each disagreement."""
    environment_image: ContainerImage | None
    """The image whose version decides which options the environment can carry; None when they go into an
    archive whatever the version (the model has code)."""

    @cached_property
    def environment(self) -> dict[str, str] | None:
        """The container environment that carries `properties`, or None when they go into an archive's
        serving.properties instead (code given, or an option the engine version reads from the file only)."""
        image = self.environment_image
        if image is None:
            return None
        return environment_if_possible(image.engine, image.version, self.properties)


def djl_serving(
    engine: str,
    file_props: Mapping[str, str],
    *,
    tensor_parallel_degree: int | None,
    weights: str | None,
    batching: Batching | None,
    extra: Mapping[str, str | int | float | bool],
    environment_image: ContainerImage | None,
) -> DjlServing:
    """The serving options of a DJL model on `engine`, from its code directory's `file_props` and the
    settings given outside it (`environment_image`: see `DjlServing`)."""
    given = owned_properties(
        engine,
        tensor_parallel_degree=tensor_parallel_degree,
        weights=weights,
        max_batch_size=batching.max_batch_size if batching else None,
        max_batch_delay_ms=batching.max_batch_delay_ms if batching else None,
        extra=extra,
    )
    merged, conflicts = merge_properties(engine, file_props, given)
    return DjlServing(dict(file_props), given, merged, conflicts, environment_image)
