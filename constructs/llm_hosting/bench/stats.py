"""Percentiles and latency statistics: plain Python, no numpy, so the library needs nothing else."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks.

    The same definition as numpy's default (`method="linear"`, Hyndman & Fan type 7), so the numbers
    match what teams compute from the CSV: p50 of [1, 2, 3, 4] is 2.5.
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100 or math.isnan(q):
        raise ValueError(f"percentile must be between 0 and 100, got {q}")
    position = q / 100 * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    low, high = ordered[lower], ordered[upper]
    fraction = position - lower
    # Interpolating from the nearer end keeps the result inside [low, high] despite rounding.
    return low + (high - low) * fraction if fraction < 0.5 else high - (high - low) * (1 - fraction)


@dataclass(frozen=True)
class LatencyStats:
    """Summary of a set of durations, in seconds."""

    count: int
    mean: float
    p50: float
    p90: float
    p99: float
    max: float
    min: float

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        return {
            "count": self.count,
            "mean": round(self.mean, digits),
            "p50": round(self.p50, digits),
            "p90": round(self.p90, digits),
            "p99": round(self.p99, digits),
            "max": round(self.max, digits),
            "min": round(self.min, digits),
        }


def latency_stats(values: Sequence[float]) -> LatencyStats | None:
    """p50/p90/p99/max/mean/min of `values`; None when there are none (say, every request failed)."""
    if not values:
        return None
    ordered = sorted(values)
    return LatencyStats(
        count=len(ordered),
        mean=math.fsum(ordered) / len(ordered),
        p50=percentile(ordered, 50),
        p90=percentile(ordered, 90),
        p99=percentile(ordered, 99),
        max=ordered[-1],
        min=ordered[0],
    )
