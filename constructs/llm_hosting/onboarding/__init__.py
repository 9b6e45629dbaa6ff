"""Model onboarding: stage a Hugging Face model's weights into S3 (`stage`) and check a catalog before a
deploy (`check`).

The command modules import `huggingface_hub` and `ruamel.yaml` (the `cli` extra) only when they run, so
importing the library stays light.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


class OnboardingError(Exception):
    """Input `stage` or `check` cannot work with; `str()` is one line naming the argument and the fix."""


def one_line_errors(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a command; an OnboardingError becomes its line on stderr and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except OnboardingError as err:
            print(err, file=sys.stderr)
            return 1

    return run


def size_text(n: int) -> str:
    """Bytes for people: `512 B`, `676.7 KiB`, `10.5 MiB`."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
