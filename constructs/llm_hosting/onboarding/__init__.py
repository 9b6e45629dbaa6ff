"""Model onboarding: stage a Hugging Face model's weights into S3 (`stage`) and check a catalog before a
deploy (`check`).

The command modules import `huggingface_hub` and `ruamel.yaml` (the `cli` extra) only when they run, so
importing the library stays light.
"""

from __future__ import annotations


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
