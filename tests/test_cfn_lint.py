"""cfn-lint (CloudFormation's own resource schemas) finds nothing in any synthesized template."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file

from tests.synth import Synthesized

# Every region the stacks may be deployed to is checked, not just us-east-1.
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"]


def lint(outdir: Path, regions: list[str] = REGIONS) -> list[str]:
    findings: list[str] = []
    for template in sorted(outdir.glob("*.template.json")):
        for match in lint_file(template, ManualArgs(regions=regions)):
            findings.append(f"{template.name}: {match}")
    return findings


# An environment-agnostic assembly may go to any region; one pinned to a region goes there alone.
@pytest.mark.parametrize(
    ("scenario", "regions"),
    [("default_synth", REGIONS), ("regional_synth", ["eu-west-1"]), ("full_strength_synth", REGIONS)],
)
def test_cfn_lint_reports_no_errors_and_no_warnings(
    scenario: str, regions: list[str], request: pytest.FixtureRequest
) -> None:
    synthesized: Synthesized = request.getfixturevalue(scenario)
    assert list(synthesized.outdir.glob("*.template.json")), "nothing was synthesized"
    assert lint(synthesized.outdir, regions) == []
