"""Model onboarding: stage a Hugging Face model's weights into S3 (`stage`) and check a catalog before a
deploy (`check`).

The command modules import `huggingface_hub` and `ruamel.yaml` (the `cli` extra) only when they run, so
importing the library stays light.
"""

from __future__ import annotations


class OnboardingError(Exception):
    """Input `stage` or `check` cannot work with; `str()` is one line naming the argument and the fix."""
