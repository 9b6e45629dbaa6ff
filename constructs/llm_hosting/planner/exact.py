"""Exact search: can the copies be placed on k instances? Depth-first, with a node budget.

Copies of one kind (same reservation) are interchangeable, and so are instances with the same
free room, so the search places the copies of a kind on instances in non-decreasing position and
tries only the first of several instances with equal free room (which also makes every empty
instance one choice). A state that failed at the start of a kind is remembered, whatever order
its instances are in. Kinds are placed largest first, so failures show early; the budget counts
nodes, not seconds, so the outcome is the same on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from llm_hosting.planner.bounds import Kind, Vec
from llm_hosting.planner.heuristic import Packing


class _OutOfBudget(Exception):
    pass


@dataclass
class Search:
    """A budgeted feasibility search; `nodes` counts across calls so one budget can cover several k."""

    kinds: Sequence[Kind]
    capacity: Vec
    budget: int
    nodes: int = 0

    def feasible(self, k: int) -> tuple[Literal["yes", "no", "unknown"], Packing]:
        """Whether the copies fit on `k` instances (and a packing when they do)."""
        shares = [max((d[i] / c if c else 0.0) for i, c in enumerate(self.capacity)) for d, _ in self.kinds]
        order = sorted(
            (t for t, (_, n) in enumerate(self.kinds) if n > 0),
            key=lambda t: (-shares[t], -self.kinds[t][0][0], -self.kinds[t][0][1], -self.kinds[t][0][2], t),
        )
        demands = [self.kinds[t][0] for t in order]
        counts = [self.kinds[t][1] for t in order]
        dims = range(len(self.capacity))
        # What is still to place, per resource, from each kind on; and the smallest demand from there.
        remaining = [
            [sum(demands[j][i] * counts[j] for j in range(s, len(order))) for i in dims] for s in range(len(order) + 1)
        ]
        smallest = [
            [min((demands[j][i] for j in range(s, len(order))), default=0) for i in dims] for s in range(len(order) + 1)
        ]
        frees: list[Vec] = [self.capacity] * k
        placed: list[list[int]] = [[] for _ in range(k)]
        failed: set[tuple[int, tuple[Vec, ...]]] = set()
        unit = [1 / c if c else 0.0 for c in self.capacity]

        def fits_rest(s: int, left: int) -> bool:
            """Volume check: the free room that something still to place could use is enough."""
            low_g, low_m, low_c = smallest[s]
            room_g = room_m = room_c = 0
            for f in frees:
                if f[0] >= low_g and f[1] >= low_m and f[2] >= low_c:
                    room_g += f[0]
                    room_m += f[1]
                    room_c += f[2]
            after, d = remaining[s + 1], demands[s]
            return (
                room_g >= after[0] + d[0] * left
                and room_m >= after[1] + d[1] * left
                and room_c >= after[2] + d[2] * left
            )

        def place(s: int, left: int, start: int) -> bool:
            if left == 0:
                s += 1
                if s == len(order):
                    return True
                key = (s, tuple(sorted(frees)))
                if key in failed:
                    return False
                if place(s, counts[s], 0):
                    return True
                failed.add(key)
                return False
            self.nodes += 1
            if self.nodes > self.budget:
                raise _OutOfBudget
            if not fits_rest(s, left):
                return False
            g, m, c = demands[s]
            tried: set[Vec] = set()
            choices = []
            for b in range(start, k):
                f = frees[b]
                if f[0] < g or f[1] < m or f[2] < c or f in tried:
                    continue
                tried.add(f)
                room = (f[0] - g) * unit[0] + (f[1] - m) * unit[1] + (f[2] - c) * unit[2]
                choices.append((room, b))
            # Tightest fit first: solutions show up sooner; the order does not change what is explored.
            for _, b in sorted(choices):
                f = frees[b]
                frees[b] = (f[0] - g, f[1] - m, f[2] - c)
                placed[b].append(order[s])
                if place(s, left - 1, b):
                    return True
                placed[b].pop()
                frees[b] = f
            return False

        if not order:
            return "yes", []
        try:
            found = place(0, counts[0], 0)
        except _OutOfBudget:
            return "unknown", []
        if not found:
            return "no", []
        return "yes", [b for b in placed if b]
