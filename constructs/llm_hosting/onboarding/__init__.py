"""Model onboarding: stage a Hugging Face model's weights into S3 (`stage`) and check a catalog before a
deploy (`check`).

The command modules import `huggingface_hub` and `ruamel.yaml` (the `cli` extra) only when they run, so
importing the library stays light.
"""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm  # type: ignore[import-untyped]


class OnboardingError(Exception):
    """Input `stage` or `check` cannot work with; `str()` is one line naming the argument and the fix."""


def size_text(n: int) -> str:
    """Bytes for people: `512 B`, `676.7 KiB`, `10.5 MiB`."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def byte_bar(total: int, desc: str) -> Any:
    """A progress bar in bytes (KiB, MiB, ...) on stderr that goes away when done; `update(n)` adds n bytes.

    disable=None: no bar when stderr is not a terminal (CI logs, pipes).
    """
    return tqdm(
        total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, disable=None, leave=False
    )
