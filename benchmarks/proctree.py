"""The processes under this one and their peak memory, read from /proc (Linux, standard library only),
and one measured run of a command.

Shared by the benchmarks' measured processes: a synthesis starts jsii's node processes under the
Python app, and their peaks are only readable while they still run. `measured_run` is the parent's
side: both benchmarks time a fresh process, and its whole tree's CPU time, the same way.
"""

from __future__ import annotations

import collections
import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def child_processes(pid: int) -> list[int]:
    """Every descendant of `pid`, by walking the parent ids in /proc/<pid>/stat."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry))
    found, todo = [], list(children[pid])
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children[child])
    return sorted(found)


def peak_rss_of_children() -> list[dict[str, Any]]:
    """VmHWM (peak resident set) of every descendant: the jsii launchers and the node kernel."""
    peaks = []
    for pid in child_processes(os.getpid()):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if "VmHWM" in fields:
            peaks.append({"pid": pid, "cmd": cmdline.strip()[:160], "hwm_kib": int(fields["VmHWM"].split()[0])})
    return peaks


@dataclass(frozen=True)
class Measured:
    """When a measured process started and exited (time.monotonic()) and the CPU time of its tree."""

    started: float
    exited: float
    cpu_s: float
    """User + system time of the process and every descendant it waited for (os.wait4's rusage)."""

    @property
    def wall_s(self) -> float:
        return self.exited - self.started


def measured_run(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    produces: Path,
    failure: Callable[[int], str],
    tail_chars: int = 4000,
) -> Measured:
    """Run `command` with its output in `log`; its wall time and CPU time. Raises SystemExit with
    `failure(exit status)` and the log's last `tail_chars` characters when it fails or does not
    write `produces` (its figures)."""
    with log.open("wb") as output:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        exited = time.monotonic()
    process.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0 or not produces.exists():
        tail = log.read_text(errors="replace")[-tail_chars:]
        raise SystemExit(f"{failure(code)}; its output ends:\n{tail}")
    return Measured(started, exited, usage.ru_utime + usage.ru_stime)
