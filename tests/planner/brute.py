"""An independent optimum for tiny inputs: exhaustive search over sets of copies, no planner code.

min_instances(S) = 1 + min over the feasible instances T that hold S's first copy of
min_instances(S - T); 3^n subsets at worst, so keep n (copies) to about 10.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import cache

from llm_hosting.planner import Component, InstanceCapacity


def optimum(instance: InstanceCapacity, components: Sequence[Component]) -> int:
    """The fewest instances that hold every copy, or -1 if some copy fits nowhere."""
    capacity = (instance.gpus, instance.memory_mib, Fraction(str(instance.vcpus)))
    copies = [(c.accelerators, c.memory_mib, Fraction(str(c.cpu_cores))) for c in components for _ in range(c.copies)]
    n = len(copies)
    fits = []
    for mask in range(1 << n):
        total = [sum(copies[i][d] for i in range(n) if mask >> i & 1) for d in range(3)]
        fits.append(all(t <= c for t, c in zip(total, capacity, strict=True)))
    if not all(fits[1 << i] for i in range(n)):
        return -1

    @cache
    def best(mask: int) -> int:
        if mask == 0:
            return 0
        first = mask & -mask
        rest = mask ^ first
        answer = n + 1
        subset = rest
        while True:
            group = subset | first
            if fits[group]:
                answer = min(answer, 1 + best(mask ^ group))
            if subset == 0:
                return answer
            subset = (subset - 1) & rest

    return best((1 << n) - 1)
