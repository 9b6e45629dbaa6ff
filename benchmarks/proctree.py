"""The processes under this one and their peak memory, read from /proc (Linux, standard library only).

Shared by the benchmarks' measured processes: a synthesis starts jsii's node processes under the
Python app, and their peaks are only readable while they still run.
"""

from __future__ import annotations

import collections
import os
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
