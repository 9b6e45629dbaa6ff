"""Can a DJL engine version load a Hugging Face `model_type` on the path its serving.properties select?

`architecture_problem` answers with None or one line naming the fix: the first version (and the
settings) that loads it. The facts themselves are in `architecture_data.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from llm_hosting.facts.djl.architecture_data import AUTO_LMI_DIST_TYPES, AUTO_ROLLING_BATCH, PATHS, ServingPath
from llm_hosting.facts.djl.coverage import DEFAULT_DJL_ENGINE, DJL_ENGINES, sourced_versions, unsourced_reason
from llm_hosting.facts.djl.sources import version_key


class UnknownEngineVersion(ValueError):
    """The engine is not a DJL engine, or the version is not an image the library knows."""


@dataclass(frozen=True)
class Support:
    """How one engine version, on one path, stands with one architecture."""

    path: ServingPath
    loads: bool
    confirmed: bool


def versions(engine: str) -> list[str]:
    """The image versions of a DJL engine that the facts cover, oldest first."""
    if engine not in DJL_ENGINES:
        raise UnknownEngineVersion(f"'{engine}' is not a DJL engine; use one of {', '.join(DJL_ENGINES)}")
    return sourced_versions(engine)


def check_version(engine: str, version: str) -> None:
    """Refuse an engine that does not run on DJL, a version with no image, or one the facts do not cover."""
    known = versions(engine)
    if version in known:
        return
    reason = unsourced_reason(engine, version)
    if reason is not None:
        raise UnknownEngineVersion(reason)
    raise UnknownEngineVersion(f"{engine} has no image version '{version}'; use one of {', '.join(known)}")


def _paths(engine: str, version: str) -> list[ServingPath]:
    return [p for p in PATHS if p.engine == engine and version in p.versions]


def selected_path(engine: str, version: str, properties: Mapping[str, str], architecture: str | None = None) -> str:
    """The path the properties select: DJL `engine=` for FasterTransformer, the rolling-batch backend otherwise."""
    check_version(engine, version)
    if engine == "fastertransformer":
        return properties.get("engine", DEFAULT_DJL_ENGINE[engine])
    if engine == "tensorrt-llm":
        return "trtllm" if properties.get("option.rolling_batch", "auto") in ("auto", "trtllm") else "disable"
    backend = properties.get("option.rolling_batch", "auto")
    if backend == "auto":
        if properties.get("batch_size", "1") not in ("", "1"):
            return "disable"  # LmiConfigRecommender: dynamic batching turns rolling batch off
        if version in AUTO_LMI_DIST_TYPES and architecture is not None:
            return "lmi-dist" if architecture in AUTO_LMI_DIST_TYPES[version] else "scheduler"
        return AUTO_ROLLING_BATCH[version][0]
    return backend


def path_problem(engine: str, version: str, properties: Mapping[str, str]) -> str | None:
    """None when the serving path the properties select exists in `engine` `version`; else one line with
    the paths it has and, for a path that exists in a later version, the first such version."""
    chosen = selected_path(engine, version, properties)
    if chosen == "scheduler" or any(p.path == chosen for p in _paths(engine, version)):
        return None  # `scheduler` is only `auto` without a known architecture: support() decides with one
    what = "engine" if engine == "fastertransformer" else "option.rolling_batch"
    available = ", ".join(sorted({p.path for p in _paths(engine, version)}))
    later = sorted(
        {v for p in PATHS if p.engine == engine and p.path == chosen for v in p.versions if v in versions(engine)},
        key=version_key,
    )
    fix = f"set {what} to one of them" + (f", or use {engine} {later[0]} or later for '{chosen}'" if later else "")
    return f"{engine} {version} has no '{chosen}' path ({what}={chosen}; it has {available}); {fix}"


def support(engine: str, version: str, architecture: str, *, properties: Mapping[str, str]) -> Support | None:
    """How the path the properties select stands with `architecture`; None when that path does not exist there."""
    chosen = selected_path(engine, version, properties, architecture)
    for path in _paths(engine, version):
        if path.path != chosen:
            continue
        if path.any_transformers_model:
            return Support(path, loads=True, confirmed=False)
        if architecture in path.confirmed:
            return Support(path, loads=True, confirmed=True)
        return Support(path, loads=architecture in path.unconfirmed, confirmed=False)
    return None


def _loading_paths(engine: str, architecture: str) -> list[tuple[str, ServingPath]]:
    found = [
        (version, path)
        for path in PATHS
        if path.engine == engine and not path.any_transformers_model
        for version in path.versions
        if architecture in path.confirmed
    ]
    return sorted(found, key=lambda item: version_key(item[0]))


def first_version_loading(engine: str, architecture: str) -> str | None:
    """The first image version of `engine` whose sources confirm it loads `architecture` (on any path)."""
    versions(engine)  # refuses engines that do not run on DJL
    found = _loading_paths(engine, architecture)
    return found[0][0] if found else None


def _settings(path: ServingPath) -> str:
    return " and ".join(f"{key}={value}" for key, value in path.settings.items())


def _fix(engine: str, version: str, architecture: str) -> str:
    """Where `architecture` loads instead: a later (or same) version of the engine, with its settings."""
    every = _loading_paths(engine, architecture)
    later = [(v, p) for v, p in every if version_key(v) >= version_key(version)]
    if not every:
        others = sorted(
            {
                p.engine
                for p in PATHS
                if p.engine != engine and architecture in p.confirmed and not p.any_transformers_model
            }
        )
        elsewhere = f"; {' or '.join(others)} can" if others else ""
        return f"no {engine} version known to this library loads {architecture}{elsewhere}"
    if not later:
        last_version, path = every[-1]
        return f"{engine} {last_version} is the last version that loads it, with {_settings(path)}"
    first_version, path = later[0]
    extra = ""
    if engine == "fastertransformer" and architecture == "llama":
        extra = " (and option.trust_remote_code=true for models with custom code, such as CodeGen 2.5's tokenizer)"
    same = " instead" if first_version == version else ""
    return f"{engine} {first_version} loads it with {_settings(path)}{same}{extra}"


def architecture_problem(engine: str, version: str, architecture: str, *, properties: Mapping[str, str]) -> str | None:
    """None when `engine` `version` loads `architecture` on the path `properties` select; else one line with the fix.

    An architecture the sources list only as unconfirmed for that path counts as loading (None); `support`
    tells the two apart. Without `engine` (FasterTransformer) or `option.rolling_batch` (LMI) in the
    properties, the defaults apply: engine=FasterTransformer, and what `auto` resolves to.
    """
    chosen = selected_path(engine, version, properties, architecture)
    found = support(engine, version, architecture, properties=properties)
    if found is not None and found.loads:
        return None
    if found is None:
        available = ", ".join(sorted({p.path for p in _paths(engine, version)}))
        what = "engine" if engine == "fastertransformer" else "option.rolling_batch"
        return (
            f"{engine} {version} has no '{chosen}' path for models ({what} selects it; known: {available}); "
            f"{_fix(engine, version, architecture)}"
        )
    known = ", ".join(sorted(found.path.confirmed))
    if found.path.unconfirmed:
        known += f" (unconfirmed: {', '.join(sorted(found.path.unconfirmed))})"
    return (
        f"{engine} {version} ({found.path.path} path, {found.path.runtime}) cannot load {architecture}: "
        f"it loads {known}; {_fix(engine, version, architecture)}"
    )
