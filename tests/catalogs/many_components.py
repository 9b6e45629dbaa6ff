"""Generate a catalog with N inference components (for sharding tests and the scale benchmark)."""

from __future__ import annotations

from typing import Any


def many_components_catalog(count: int, *, project: str = "big", endpoint: str = "shared") -> dict[str, Any]:
    """N components on one ml.p4d.24xlarge endpoint, each able to scale to zero (the most resources)."""
    components = [
        {
            "name": f"model-{i:04d}",
            "model": {"engine": "lmi", "version": "0.32.0", "weights": f"s3://example-weights/m{i:04d}/"},
            "accelerators": 1,
            "memory_mb": 4096,
            "cpu_cores": 1,
            "copies": {"initial": 0, "min": 0, "max": 2},
            "scaling": {"invocations_per_copy": 5},
        }
        for i in range(count)
    ]
    return {
        "project": project,
        "endpoints": [
            {
                "name": endpoint,
                "type": "inference-components",
                "instance_type": "ml.p4d.24xlarge",
                "instance_count": {"initial": 1, "min": 0, "max": 40},
                "components": components,
            }
        ],
    }
