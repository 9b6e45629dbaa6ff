"""Which image versions the DJL facts cover: those whose djl-serving source was read (`sources.REFS`).

The SageMaker SDK's data (facts/sdk_images.json) may list a newer image than the djl-serving source
these facts were built from. Such a version is usable, but what it loads and accepts is not known
here: callers say so ("not checked") instead of checking it against an older version's facts.
"""

from __future__ import annotations

from collections.abc import Mapping

from llm_hosting.facts.djl.sources import REFS, version_key
from llm_hosting.facts.images import ENGINES

DEFAULT_DJL_ENGINE: Mapping[str, str] = {
    "fastertransformer": "FasterTransformer",
    "lmi": "Python",
    "tensorrt-llm": "MPI",
}
"""The catalog engines that run on DJL Serving (in the order messages list them), each with the DJL
`engine=` it runs on by default: what the library writes when serving.properties names none."""

DJL_ENGINES = tuple(DEFAULT_DJL_ENGINE)
"""Catalog engines that run on DJL Serving."""


def sourced(version: str) -> bool:
    """Whether the djl-serving source of this image version was read."""
    return version in REFS


def unsourced_reason(engine: str, version: str) -> str | None:
    """Why an image version of a DJL engine is not covered by the facts, or None when it is."""
    if engine not in DJL_ENGINES or version not in ENGINES[engine].versions or sourced(version):
        return None
    newest = max(REFS, key=version_key)
    return (
        f"{engine} {version} is newer than the djl-serving sources the engine facts were read from (up to "
        f"{newest}), so what it loads and which options it takes are not checked"
    )


def sourced_versions(engine: str) -> list[str]:
    """The image versions of a DJL engine that the facts cover, oldest first."""
    return sorted((v for v in ENGINES[engine].versions if sourced(v)), key=version_key)
