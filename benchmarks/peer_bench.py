"""Synthesis speed through `cdk synth`: this project against the best peer, L1 apps and the floor.

    .venv/bin/python benchmarks/peer_bench.py [--rounds 5] [--only peer|ic|default ...] [--cfn-lint]
                                              [--endpoints 100] [--components 1000] [--json FILE] [--keep]

Three comparisons, each its apps interleaved (round robin, a fresh `cdk synth` per run), all through
the project's CDK CLI with the project's cdk.json feature flags and the venv's Node on PATH:

- `peer`: N single-model LMI endpoints (default 100) from this project's catalog, against the same
  endpoints as the peer's `CustomSageMakerEndpoint` (cdklabs generative-ai-cdk-constructs 0.1.320,
  in its own venv, benchmarks/.peer-venv, created on first use), and against the floor (one bucket);
- `ic`: this project with N inference components (default 1,000; synth_scale.py's catalog) against
  an L1 app with the same number of resources in the same number of stacks (`apps/l1_minimal.py`)
  and the same-output L1 app (`l1_baseline.py`);
- `default`: the default catalog, as `make synth` runs it, against the floor.

Prints medians (min-max), ratios, resources and stacks, peak RSS, optionally cfn-lint findings,
then the targets next to the measured figures. It reports and does not gate: the exit status is 0
whatever the figures (1 only when an app fails to synthesize or the peer cannot be installed).
What each figure means: benchmarks/README.md.
"""

# ruff: noqa: PLC0415 - cfn-lint is imported only when asked for.

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import peer_apps
import synth_scale
from proctree import measured_run

ROOT = synth_scale.ROOT
BENCHMARKS = ROOT / "benchmarks"
CDK = ROOT / "node_modules" / ".bin" / "cdk"
VENV_BIN = Path(sys.executable).parent
PEER_VENV = BENCHMARKS / ".peer-venv"
PEER_REQUIREMENTS = BENCHMARKS / "peer-requirements.txt"
PEER_PACKAGE = "cdklabs.generative-ai-cdk-constructs"
GROUPS = ("peer", "ic", "default")
VALIDATION = ["as-shipped"]
"""--cdk-validation, for every run (see synth_scale.VALIDATION_MODES)."""
KIB_PER_MIB = 1024
"""/proc and getrusage give peaks in KiB; the tables show MiB."""


@dataclass
class Subject:
    """One app: the folder the CLI runs in (its cdk.json), the interpreter and the script."""

    key: str
    label: str
    directory: Path
    python: Path
    script: Path


@dataclass(frozen=True)
class Target:
    label: str
    subject: str
    against: str
    limit: float
    kind: str  # "ratio": subject / against <= limit; "excess": subject - against <= limit seconds (wall time)


@dataclass
class Group:
    key: str
    title: str
    subjects: list[Subject]
    ratios: list[str]
    floor: str | None
    targets: list[Target]
    check: Callable[[Mapping[str, dict[str, Any]]], list[str]] | None = None
    prepare: Callable[[Subject, Mapping[str, dict[str, Any]]], None] | None = None
    """Called before a subject's first run with the first runs so far (the minimal L1 app's count)."""


# --- the peer's venv -----------------------------------------------------------------------------


def _run_quietly(command: list[str], what: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-1:])
        raise SystemExit(f"{what} failed (exit {done.returncode}): {tail}")
    return done.stdout.strip()


def peer_python() -> Path:
    """The peer venv's Python, created (once, again when peer-requirements.txt changes) with the
    pinned peer and the project's aws-cdk-lib, which must be exactly the project's."""
    python = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / ".installed"
    wanted = hashlib.sha256(PEER_REQUIREMENTS.read_bytes()).hexdigest()
    if not (python.exists() and marker.exists() and marker.read_text(encoding="utf-8") == wanted):
        print(f"creating {PEER_VENV.relative_to(ROOT)} from {PEER_REQUIREMENTS.relative_to(ROOT)} ...", flush=True)
        _run_quietly([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], f"python -m venv {PEER_VENV}")
        _run_quietly(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(PEER_REQUIREMENTS),
            ],
            f"pip install -r {PEER_REQUIREMENTS.relative_to(ROOT)} into {PEER_VENV.relative_to(ROOT)}",
        )
        marker.write_text(wanted, encoding="utf-8")
    installed = _run_quietly(
        [str(python), "-c", "from importlib.metadata import version; print(version('aws-cdk-lib'))"],
        "reading the peer venv's aws-cdk-lib version",
    )
    if installed != version("aws-cdk-lib"):
        raise SystemExit(
            f"{PEER_VENV.relative_to(ROOT)}: aws-cdk-lib {installed} is installed, the project runs "
            f"{version('aws-cdk-lib')}; pin aws-cdk-lib=={version('aws-cdk-lib')} in "
            f"{PEER_REQUIREMENTS.relative_to(ROOT)} and run again"
        )
    return python


def _package_version(python: Path, package: str) -> str:
    code = f"from importlib.metadata import version; print(version({package!r}))"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False).stdout.strip() or "?"


# --- the groups ----------------------------------------------------------------------------------


def _project(key: str, label: str, directory: Path, catalog: Path, **context: Any) -> Subject:
    app = ROOT / "app.py"
    peer_apps.write_app(directory, f"{sys.executable} {app}", peer_apps.cdk_context(catalog=str(catalog), **context))
    return Subject(key, label, directory, Path(sys.executable), app)


def _standalone(key: str, label: str, directory: Path, python: Path, script: str, **context: Any) -> Subject:
    files = {script: peer_apps.app_script(script)}
    peer_apps.write_app(directory, f"{python} {script}", peer_apps.cdk_context(**context), files)
    return Subject(key, label, directory, python, directory / script)


def _floor(directory: Path) -> Subject:
    return _standalone("floor", "floor: one S3 bucket", directory, Path(sys.executable), "floor_app.py")


def peer_group(workdir: Path, count: int) -> Group:
    endpoints = peer_apps.single_model_endpoints(count)
    expected = peer_apps.expected_facts(endpoints)
    project_dir = workdir / "peer" / "project"
    project_dir.mkdir(parents=True)
    catalog = peer_apps.write_catalog(project_dir / "catalog.yaml", peer_apps.project_catalog(endpoints))
    peer_dir = workdir / "peer" / "peer"
    subjects = [
        _project("project", "this project (catalog)", project_dir, catalog),
        _standalone(
            "peer",
            f"peer: CustomSageMakerEndpoint x {count}",
            peer_dir,
            peer_python(),
            "peer_app.py",
            spec="spec.json",
        ),
        _floor(workdir / "peer" / "floor"),
    ]
    (peer_dir / "spec.json").write_text(json.dumps(peer_apps.peer_spec(endpoints), indent=1), encoding="utf-8")

    def check(first: Mapping[str, dict[str, Any]]) -> list[str]:
        lines = []
        for key in ("project", "peer"):
            found = peer_apps.endpoint_facts(Path(first[key]["outdir"]))
            lines += peer_apps.facts_differences(key, found, expected)
        return lines

    return Group(
        key="peer",
        title=f"{count} single-model LMI endpoints ({peer_apps.INSTANCE_TYPE}, {peer_apps.ENGINE} "
        f"{peer_apps.ENGINE_VERSION}, weights from S3)",
        subjects=subjects,
        ratios=["peer"],
        floor="floor",
        targets=[Target(f"{count} single-model endpoints: project / peer, wall time", "project", "peer", 1.0, "ratio")],
        check=check,
    )


def _without_metadata(output: Mapping[str, Any]) -> int:
    return int(output["resources"]) - int(output["resource_types"].get("AWS::CDK::Metadata", 0))


def ic_group(workdir: Path, count: int) -> Group:
    project_dir = workdir / "ic" / "project"
    project_dir.mkdir(parents=True)
    catalog = synth_scale.write_catalog(project_dir, count)
    minimal = _standalone(
        "minimal", "minimal L1, same resource count", workdir / "ic" / "minimal", Path(sys.executable), "l1_minimal.py"
    )
    baseline_dir = workdir / "ic" / "same-output"
    peer_apps.write_app(
        baseline_dir, f"{sys.executable} {BENCHMARKS / 'l1_baseline.py'}", peer_apps.cdk_context(components=count)
    )
    subjects = [
        _project("project", f"this project ({count} components)", project_dir, catalog),
        minimal,
        Subject(
            "same-output",
            "same-output L1 (l1_baseline.py)",
            baseline_dir,
            Path(sys.executable),
            BENCHMARKS / "l1_baseline.py",
        ),
    ]

    def prepare(subject: Subject, first: Mapping[str, dict[str, Any]]) -> None:
        # The minimal app makes as many resources, in as many stacks, as the project's first run did.
        if subject.key == "minimal":
            output = first["project"]["output"]
            context = peer_apps.cdk_context(resources=_without_metadata(output), stacks=output["stacks"])
            peer_apps.write_app(subject.directory, f"{subject.python} l1_minimal.py", context)

    def check(first: Mapping[str, dict[str, Any]]) -> list[str]:
        project, lines = first["project"]["output"], []
        mine = first["minimal"]["output"]
        if (mine["resources"], mine["stacks"]) != (project["resources"], project["stacks"]):
            lines.append(
                f"minimal L1: {mine['resources']} resources in {mine['stacks']} stacks, the project "
                f"{project['resources']} in {project['stacks']}"
            )
        found, _, _ = synth_scale.compare_outputs(project, first["same-output"]["output"])
        lines += [f"same-output L1: {line}" for line in found]
        return lines

    return Group(
        key="ic",
        title=f"{count} inference components (synth_scale.py's catalog: with the default catalog's other endpoints)",
        subjects=subjects,
        ratios=["minimal", "same-output"],
        floor=None,
        targets=[
            Target(
                f"{count} components: project / minimal same-count L1, wall time", "project", "minimal", 1.5, "ratio"
            ),
            Target(f"{count} components: project / same-output L1, wall time", "project", "same-output", 1.2, "ratio"),
        ],
        check=check,
        prepare=prepare,
    )


def default_group(workdir: Path) -> Group:
    # As `make synth` runs it: the app lists the stacks it wrote (its preflight runs in every synthesis).
    project = _project(
        "default",
        "this project, default catalog",
        workdir / "default" / "project",
        ROOT / "catalog.yaml",
        list_stacks=True,
    )
    return Group(
        key="default",
        title="the default catalog (catalog.yaml), as `make synth` runs it",
        subjects=[project, _floor(workdir / "default" / "floor")],
        ratios=[],
        floor="floor",
        targets=[
            Target("make synth of the default catalog - floor app", "default", "floor", 1.5, "excess"),
        ],
    )


# --- running -------------------------------------------------------------------------------------


def synth_once(subject: Subject, workdir: Path, round_number: int) -> dict[str, Any]:
    """One fresh `cdk synth` of the subject; its times, peaks and what it produced."""
    outdir = workdir / f"{subject.directory.parent.name}-{subject.key}-{round_number}.out"
    rss = outdir.with_suffix(".rss.json")
    log = outdir.with_suffix(".log")
    app = shlex.join([str(subject.python), str(BENCHMARKS / "rss_probe.py"), str(rss), str(subject.script)])
    command = [str(CDK), "synth", "--no-notices", "--quiet", "--app", app, "--output", str(outdir)]
    env = synth_scale.validation_environment(
        {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}, VALIDATION[0]
    )
    load_before = os.getloadavg()[0]
    measured = measured_run(
        command,
        cwd=subject.directory,
        env=env,
        log=log,
        produces=rss,
        failure=lambda code: f"{subject.label}: cdk synth failed (exit {code}) in {subject.directory}",
        tail_chars=3000,
    )
    peaks = json.loads(rss.read_text(encoding="utf-8"))
    node = max((child["hwm_kib"] for child in peaks["children"]), default=None)
    figures = synth_scale.assembly_figures(outdir)
    return {
        "wall_s": measured.wall_s,
        "cpu_s": measured.cpu_s,
        "python_peak_mib": peaks["python_peak_kib"] / KIB_PER_MIB,
        "node_peak_mib": node / KIB_PER_MIB if node is not None else None,
        "children": peaks["children"],
        "load_average": [load_before, os.getloadavg()[0]],
        "outdir": str(outdir),
        "output": figures,
    }


def _discard(run: dict[str, Any]) -> None:
    outdir = Path(run["outdir"])
    shutil.rmtree(outdir, ignore_errors=True)
    for suffix in (".rss.json", ".log"):
        outdir.with_suffix(suffix).unlink(missing_ok=True)


MEASURES = ("wall_s", "cpu_s", "python_peak_mib", "node_peak_mib")


def run_group(group: Group, rounds: int, workdir: Path, *, keep: bool) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {subject.key: [] for subject in group.subjects}
    first: dict[str, dict[str, Any]] = {}
    for round_number in range(1, rounds + 1):
        for subject in group.subjects:  # interleaved: every app sees the same background load
            if round_number == 1 and group.prepare is not None:
                group.prepare(subject, first)
            run = synth_once(subject, workdir, round_number)
            runs[subject.key].append(run)
            if round_number == 1:
                first[subject.key] = run
            print(
                f"  [{group.key}] round {round_number}/{rounds} {subject.label}: wall {run['wall_s']:.1f} s"
                + f", {run['output']['resources']} resources, load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            if round_number > 1 and not keep:
                _discard(run)
    mismatches = group.check(first) if group.check is not None else []
    subjects = {}
    for subject in group.subjects:
        output = dict(first[subject.key]["output"])
        output.pop("digests", None)  # compared above; too big to keep
        for run in runs[subject.key]:
            run["output"] = {key: run["output"][key] for key in ("resources", "stacks")}
        subjects[subject.key] = {
            "label": subject.label,
            "runs": runs[subject.key],
            "summary": synth_scale.summarise(runs[subject.key], MEASURES, ("median", "min", "max")),
            "output": output,
            "first_outdir": first[subject.key]["outdir"],
        }
    return {"title": group.title, "subjects": subjects, "mismatches": mismatches}


# --- cfn-lint ------------------------------------------------------------------------------------


def cfn_lint_counts(outdir: Path) -> dict[str, int]:
    """cfn-lint's findings over every template of an assembly, by level (its default region)."""
    from cfnlint.api import ManualArgs, lint_file

    counts = {"errors": 0, "warnings": 0, "informational": 0}
    for template in sorted(outdir.glob("*.template.json")):
        for match in lint_file(template, ManualArgs()):
            level = {"E": "errors", "W": "warnings"}.get(match.rule.id[:1], "informational")
            counts[level] += 1
    return counts


# --- printing ------------------------------------------------------------------------------------


def _median(result: Mapping[str, Any], subject: str, measure: str = "wall_s") -> float | None:
    summary = result["subjects"][subject]["summary"].get(measure)
    return None if summary is None else float(summary["median"])


def _spread(summary: Mapping[str, float] | None, fmt: str = "{:.1f}") -> str:
    if summary is None:
        return "-"
    return f"{fmt.format(summary['median'])} ({fmt.format(summary['min'])}-{fmt.format(summary['max'])})"


def _median_cell(summary: Mapping[str, float] | None, fmt: str = "{:.0f}") -> str:
    return "-" if summary is None else fmt.format(summary["median"])


def group_table(group: Group, result: Mapping[str, Any], rounds: int) -> str:
    header = ["app", "wall s median (min-max)"]
    header += [f"x {key}" for key in group.ratios]
    if group.floor:
        header.append("over floor s")
    header += ["CPU s", "resources", "stacks", "py MiB", "node MiB", "cfn-lint E/W"]
    rows = []
    for subject in group.subjects:
        data = result["subjects"][subject.key]
        summary = data["summary"]
        value = _median(result, subject.key)
        row = [subject.label, _spread(summary["wall_s"])]
        for key in group.ratios:
            base = _median(result, key)
            row.append("-" if value is None or not base else f"{value / base:.2f}")
        if group.floor:
            floor = _median(result, group.floor)
            row.append("-" if value is None or floor is None else f"{value - floor:+.1f}")
        lint = data.get("cfn_lint")
        row += [
            _median_cell(summary["cpu_s"], "{:.1f}"),
            str(data["output"]["resources"]),
            str(data["output"]["stacks"]),
            _median_cell(summary["python_peak_mib"]),
            _median_cell(summary["node_peak_mib"]),
            "-" if lint is None else f"{lint['errors']}/{lint['warnings']}",
        ]
        rows.append(row)
    loads = [load for data in result["subjects"].values() for run in data["runs"] for load in run["load_average"]]
    title = (
        f"{group.title}: {rounds} round(s), interleaved, a fresh `cdk synth` per run; "
        f"1-min load average {min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} CPUs"
    )
    parts = [title, synth_scale.table(header, rows)]
    if group.check is not None:
        if result["mismatches"]:
            parts.append(synth_scale.loud(result["mismatches"], "MISMATCH: the apps do not make the same thing"))
        else:
            parts.append(f"checked after round 1: {_CHECKED[group.key]}")
    return "\n".join(parts)


_CHECKED = {
    "peer": "both apps make every endpoint asked for with the same instance type, image, S3 weights, "
    "instance counts and startup timeouts",
    "ic": "the minimal L1 app made as many resources in as many stacks as the project; the same-output "
    "L1 app the same resources per type, stacks and file assets",
}


def evaluate_targets(groups: list[Group], results: Mapping[str, Any]) -> list[dict[str, Any]]:
    evaluated = []
    for group in groups:
        result = results[group.key]
        for target in group.targets:
            value = _median(result, target.subject)
            base = _median(result, target.against)
            measured = None
            if value is not None and base:
                measured = value / base if target.kind == "ratio" else value - base
            evaluated.append(
                {
                    "target": target.label,
                    "limit": target.limit,
                    "kind": target.kind,
                    "measured": measured,
                    "met": measured is not None and measured <= target.limit,
                }
            )
    return evaluated


def targets_table(evaluated: list[dict[str, Any]]) -> str:
    rows = []
    for item in evaluated:
        ratio = item["kind"] == "ratio"
        limit = f"<= {item['limit']:.2f}x" if ratio else f"<= {item['limit']:.1f} s"
        measured = "-"
        if item["measured"] is not None:
            measured = f"{item['measured']:.2f}x" if ratio else f"{item['measured']:+.1f} s"
        rows.append([item["target"], limit, measured, "yes" if item["met"] else "no"])
    return "Targets (medians; a benchmark reports, it does not gate)\n" + synth_scale.table(
        ["target", "limit", "measured", "met"], rows
    )


# --- command line --------------------------------------------------------------------------------


def _versions(peer: Path | None) -> str:
    cli = subprocess.run([str(CDK), "--version"], capture_output=True, text=True, check=False).stdout.split()
    text = f"{synth_scale.versions()}, CDK CLI {cli[0] if cli else '?'}"
    if peer is not None:
        text += (
            f"; peer venv: {PEER_PACKAGE} {_package_version(peer, PEER_PACKAGE)}, "
            f"aws-cdk-lib {_package_version(peer, 'aws-cdk-lib')}, jsii {_package_version(peer, 'jsii')}"
        )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds, one run of each app (default: 5)")
    parser.add_argument("--only", choices=GROUPS, action="append", help="run only this comparison (repeatable)")
    parser.add_argument("--endpoints", type=int, default=100, help="single-model endpoints in `peer` (default: 100)")
    parser.add_argument("--components", type=int, default=1000, help="inference components in `ic` (default: 1000)")
    parser.add_argument("--cfn-lint", action="store_true", help="also count cfn-lint findings per app (slow)")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--keep", action="store_true", help="keep the apps' folders and every assembly")
    parser.add_argument(
        "--cdk-validation",
        choices=synth_scale.VALIDATION_MODES,
        default="as-shipped",
        help="CDK's built-in template validation: each app's default (this project: off, its preflight instead; "
        "the peer, the L1 apps and the floor: on), or off or on for all (default: as-shipped)",
    )
    args = parser.parse_args()
    if args.rounds < 1 or args.endpoints < 1 or args.components < 1:
        parser.error("--rounds, --endpoints and --components must be 1 or more")
    if not CDK.exists():
        raise SystemExit(f"{CDK.relative_to(ROOT)} is missing: run `make deps` first")
    chosen = [key for key in GROUPS if key in (args.only or GROUPS)]
    sys.path.insert(0, str(ROOT))  # tests.catalogs, for synth_scale.py's catalog
    VALIDATION[0] = args.cdk_validation
    print(f"CDK's built-in template validation: {args.cdk_validation} (--cdk-validation)")

    workdir = Path(tempfile.mkdtemp(prefix="peer-bench-"))
    started = time.monotonic()
    try:
        builders: dict[str, Callable[[], Group]] = {
            "peer": lambda: peer_group(workdir, args.endpoints),
            "ic": lambda: ic_group(workdir, args.components),
            "default": lambda: default_group(workdir),
        }
        groups = [builders[key]() for key in chosen]
        load = os.getloadavg()
        versions = _versions(PEER_VENV / "bin" / "python" if "peer" in chosen else None)
        print(f"{versions}; {os.cpu_count()} CPUs; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print(f"apps in {workdir}" + (" (kept)" if args.keep else ""), flush=True)
        results: dict[str, Any] = {}
        for group in groups:
            results[group.key] = run_group(group, args.rounds, workdir, keep=args.keep)
        if args.cfn_lint:
            print("cfn-lint on each app's first assembly ...", flush=True)
            for result in results.values():
                for data in result["subjects"].values():
                    data["cfn_lint"] = cfn_lint_counts(Path(data["first_outdir"]))
        for group in groups:
            print()
            print(group_table(group, results[group.key], args.rounds))
        evaluated = evaluate_targets(groups, results)
        print()
        print(targets_table(evaluated))
        load = os.getloadavg()
        print(f"\ntotal {time.monotonic() - started:.0f} s; load average now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        if args.json is not None:
            document = {
                "versions": versions,
                "cpus": os.cpu_count(),
                "rounds": args.rounds,
                "groups": results,
                "targets": evaluated,
            }
            args.json.write_text(json.dumps(document, indent=1), encoding="utf-8")
            print(f"figures: {args.json}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
