"""checkov (CloudFormation checks, offline) on every synthesized template: nothing fails, and every
skip is recorded on its resource with the reason."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.synth import ROOT, Synthesized

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
# Skips the project records on purpose (each with its reason on the resource); a new kind belongs in review.
SKIPPABLE = {"CKV_AWS_18", "CKV_AWS_117", "CKV_AWS_173", "CKV_AWS_370"}


def checkov(directory: Path) -> dict[str, object]:
    if not CHECKOV.exists():
        pytest.fail("checkov is missing: run `make test` (it installs .venv-checkov)")
    result = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(directory),
            "--framework",
            "cloudformation",
            "--skip-download",
            "--quiet",
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    (cloudformation,) = [r for r in reports if r.get("check_type") == "cloudformation"]
    return cloudformation


# The region-pinned assembly differs from the default one only in literal ARNs and image URIs, which
# checkov's CloudFormation checks do not look at; cfn-lint checks it in its region.
@pytest.mark.parametrize("scenario", ["default_synth", "full_strength_synth"])
def test_checkov_finds_nothing_to_fix(scenario: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(scenario)
    report = checkov(synthesized.outdir)
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > (20 if scenario == "full_strength_synth" else 50)
    failed = [(f["check_id"], f["resource"]) for f in report["results"]["failed_checks"]]
    assert failed == []


def test_every_checkov_skip_says_why(default_synth: Synthesized) -> None:
    skips = [
        (name, logical_id, skip)
        for name, template in default_synth.templates.items()
        for logical_id, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips, "no skips found: the metadata format may have changed"
    for name, logical_id, skip in skips:
        assert skip["id"] in SKIPPABLE, (name, logical_id, skip)
        assert len(skip["comment"]) >= 40, (name, logical_id, skip)


def test_every_lint_ignore_says_why(default_synth: Synthesized) -> None:
    for name, template in default_synth.templates.items():
        for logical_id, resource in template["Resources"].items():
            config = resource.get("Metadata", {}).get("cfn-lint", {}).get("config", {})
            for rule in config.get("ignore_checks", []):
                assert len(config.get("ignore_reasons", {}).get(rule, "")) >= 40, (name, logical_id, rule)
