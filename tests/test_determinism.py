"""Synthesis is deterministic: the same catalog gives byte-identical templates and assets, so a
snapshot or review diff shows only real changes."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

from tests.synth import ROOT, Synthesized

SCRIPT = """
import sys
from pathlib import Path
from tests.synth import ROOT, synthesize
synthesize(ROOT / "catalog.yaml", Path(sys.argv[1]))
"""


def _files(directory: Path) -> dict[str, Path]:
    return {str(p.relative_to(directory)): p for p in sorted(directory.rglob("*")) if p.is_file()}


def test_two_processes_synthesize_byte_identical_assemblies(default_synth: Synthesized, tmp_path: Path) -> None:
    # A second, separate process with another hash seed (the test session's seed is random).
    outdir = tmp_path / "second"
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run([sys.executable, "-c", SCRIPT, str(outdir)], cwd=ROOT, env=env, check=True, timeout=600)

    first, second = _files(default_synth.outdir), _files(outdir)
    assert sorted(first) == sorted(second)
    templates = [name for name in first if name.endswith(".template.json")]
    archives = [name for name in first if name.endswith(".tar.gz")]
    assert len(templates) == 7 and len(archives) == 4  # the models with serving code: 3 CodeGen, FLAN
    different = [name for name in first if not filecmp.cmp(first[name], second[name], shallow=False)]
    assert different == []
