"""How good and how fast the placement planner is, on random endpoints (seedable).

    .venv/bin/python benchmarks/planner_bench.py [--seed N] [--small N] [--medium N]

(a) Small endpoints (up to 9 copies): the share planned with proven optimality, and the share whose
    count equals the optimum an independent exhaustive search finds (tests/planner/brute.py).
    Medium endpoints (10-60 components, 1-4 copies each): the share proven optimal, and how far
    the others are from their lower bound.
(b) The wall time to plan one 1,000-component endpoint on ml.p4d.24xlarge and ml.p5.48xlarge with
    realistic sizes: 1-8 accelerators, 8-320 GB memory, 1-48 CPU cores, 1-4 copies.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.planner.brute

from llm_hosting.facts.instances import INSTANCE_TYPES
from llm_hosting.planner import Component, InstanceCapacity, PlacementResult, plan_placement
from tests.planner.brute import optimum

P4D = InstanceCapacity.of(INSTANCE_TYPES["ml.p4d.24xlarge"])
P5 = InstanceCapacity.of(INSTANCE_TYPES["ml.p5.48xlarge"])
GB = 1000  # memory_mb per GB: "8-320 GB" is 8,000-320,000


def small_case(rng: random.Random) -> tuple[InstanceCapacity, list[Component]]:
    """Up to 9 copies on a small made-up type, where any resource can be the one that binds."""
    gpus = rng.choice([1, 2, 4, 8])
    instance = InstanceCapacity("ml.test.x", gpus, rng.choice([64, 100, 1000]), rng.choice([4, 8, 16]))
    components, total = [], 0
    for i in range(rng.randint(1, 5)):
        copies = min(rng.randint(0, 4), 9 - total)
        total += copies
        cpus = [c for c in (0, 0.25, 0.5, 1, 2, 3, 6) if c <= instance.vcpus] + [instance.vcpus]
        components.append(
            Component(
                f"c{i}",
                accelerators=rng.randint(1, gpus),
                memory_mib=rng.randint(1, instance.memory_mib),
                cpu_cores=rng.choice(cpus),
                copies=copies,
            )
        )
    return instance, components


def realistic(rng: random.Random, count: int, accelerators: Callable[[], int]) -> list[Component]:
    return [
        Component(
            f"model-{i}",
            accelerators=accelerators(),
            memory_mib=rng.randint(8, 320) * GB,
            cpu_cores=rng.randint(1, 48),
            copies=rng.randint(1, 4),
        )
        for i in range(count)
    ]


def timed(instance: InstanceCapacity, components: list[Component]) -> tuple[PlacementResult, float]:
    start = time.perf_counter()
    result = plan_placement(instance, components)
    return result, time.perf_counter() - start


def table(title: str, header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    body = [
        "  ".join(
            f"{cell:<{w}}" if i == 0 else f"{cell:>{w}}" for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *rows]
    ]
    return "\n".join([title, body[0], line, *body[1:]])


def quality(seed: int, small: int, medium: int) -> str:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    rows = []

    proven = exact = 0
    times = []
    for _ in range(small):
        instance, components = small_case(rng)
        result, seconds = timed(instance, components)
        times.append(seconds)
        proven += result.proven_optimal
        exact += result.instance_count == optimum(instance, components)
    rows.append(
        [
            "small (<= 9 copies, any resource binds)",
            str(small),
            f"{100 * proven / small:.1f} %",
            f"{100 * exact / small:.1f} %",
            "-",
            f"{1000 * statistics.mean(times):.1f}",
            f"{1000 * max(times):.1f}",
        ]
    )

    mixes: list[tuple[str, Callable[[], int]]] = [
        ("medium, 1-8 GPUs uniform (p4d/p5)", lambda: rng.randint(1, 8)),
        ("medium, mostly 1-2 GPUs (p4d/p5)", lambda: rng.choice([1, 1, 1, 2, 2, 4, 8])),
    ]
    for label, accelerators in mixes:
        proven = 0
        gaps, times = [], []
        for _ in range(medium):
            instance = rng.choice([P4D, P5])
            result, seconds = timed(instance, realistic(rng, rng.randint(10, 60), accelerators))
            times.append(seconds)
            proven += result.proven_optimal
            if not result.proven_optimal:
                gaps.append(result.instance_count - result.lower_bound)
        gap = f"{statistics.mean(gaps):.2f} (max {max(gaps)})" if gaps else "-"
        rows.append(
            [
                label,
                str(medium),
                f"{100 * proven / medium:.1f} %",
                "n/a",
                gap,
                f"{1000 * statistics.mean(times):.1f}",
                f"{1000 * max(times):.1f}",
            ]
        )
    header = ["cases", "n", "proven optimal", "= brute force", "gap to bound if not proven", "mean ms", "max ms"]
    return table(f"(a) quality, seed {seed}", header, rows)


def speed(seed: int) -> str:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    rows = []
    for instance in (P4D, P5):
        components = realistic(rng, 1000, lambda: rng.randint(1, 8))
        result, seconds = timed(instance, components)
        rows.append(
            [
                instance.name,
                str(len(components)),
                str(result.copy_count),
                str(result.instance_count),
                str(result.lower_bound),
                "yes" if result.proven_optimal else "no",
                f"{seconds:.2f}",
            ]
        )
    header = ["instance type", "components", "copies", "instances", "lower bound", "proven", "seconds"]
    return table(f"(b) one 1,000-component endpoint, seed {seed}", header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--small", type=int, default=400, help="small cases (default: 400)")
    parser.add_argument("--medium", type=int, default=100, help="medium cases per mix (default: 100)")
    args = parser.parse_args()
    start = time.perf_counter()
    print(quality(args.seed, args.small, args.medium))
    print()
    print(speed(args.seed))
    print(f"\ntotal {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
