"""Every stack of the default catalog, as a reviewable JSON snapshot.

After an intended change: `.venv/bin/pytest tests/test_snapshots.py --snapshot-update`, then review
the diff of tests/__snapshots__/ like any other code change.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.synth import Synthesized

DEFAULT_STACKS = [
    "llm-hosting-artifacts",
    "llm-hosting-autocomplete",
    "llm-hosting-code-assist",
    "llm-hosting-code-assist-base-adapters",
    "llm-hosting-codegen",
    "llm-hosting-embeddings",
    "llm-hosting-flan-t5-xxl",
]


def test_the_default_catalog_makes_exactly_these_stacks(default_synth: Synthesized) -> None:
    assert sorted(default_synth.templates) == sorted(DEFAULT_STACKS)


@pytest.mark.parametrize("stack", DEFAULT_STACKS)
def test_stack_matches_snapshot(default_synth: Synthesized, stack: str, snapshot_json: SnapshotAssertion) -> None:
    assert default_synth.template(stack) == snapshot_json
