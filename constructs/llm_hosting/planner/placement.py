"""Place every copy of every component on as few instances as possible, and say how sure that is.

`plan_placement` is the planner's entry point: heuristic packing, a proven lower bound, and (for
small inputs, within a node budget) an exact search that either proves the heuristic optimal or
finds the optimum. Same input, same placement: every choice is tie-broken by input order and the
search is bounded by nodes, not time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from llm_hosting.planner.bounds import Kind, Vec, lower_bound
from llm_hosting.planner.exact import Search
from llm_hosting.planner.heuristic import Packing, pack
from llm_hosting.planner.model import (
    MILLI,
    Component,
    InstanceCapacity,
    InstancePlacement,
    PlacedCopy,
    PlacementError,
    PlacementResult,
    Proof,
    Resources,
    milli_cores,
)

NODE_BUDGET = 5_000
"""Default exact-search budget: a fifth of a second at worst, so catalog loading stays quick. More rarely
helps: where 5,000 nodes do not settle it, the lower bound is usually what is weak."""

EXACT_MAX_COPIES = 200
"""Default: above this many copies only the heuristic and the lower bound run."""


def plan_placement(
    instance: InstanceCapacity,
    components: Sequence[Component],
    *,
    node_budget: int = NODE_BUDGET,
    exact_max_copies: int = EXACT_MAX_COPIES,
) -> PlacementResult:
    """Place `copies` copies of each component on instances of one type, each copy on one instance.

    A copy takes whole GPUs (`accelerators`) of its instance plus memory and CPU cores; no
    instance goes over in any of the three. Raises `PlacementError` for a component whose single
    copy exceeds the instance type, and `ValueError` for two components with the same name.
    """
    components = tuple(components)
    duplicates = sorted(n for n, count in Counter(c.name for c in components).items() if count > 1)
    if duplicates:
        raise ValueError(f"component names must be unique; {', '.join(duplicates)} appear more than once")
    capacity: Vec = (instance.gpus, instance.memory_mib, milli_cores(instance.vcpus))
    demands = [_demand(c) for c in components]
    for component, demand in zip(components, demands, strict=True):
        if any(d > c for d, c in zip(demand, capacity, strict=True)):
            raise PlacementError(component, instance)

    # Components that reserve the same amounts are one kind: their copies are interchangeable.
    kind_of: dict[Vec, int] = {}
    counts: list[int] = []
    for component, demand in zip(components, demands, strict=True):
        t = kind_of.setdefault(demand, len(kind_of))
        if t == len(counts):
            counts.append(0)
        counts[t] += component.copies
    kinds: list[Kind] = [(demand, counts[t]) for demand, t in kind_of.items()]

    bound = lower_bound(kinds, capacity)
    packing = pack(kinds, capacity, target=bound)
    nodes = 0
    proof: Proof = "meets lower bound" if len(packing) <= bound else "none"
    copies = sum(counts)
    if len(packing) > bound and copies <= exact_max_copies and node_budget > 0:
        search = Search(kinds, capacity, node_budget)
        for k in range(bound, len(packing)):
            answer, found = search.feasible(k)
            if answer == "unknown":
                break
            if answer == "no":
                bound = k + 1  # proven: k instances are not enough
                continue
            packing = found
            break
        nodes = search.nodes
        if len(packing) <= bound:
            proof = "exact search"
    return _result(
        instance,
        components=components,
        demands=demands,
        kinds=kinds,
        packing=packing,
        bound=bound,
        proof=proof,
        nodes=nodes,
    )


def _demand(component: Component) -> Vec:
    return (component.accelerators, component.memory_mib, milli_cores(component.cpu_cores))


def _result(
    instance: InstanceCapacity,
    *,
    components: tuple[Component, ...],
    demands: list[Vec],
    kinds: list[Kind],
    packing: Packing,
    bound: int,
    proof: Proof,
    nodes: int,
) -> PlacementResult:
    capacity: Vec = (instance.gpus, instance.memory_mib, milli_cores(instance.vcpus))
    kind_index = {demand: t for t, (demand, _) in enumerate(kinds)}
    # Hand each kind's slots to its components in input order, instance by instance; instances
    # are listed by what they hold, so equal instances sit together.
    queues: list[list[int]] = [[] for _ in kinds]
    for i, (component, demand) in enumerate(zip(components, demands, strict=True)):
        queues[kind_index[demand]].extend([i] * component.copies)
    positions = [0] * len(kinds)
    hosted: list[list[int]] = []
    for slots in sorted(packing, key=sorted):
        mine = []
        for t in sorted(slots):
            mine.append(queues[t][positions[t]])
            positions[t] += 1
        hosted.append(sorted(mine, key=lambda i: (-components[i].accelerators, i)))

    # Only demands no other demand is below can decide whether free room is usable.
    minimal = [d for d in set(demands) if not any(o != d and _covers(d, o) for o in demands)]
    copy_numbers = [0] * len(components)
    placements = []
    for index, members in enumerate(hosted):
        owners: list[str | None] = [None] * instance.gpus
        copies = []
        next_gpu = 0
        for i in members:
            copy_numbers[i] += 1
            gpus = tuple(range(next_gpu, next_gpu + components[i].accelerators))
            next_gpu += components[i].accelerators
            for g in gpus:
                owners[g] = components[i].name
            copies.append(PlacedCopy(components[i].name, copy_numbers[i], gpus))
        used = [sum(demands[i][d] for i in members) for d in range(3)]
        free = [c - u for c, u in zip(capacity, used, strict=True)]
        stranded = not any(_covers((free[0], free[1], free[2]), demand) for demand in minimal)
        placements.append(
            InstancePlacement(
                index=index,
                copies=tuple(copies),
                used=Resources(used[0], used[1], used[2] / MILLI),
                free=Resources(free[0], free[1], free[2] / MILLI),
                stranded=stranded,
                gpu_owners=tuple(owners),
            )
        )
    return PlacementResult(
        instance=instance,
        components=components,
        instances=tuple(placements),
        lower_bound=bound,
        proven_optimal=len(placements) <= bound,
        proof=proof if len(placements) <= bound else "none",
        search_nodes=nodes,
    )


def _covers(room: Vec, demand: Vec) -> bool:
    return demand[0] <= room[0] and demand[1] <= room[1] and demand[2] <= room[2]
