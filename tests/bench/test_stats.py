"""Percentiles and latency statistics match numpy's definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from llm_hosting.bench import latency_stats, percentile

latencies = st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=1, max_size=200)
quantiles = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(values=latencies, q=quantiles)
def test_percentile_matches_numpys_default_linear_method(values: list[float], q: float) -> None:
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), rel=1e-12, abs=1e-12)


@given(values=latencies, q=quantiles)
def test_a_percentile_lies_between_the_smallest_and_the_largest_value(values: list[float], q: float) -> None:
    assert min(values) <= percentile(values, q) <= max(values)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4], 0, 1),
        ([1, 2, 3, 4], 100, 4),
        ([5], 99, 5),
        ([10, 0], 90, 9),  # order of the input does not matter
        (list(range(1, 101)), 99, 99.01),
    ],
)
def test_percentile_of_known_sets(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 100.5), ([1.0], math.nan)])
def test_percentile_rejects_no_values_and_out_of_range_quantiles(values: list[float], q: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        percentile(values, q)


@given(values=latencies)
def test_latency_stats_match_numpy(values: list[float]) -> None:
    stats = latency_stats(values)

    assert stats is not None
    expected = np.percentile(values, [50, 90, 99])
    assert (stats.p50, stats.p90, stats.p99) == pytest.approx(tuple(float(v) for v in expected), rel=1e-12, abs=1e-12)
    assert (stats.count, stats.max, stats.min) == (len(values), max(values), min(values))
    assert stats.mean == pytest.approx(float(np.mean(values)), rel=1e-9, abs=1e-12)


def test_latency_stats_of_nothing_is_none() -> None:
    assert latency_stats([]) is None


def test_latency_stats_serialise_rounded_to_microseconds() -> None:
    stats = latency_stats([0.1234567, 0.2])

    assert stats is not None
    assert stats.to_dict() == {
        "count": 2,
        "mean": 0.161728,
        "p50": 0.161728,
        "p90": 0.192346,
        "p99": 0.199235,
        "max": 0.2,
        "min": 0.123457,
    }
