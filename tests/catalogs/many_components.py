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


def many_adapters_catalog(count: int, *, project: str = "tenants", base: str = "coder") -> dict[str, Any]:
    """One LoRA-capable base component carrying N per-customer adapters, on an alarmed endpoint (the
    most resources per adapter: its component and its errors alarm)."""
    return {
        "project": project,
        "endpoints": [
            {
                "name": "assist",
                "type": "inference-components",
                "instance_type": "ml.g5.12xlarge",
                "instance_count": {"initial": 1, "min": 1, "max": 2},
                "components": [
                    {
                        "name": base,
                        "model": {
                            "engine": "lmi",
                            "version": "0.32.0",
                            "weights": "s3://example-weights/coder/",
                            "properties": {"option.rolling_batch": "vllm", "option.enable_lora": "true"},
                        },
                        "memory_mb": 32768,
                        "copies": {"initial": 1, "min": 1, "max": 4},
                        "adapters": [
                            {
                                "name": f"{base}-customer-{i:04d}",
                                "weights": f"s3://example-weights/adapters/c{i:04d}.tar.gz",
                            }
                            for i in range(count)
                        ],
                    }
                ],
            }
        ],
    }
