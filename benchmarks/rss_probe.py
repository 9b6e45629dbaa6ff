"""Run a CDK app script as `python SCRIPT ARGS...` would, then record the peak memory of its processes.

    cdk synth --app "python benchmarks/rss_probe.py FIGURES.json app.py"

After the script's top level returns (or exits), while jsii's node processes still run, writes
FIGURES.json: the Python process's peak RSS (`ru_maxrss`) and the VmHWM of every process under it
(the node launcher, `jsii-runtime.js` and the kernel, `program.js`). Standard library only, so it
runs under any app's interpreter; it adds a `runpy` call and two /proc reads to the app's run.
"""

from __future__ import annotations

import json
import resource
import runpy
import sys
from pathlib import Path

from proctree import peak_rss_of_children


def main() -> None:
    figures, script, *args = sys.argv[1:]
    sys.argv = [script, *args]
    sys.path[0] = str(Path(script).resolve().parent)  # as `python SCRIPT` puts the script's folder first
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        # Read before the interpreter's exit handlers stop the jsii kernel: its peak is gone after.
        peaks = {
            "python_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # KiB on Linux
            "children": peak_rss_of_children(),
        }
        Path(figures).write_text(json.dumps(peaks), encoding="utf-8")


if __name__ == "__main__":
    main()
