"""Small catalogs with inference-component endpoints, as data, for the planner's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from llm_hosting.catalog import LoadedCatalog
from llm_hosting.catalog.resolve import effective_instance_types, resolve_endpoints
from llm_hosting.catalog.schema import Catalog


def component(
    name: str,
    *,
    accelerators: int = 1,
    memory_mb: int = 32768,
    cpu_cores: float | None = 4,
    copies: Any = None,
    compute_by_instance_type: dict[str, dict[str, Any]] | None = None,
    adapters: int = 0,
) -> dict[str, Any]:
    """A component; `adapters` LoRA adapters named `<name>-lora-<k>` ride on it."""
    data: dict[str, Any] = {
        "name": name,
        "model": {"engine": "lmi", "weights": f"s3://example-weights/{name}/"},
        "accelerators": accelerators,
        "memory_mb": memory_mb,
        "copies": copies or {"initial": 1, "min": 1, "max": 2},
    }
    if cpu_cores is not None:
        data["cpu_cores"] = cpu_cores
    if compute_by_instance_type:
        data["compute_by_instance_type"] = compute_by_instance_type
    if adapters:
        data["adapters"] = [
            {"name": f"{name}-lora-{k}", "weights": f"s3://example-weights/adapters/{name}/{k}.tar.gz"}
            for k in range(1, adapters + 1)
        ]
    return data


def endpoint(
    name: str = "shared",
    *,
    instance_type: str = "ml.p4d.24xlarge",
    components: list[dict[str, Any]] | None = None,
    instance_count: dict[str, int] | None = None,
    instance_pools: list[str] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "type": "inference-components",
        "instance_type": instance_type,
        "instance_count": instance_count or {"initial": 2, "min": 1, "max": 4},
        "components": components or [component(f"{name}-a")],
    }
    if instance_pools:
        data["instance_pools"] = instance_pools
    return data


def catalog(*endpoints: dict[str, Any], planning: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"project": "plan", "endpoints": list(endpoints) or [endpoint()]}
    if planning is not None:
        data["planning"] = planning
    return data


def write(tmp_path: Path, data: dict[str, Any], name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def unchecked(data: dict[str, Any], path: str = "catalog.yaml") -> LoadedCatalog:
    """A catalog that passed the schema only: what the planner sees, whatever the rules say today."""
    spec = Catalog.model_validate(data)
    instance_types, problems = effective_instance_types(spec)
    assert not problems, problems
    endpoints = resolve_endpoints(spec, instance_types, Path(path).resolve().parent)
    return LoadedCatalog(path=Path(path), spec=spec, endpoints=endpoints, instance_types=instance_types)
