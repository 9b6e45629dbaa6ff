"""Work started as soon as collection finds the tests that read it, and read when those tests run.

`RUNS` maps a fixture's name to its background work: anything with `start`, `result` and `stop`.
The root conftest starts the work of every fixture a selected test uses, runs those tests last and
stops the work when the session ends; the fixture returns `result()`, which waits for it.

A benchmark's smoke run (`benchmarks/synth_scale.py`, `benchmarks/peer_bench.py` at a tiny size) is a
few CDK synths in subprocesses: seconds of work that needs nothing from the test process. Started at
collection under `nice 10`, it uses the core the rest of the suite leaves idle. The Triton deployment
(tests/triton/conftest.py) registers itself here the same way.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tests.synth import ROOT


class Background(Protocol):
    """Work a fixture reads: started at collection, waited for by `result`, stopped at the session's end."""

    def start(self) -> object: ...

    def result(self) -> Any: ...

    def stop(self) -> None: ...


@dataclass
class BackgroundRun:
    """`command --json FIGURES`, run from the repository root; its stdout and the figures it wrote."""

    command: list[str]
    timeout_s: float = 600
    _workdir: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)
    _process: subprocess.Popen[str] | None = field(default=None, repr=False)
    _done: tuple[str, dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def figures(self) -> Path:
        assert self._workdir is not None, "start() first"
        return Path(self._workdir.name) / "figures.json"

    def start(self) -> BackgroundRun:
        self._workdir = tempfile.TemporaryDirectory(prefix="background-run-")
        self._process = subprocess.Popen(
            ["nice", "-n", "10", *self.command, "--json", str(self.figures)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return self

    def result(self) -> tuple[str, dict[str, Any]]:
        """(printed output, the --json figures); a failed run fails the caller with its output's end."""
        if self._done is None:
            if self._process is None:
                self.start()
            assert self._process is not None
            output, _ = self._process.communicate(timeout=self.timeout_s)
            assert self._process.returncode == 0, (
                f"{' '.join(self.command)} exited {self._process.returncode}:\n" + (output[-6000:])
            )
            self._done = (output, json.loads(self.figures.read_text(encoding="utf-8")))
        return self._done

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._workdir is not None:
            self._workdir.cleanup()


TINY_SIZE = 3  # inference components in the synth_scale.py smoke run

# The runs, by the name of the fixture that reads them.
RUNS: dict[str, Background] = {
    # One run of each app at TINY_SIZE components.
    "tiny_run": BackgroundRun(
        [sys.executable, str(ROOT / "benchmarks" / "synth_scale.py"), "--sizes", str(TINY_SIZE), "--repeat", "1"],
        timeout_s=300,
    ),
    # `peer_bench.py --only ic` at 2 components, 1 round, through the CDK CLI (the peer is not needed).
    "ic_run": BackgroundRun(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "peer_bench.py"),
            "--only",
            "ic",
            "--components",
            "2",
            "--rounds",
            "1",
        ]
    ),
}
