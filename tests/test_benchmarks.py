"""The synthesis benchmark runs end to end at a tiny size and compares like with like."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.synth import ROOT

SIZE = 3


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """One run of each app at 3 components: (printed output, the --json figures)."""
    figures = tmp_path_factory.mktemp("synth-scale") / "figures.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "synth_scale.py"), "--sizes", str(SIZE), "--repeat", "1"]
    done = subprocess.run(
        [*command, "--json", str(figures)], capture_output=True, text=True, timeout=300, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout, json.loads(figures.read_text())


def _row(stdout: str, label: str) -> list[str]:
    line = next(line for line in stdout.splitlines() if line.startswith(label))
    return line[len(label) :].split()


def test_the_table_shows_both_apps_and_their_ratio(tiny_run: tuple[str, dict[str, Any]]) -> None:
    stdout, _ = tiny_run
    header = next(line for line in stdout.splitlines() if "app / baseline" in line)
    assert "app median" in header
    assert "baseline median" in header
    for label in ("wall time, process start to exit (s)", "peak RSS, Python process (MiB)"):
        app_median, _, baseline_median, _, ratio = (float(cell) for cell in _row(stdout, label))
        assert app_median > 0
        assert baseline_median > 0
        assert ratio == pytest.approx(app_median / baseline_median, rel=0.02)


def test_both_apps_synthesize_the_same_resources_per_type(tiny_run: tuple[str, dict[str, Any]]) -> None:
    stdout, figures = tiny_run
    result = figures["sizes"][str(SIZE)]
    app, baseline = result["app"]["output"], result["baseline"]["output"]
    assert app["resource_types"] == baseline["resource_types"]
    assert app["resource_types"]["AWS::SageMaker::InferenceComponent"] == SIZE
    assert (app["stacks"], app["file_assets"]) == (baseline["stacks"], baseline["file_assets"])
    assert result["mismatches"] == []
    assert "MISMATCH" not in stdout


def test_every_run_reports_time_and_memory_of_both_processes(tiny_run: tuple[str, dict[str, Any]]) -> None:
    _, figures = tiny_run
    for subject in ("app", "baseline"):
        (run,) = figures["sizes"][str(SIZE)][subject]["runs"]
        assert run["wall_s"] > run["synth_s"] > 0
        assert run["python_peak_mib"] > 0
        assert run["node_peak_mib"] > 0
        assert run["jsii_requests"] > 0
