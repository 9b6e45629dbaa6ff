"""The app through the real CDK CLI, as `make synth` and a GitOps job run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.synth import ROOT

CDK = ROOT / "node_modules" / ".bin" / "cdk"


def cdk(*args: str, outdir: Path) -> subprocess.CompletedProcess[str]:
    if not CDK.exists():
        pytest.fail("the CDK CLI is missing: run `make test` (it installs node_modules)")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for variable in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(variable, None)  # synthesis needs no credentials
    return subprocess.run(
        [str(CDK), "synth", "--no-notices", "--quiet", "--output", str(outdir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_make_synths_command_takes_another_catalog_and_lists_the_stacks_it_wrote(tmp_path: Path) -> None:
    result = cdk("-c", "catalog=tests/catalogs/minimal.yaml", "-c", "list_stacks=true", outdir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.template.json")) == [
        "mini-artifacts.template.json",
        "mini-small-llm.template.json",
    ]
    listed = [line.split() for line in result.stderr.splitlines() if line.startswith("mini-")]
    assert [(row[0], row[2], row[-1]) for row in listed] == [
        ("mini-artifacts", "resources", str(tmp_path / "mini-artifacts.template.json")),
        ("mini-small-llm", "resources", str(tmp_path / "mini-small-llm.template.json")),
    ]
    assert [int(row[1]) for row in listed] == [
        len(json.loads((tmp_path / f"{row[0]}.template.json").read_text())["Resources"]) for row in listed
    ]
    # No deprecation notices, Node version warnings or other banners.
    assert "WARNING" not in result.stderr and "!!" not in result.stderr, result.stderr


def test_a_bad_catalog_stops_synthesis_with_one_line_and_writes_no_templates(tmp_path: Path) -> None:
    result = cdk("-c", "catalog=tests/catalogs/bad-tensor-parallel.yaml", outdir=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert (
        "tests/catalogs/bad-tensor-parallel.yaml: endpoints[0].model.tensor_parallel_degree: "
        "8 needs 8 GPUs but ml.g5.12xlarge has 4; lower it or choose an instance type with more GPUs (line 10)"
    ) in result.stderr
    assert list(tmp_path.glob("*.template.json")) == []
