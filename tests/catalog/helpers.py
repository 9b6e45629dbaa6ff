"""Build small catalogs in tests: a valid base, changed one field at a time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from llm_hosting.catalog import CatalogError, LoadedCatalog, load_catalog
from tests.synth import ROOT

FLAN_CODE = str(ROOT / "model_artifacts" / "flan-t5-xxl")

BASE: dict[str, Any] = {
    "project": "test",
    "endpoints": [
        {
            "name": "flan",
            "type": "single-model",
            "instance_type": "ml.g5.12xlarge",
            "instance_count": {"initial": 2, "min": 2, "max": 4},
            "startup": {"download_timeout_s": 600, "health_check_timeout_s": 600},
            "model": {
                "engine": "fastertransformer",
                "version": "0.21.0",
                "code": FLAN_CODE,
                "weights": "s3://example-weights/flan-t5-xxl/",
                "tensor_parallel_degree": 4,
            },
            "scaling": {"invocations_per_instance": 100},
        }
    ],
}


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def write(tmp_path: Path, data: Any, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def load(tmp_path: Path, data: Any) -> LoadedCatalog:
    return load_catalog(write(tmp_path, data))


def errors(tmp_path: Path, data: Any, **kwargs: Any) -> list[str]:
    """The one-line problems a catalog produces ([] when it is valid)."""
    path = write(tmp_path, data)
    try:
        load_catalog(path, **kwargs)
    except CatalogError as err:
        return str(err).splitlines()
    return []


def single_error(tmp_path: Path, data: Any, **kwargs: Any) -> str:
    found = errors(tmp_path, data, **kwargs)
    assert len(found) == 1, found
    return found[0]
