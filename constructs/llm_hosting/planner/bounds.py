"""Proven lower bounds on the number of instances a set of copies needs.

Each bound is valid on its own; the planner takes the largest. Per resource: the volume bound
ceil(sum / capacity), Martello and Toth's L2, and Fekete and Schepers' dual feasible functions
u^(k) (these see that eight 3-GPU copies need four 8-GPU instances, where volume says three).
Across resources: copies that pairwise cannot share an instance need one each, and the other
copies need more instances for what does not fit in the room those leave them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

Vec = tuple[int, int, int]
"""(GPUs, memory MiB, CPU milli-cores): a copy's demand or an instance's capacity."""

Kind = tuple[Vec, int]
"""A demand and how many copies have it."""

FS_MAX_K = 12
"""Largest k of the Fekete-Schepers functions tried; larger k only helps for very small items."""


def lower_bound(kinds: Sequence[Kind], capacity: Vec) -> int:
    """The largest of the bounds below; 0 when there is nothing to place."""
    kinds = [(d, n) for d, n in kinds if n > 0]
    if not kinds:
        return 0
    best = 1
    for dim, cap in enumerate(capacity):
        sizes: dict[int, int] = {}
        for demand, n in kinds:
            sizes[demand[dim]] = sizes.get(demand[dim], 0) + n
        if cap <= 0:
            continue  # every demand is 0 here (the planner refuses copies that cannot fit at all)
        best = max(best, martello_toth_l2(sizes, cap), fekete_schepers(sizes, cap))
    return max(best, conflict_bound(kinds, capacity))


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def martello_toth_l2(sizes: dict[int, int], capacity: int) -> int:
    """Martello-Toth L2 for one resource (it includes the volume bound, its K = 0 case).

    For a threshold K <= C/2: items larger than C-K cannot share with anything >= K; items in
    (C/2, C-K] need a bin each and leave room the items in [K, C/2] may use; what does not fit
    there needs further bins.
    """
    values = sorted(sizes)
    counts = [sizes[v] for v in values]
    prefix_n = [0]
    prefix_s = [0]
    for v, n in zip(values, counts, strict=True):
        prefix_n.append(prefix_n[-1] + n)
        prefix_s.append(prefix_s[-1] + v * n)

    def tally(lo: float, hi: float) -> tuple[int, int]:
        """Count and total of the items with lo <= size <= hi."""
        i, j = bisect_left(values, lo), bisect_right(values, hi)
        return prefix_n[j] - prefix_n[i], prefix_s[j] - prefix_s[i]

    half = capacity / 2
    best = _ceil_div(prefix_s[-1], capacity)
    for k in [0, *(v for v in values if 0 < v <= half)]:
        n1, _ = tally(capacity - k + 1, float("inf"))  # sizes are whole: "> C-K" is ">= C-K+1"
        n2, s2 = tally(capacity // 2 + 1, capacity - k)
        _, s3 = tally(k, half)
        overflow = s3 - (n2 * capacity - s2)
        best = max(best, n1 + n2 + max(0, _ceil_div(overflow, capacity)))
    return best


def fekete_schepers(sizes: dict[int, int], capacity: int) -> int:
    """The best volume bound after mapping sizes through u^(k), k = 1..FS_MAX_K.

    u^(k)(x) = x when (k+1)x/C is whole, else floor((k+1)x/C) * C/k; scaled by k here so
    everything stays an integer (capacity becomes C*k).
    """
    best = 0
    for k in range(1, FS_MAX_K + 1):
        total = sum(n * _dff(x, capacity, k) for x, n in sizes.items())
        best = max(best, _ceil_div(total, capacity * k))
    return best


def _conflict(a: Vec, b: Vec, capacity: Vec) -> bool:
    return a[0] + b[0] > capacity[0] or a[1] + b[1] > capacity[1] or a[2] + b[2] > capacity[2]


CONFLICT_ORDERS_MAX_KINDS = 200
"""Above this many kinds the clique is grown in one order only (each order costs kinds x clique)."""


def conflict_bound(kinds: Sequence[Kind], capacity: Vec) -> int:
    """Copies that pairwise cannot share an instance each need their own, plus what cannot join them.

    Two copies conflict when together they exceed some resource; copies of one demand conflict
    with each other when two of them do. A clique (grown greedily, largest first, in a few orders)
    takes that many instances; every other copy either joins a clique instance it does not
    conflict with, within the room left there, or needs further instances (`_beyond_clique`).
    """
    shares = [max((d[i] / c if c else 0.0) for i, c in enumerate(capacity)) for d, _ in kinds]
    indices = range(len(kinds))
    small = len(kinds) <= CONFLICT_ORDERS_MAX_KINDS
    orders = [sorted(indices, key=lambda t: (-shares[t], t))]
    if small:
        orders += [sorted(indices, key=lambda t: (-kinds[t][0][dim], t)) for dim in range(len(capacity))]
    best = 0
    for order in orders:
        members: list[tuple[int, int]] = []  # (kind, its copies in the clique)
        for t in order:
            demand, n = kinds[t]
            if all(_conflict(demand, kinds[o][0], capacity) for o, _ in members):
                members.append((t, n if _conflict(demand, demand, capacity) else 1))
        best = max(best, _beyond_clique(kinds, capacity, members, transforms=small))
    return best


def _dff(x: int, capacity: int, k: int) -> int:
    """u^(k) scaled by k (k = 0: the identity)."""
    if k == 0:
        return x
    scaled = (k + 1) * x
    return x * k if scaled % capacity == 0 else (scaled // capacity) * capacity


def _beyond_clique(
    kinds: Sequence[Kind], capacity: Vec, members: Sequence[tuple[int, int]], *, transforms: bool
) -> int:
    """Clique size plus the instances the other copies need beyond the room the clique leaves them.

    Clique instance j can take, per resource, at most its room (capacity minus its clique copy) and
    at most the total of the copies that do not conflict with that copy; the rest must go on
    further instances. Also after mapping sizes through u^(k), which keeps any feasible set feasible.
    """
    size = sum(m for _, m in members)
    in_clique = dict(members)
    rest = [(d, n - in_clique.get(t, 0)) for t, (d, n) in enumerate(kinds) if n > in_clique.get(t, 0)]
    if not rest:
        return size
    joinable = [[(d, r) for d, r in rest if not _conflict(d, kinds[j][0], capacity)] for j, _ in members]
    extra = 0
    for dim, cap in enumerate(capacity):
        if cap <= 0:
            continue
        for k in range(FS_MAX_K + 1) if transforms else (0,):
            whole = _dff(cap, cap, k)
            total = sum(_dff(d[dim], cap, k) * r for d, r in rest)
            room = 0
            for (j, m), others in zip(members, joinable, strict=True):
                can_join = sum(_dff(d[dim], cap, k) * r for d, r in others)
                room += min(m * (whole - _dff(kinds[j][0][dim], cap, k)), can_join)
            if total > room:
                extra = max(extra, _ceil_div(total - room, whole))
    return size + extra
