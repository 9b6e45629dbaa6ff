"""Fast packings: several greedy passes, the best of them improved by emptying instances.

Vector bin packing has no greedy order that is best for every input, so several passes run and
the one with the fewest instances wins (ties: the first in the fixed order below, so the result
is deterministic):

- item by item, largest first in five orders, each onto the first instance it fits, the
  tightest one, or the one whose free room points the most the way the copy does;
- instance by instance, each filled with the copy that fits it best, where resources are
  weighted by how much of them all the copies still to place need (the scarce one counts most).

Then the emptiest instances are dissolved: their copies go where they fit, or displace a smaller
copy that then looks for a place itself (an ejection chain); if all find a place, the instance is
gone. Small inputs also get a few seeded random orders, which break ties the fixed orders miss.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from functools import partial
from typing import Literal

from llm_hosting.planner.bounds import Kind, Vec

Packing = list[list[int]]
"""Instances, each a list of kind indices (one entry per copy)."""

Rule = Literal["first", "best", "dot"]
RULES: tuple[Rule, ...] = ("first", "best", "dot")

LARGE_COPIES = 1500
"""Above this many copies only the cheapest strong passes run, to keep planning interactive."""

BIN_CENTRIC_MAX_WORK = 3_000_000
"""Instance-by-instance passes cost about copies x kinds; beyond this they are skipped."""

RANDOM_RESTARTS = 24
RANDOM_RESTARTS_MAX_COPIES = 400
DISSOLVE_ATTEMPTS = 12
"""How many of the emptiest instances each improvement round tries to dissolve."""
EJECTION_STEPS = 400
"""Moves one dissolve attempt may make before it gives up."""


def _shares(demand: Vec, capacity: Vec) -> list[float]:
    return [d / c if c else 0.0 for d, c in zip(demand, capacity, strict=True)]


def _orders(kinds: Sequence[Kind], capacity: Vec) -> list[Callable[[int], tuple[float, ...]]]:
    """Sort keys (ascending = placed first) for the greedy passes, each tie-broken by input order."""
    shares = [_shares(d, capacity) for d, _ in kinds]
    return [
        lambda t: (-max(shares[t]), -sum(shares[t]), t),  # dominant resource first
        lambda t: (-sum(shares[t]), t),
        lambda t: (-kinds[t][0][0], -shares[t][1], -shares[t][2], t),  # GPUs, then memory
        lambda t: (-kinds[t][0][1], -shares[t][0], -shares[t][2], t),  # memory first
        lambda t: (-kinds[t][0][2], -shares[t][0], -shares[t][1], t),  # CPU first
    ]


def scarcity_weights(kinds: Sequence[Kind], capacity: Vec) -> list[float]:
    """Per-unit weight of each resource: its share of all demand, over its capacity."""
    totals = [sum(d[i] * n for d, n in kinds) / c if c else 0.0 for i, c in enumerate(capacity)]
    whole = sum(totals) or 1.0
    return [t / whole / c if c else 0.0 for t, c in zip(totals, capacity, strict=True)]


def pack(kinds: Sequence[Kind], capacity: Vec, *, target: int = 0) -> Packing:
    """The best packing the passes find, improved; stops early once one reaches `target` instances."""
    copies = sum(n for _, n in kinds)
    if copies == 0:
        return []
    orders = _orders(kinds, capacity)
    large = copies > LARGE_COPIES
    passes: list[Callable[[], Packing]] = []
    for order in orders[:1] if large else orders:
        sequence = [t for t in sorted(range(len(kinds)), key=order) for _ in range(kinds[t][1])]
        for rule in ("first",) if large else RULES:
            passes.append(partial(_item_by_item, sequence, kinds, capacity, rule))
    if copies * len(kinds) <= BIN_CENTRIC_MAX_WORK:
        passes.append(partial(_instance_by_instance, kinds, capacity, "norm"))
        passes.append(partial(_instance_by_instance, kinds, capacity, "dot"))
    if copies <= RANDOM_RESTARTS_MAX_COPIES:
        rng = random.Random(copies)  # noqa: S311 - seeded on purpose: the same input gets the same orders
        for _ in range(RANDOM_RESTARTS):
            sequence = [t for t, (_, n) in enumerate(kinds) for _ in range(n)]
            rng.shuffle(sequence)
            passes.append(partial(_restart, sequence, kinds, capacity, target))

    best = passes[0]()
    for run in passes[1:]:
        if len(best) <= target:
            break
        packing = run()
        if len(packing) < len(best):
            best = packing
    return _improve(best, kinds, capacity, target)


def _restart(sequence: Sequence[int], kinds: Sequence[Kind], capacity: Vec, target: int) -> Packing:
    return _improve(_item_by_item(sequence, kinds, capacity, "best"), kinds, capacity, target)


def _item_by_item(sequence: Sequence[int], kinds: Sequence[Kind], capacity: Vec, rule: Rule) -> Packing:
    """Place the copies in `sequence` order; `rule` chooses among the instances a copy fits on."""
    demands = [d for d, _ in kinds]
    weights = [1 / c if c else 0.0 for c in capacity]
    packing: Packing = []
    frees: list[list[int]] = []
    open_bins: list[int] = []
    # The smallest demand still to come, per resource: an instance with less free than that is done.
    inf = float("inf")
    suffix: list[tuple[float, float, float]] = [(inf, inf, inf)] * (len(sequence) + 1)
    for pos in range(len(sequence) - 1, -1, -1):
        d, s = demands[sequence[pos]], suffix[pos + 1]
        suffix[pos] = (min(d[0], s[0]), min(d[1], s[1]), min(d[2], s[2]))

    for pos, t in enumerate(sequence):
        g, m, c = demands[t]
        chosen = -1
        if rule == "first":
            for b in open_bins:
                f = frees[b]
                if f[0] >= g and f[1] >= m and f[2] >= c:
                    chosen = b
                    break
        else:
            best_score = inf
            for b in open_bins:
                f = frees[b]
                if f[0] >= g and f[1] >= m and f[2] >= c:
                    if rule == "best":  # least normalized room left afterwards
                        score = (f[0] - g) * weights[0] + (f[1] - m) * weights[1] + (f[2] - c) * weights[2]
                    else:  # "dot": the instance whose free room points the way the copy does
                        score = -(g * f[0] * weights[0] ** 2 + m * f[1] * weights[1] ** 2 + c * f[2] * weights[2] ** 2)
                    if score < best_score:
                        best_score, chosen = score, b
        if chosen < 0:
            chosen = len(packing)
            packing.append([])
            frees.append(list(capacity))
            open_bins.append(chosen)
        packing[chosen].append(t)
        f = frees[chosen]
        f[0] -= g
        f[1] -= m
        f[2] -= c
        low = suffix[pos + 1]
        if low != suffix[pos]:
            open_bins = [b for b in open_bins if all(x >= y for x, y in zip(frees[b], low, strict=True))]
        elif f[0] < low[0] or f[1] < low[1] or f[2] < low[2]:
            open_bins.remove(chosen)
    return packing


def _instance_by_instance(kinds: Sequence[Kind], capacity: Vec, score: Literal["norm", "dot"]) -> Packing:
    """Fill one instance at a time with the copy that suits it best, reweighing resources per instance."""
    demands = [d for d, _ in kinds]
    left = [n for _, n in kinds]
    live = [t for t in range(len(kinds)) if left[t]]
    packing: Packing = []
    while live:
        weights = scarcity_weights([(demands[t], left[t]) for t in live] + [((0, 0, 0), 0)], capacity)
        free = list(capacity)
        hosted: list[int] = []
        while True:
            chosen, best_score = -1, float("-inf")
            for t in live:
                g, m, c = demands[t]
                if g > free[0] or m > free[1] or c > free[2]:
                    continue
                if score == "norm":  # leave the least weighted room (squared, so no resource is left idle)
                    value = -(
                        ((free[0] - g) * weights[0]) ** 2
                        + ((free[1] - m) * weights[1]) ** 2
                        + ((free[2] - c) * weights[2]) ** 2
                    )
                else:
                    value = g * free[0] * weights[0] + m * free[1] * weights[1] + c * free[2] * weights[2]
                if value > best_score:
                    best_score, chosen = value, t
            if chosen < 0:
                break
            hosted.append(chosen)
            g, m, c = demands[chosen]
            free = [free[0] - g, free[1] - m, free[2] - c]
            left[chosen] -= 1
            if not left[chosen]:
                live.remove(chosen)
        packing.append(hosted)
    return packing


def _improve(packing: Packing, kinds: Sequence[Kind], capacity: Vec, target: int) -> Packing:
    """Dissolve the emptiest instances while that works (see the module docstring)."""
    demands = [d for d, _ in kinds]
    weights = scarcity_weights(kinds, capacity)
    size = [sum(x * w for x, w in zip(d, weights, strict=True)) for d in demands]
    bins = [list(b) for b in packing]
    frees = [[c - sum(demands[t][i] for t in b) for i, c in enumerate(capacity)] for b in bins]
    while len(bins) > target:
        load = [sum(size[t] for t in b) for b in bins]
        for victim in sorted(range(len(bins)), key=lambda b: (load[b], b))[:DISSOLVE_ATTEMPTS]:
            changed = _dissolve(victim, bins=bins, frees=frees, demands=demands, size=size, capacity=capacity)
            if changed is not None:
                for b, (hosted, free) in changed.items():
                    bins[b], frees[b] = hosted, free
                del bins[victim], frees[victim]
                break
        else:
            break
    return bins


def _dissolve(
    victim: int,
    *,
    bins: Packing,
    frees: list[list[int]],
    demands: Sequence[Vec],
    size: Sequence[float],
    capacity: Vec,
) -> dict[int, tuple[list[int], list[int]]] | None:
    """New contents and free room of the instances that take in the copies of `victim`, or None."""
    changed: dict[int, tuple[list[int], list[int]]] = {}
    unit = [1 / c if c else 0.0 for c in capacity]
    pool = sorted(bins[victim], key=lambda t: (size[t], -t))  # largest last: pop() takes it first
    for _ in range(EJECTION_STEPS):
        if not pool:
            return changed
        t = pool.pop()
        g, m, c = demands[t]
        chosen, best_room = -1, float("inf")
        for b, free in enumerate(frees):
            f = changed[b][1] if b in changed else free
            if b != victim and f[0] >= g and f[1] >= m and f[2] >= c:
                room = (f[0] - g) * unit[0] + (f[1] - m) * unit[1] + (f[2] - c) * unit[2]
                if room < best_room:
                    best_room, chosen = room, b
        if chosen >= 0:
            hosted, f = changed.get(chosen, (bins[chosen], frees[chosen]))
            changed[chosen] = ([*hosted, t], [f[0] - g, f[1] - m, f[2] - c])
            continue
        # Displace the largest smaller copy whose place this one fits: the pool only shrinks in size,
        # so the chain cannot cycle.
        swap: tuple[float, int, int] | None = None
        for b in range(len(bins)):
            if b == victim:
                continue
            hosted, f = changed.get(b, (bins[b], frees[b]))
            for u in set(hosted):
                du = demands[u]
                if (
                    size[u] < size[t]
                    and (swap is None or size[u] > swap[0])
                    and f[0] + du[0] >= g
                    and f[1] + du[1] >= m
                    and f[2] + du[2] >= c
                ):
                    swap = (size[u], b, u)
        if swap is None:
            return None
        _, b, u = swap
        hosted, f = changed.get(b, (bins[b], frees[b]))
        hosted = list(hosted)
        hosted.remove(u)
        du = demands[u]
        changed[b] = ([*hosted, t], [f[0] + du[0] - g, f[1] + du[1] - m, f[2] + du[2] - c])
        pool.append(u)
        pool.sort(key=lambda x: (size[x], -x))
    return changed if not pool else None
