"""The default catalog's assembly passes preflight and CloudFormation's limits with nothing to report."""

from __future__ import annotations

from collections import Counter

from llm_hosting.assembly import read_assembly
from llm_hosting.limits import check_limits
from llm_hosting.preflight import CHECKED_TYPES, preflight
from tests.synth import Synthesized


def test_the_default_assembly_passes_preflight(default_synth: Synthesized) -> None:
    assert [str(problem) for problem in preflight(default_synth.outdir)] == []


def test_the_default_assembly_has_every_checked_resource_type(default_synth: Synthesized) -> None:
    # A clean preflight means something only if the assembly holds what preflight checks.
    kinds = Counter(
        resource["Type"] for stack in read_assembly(default_synth.outdir) for resource in stack.resources.values()
    )
    assert {kind for kind in CHECKED_TYPES if kinds[kind] == 0} == set()


def test_the_region_pinned_default_assembly_passes_preflight(regional_synth: Synthesized) -> None:
    # With a concrete region the image URIs are literal strings, so they meet the full image checks.
    assert [str(problem) for problem in preflight(regional_synth.outdir)] == []


def test_the_default_assembly_is_within_cloudformation_limits(default_synth: Synthesized) -> None:
    assert [str(problem) for problem in check_limits(default_synth.outdir)] == []
