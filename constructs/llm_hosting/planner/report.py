"""Plans as facts: a readable table per endpoint (and per fallback pool type), and the same facts
as JSON-ready dicts.

Dict keys are built in a fixed order (not sorted), so `json.dumps` output is stable and reads
top-down: what was asked, what was found, how sure, against what baseline. Keys added later come
after the ones before them, so a reader of an older shape still finds every key it knew.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from llm_hosting.facts.instances import InstanceType
from llm_hosting.planner.baseline import Baseline, BaselineRule, Comparison, candidate_family
from llm_hosting.planner.model import InstancePlacement, PlacementResult, Resources
from llm_hosting.planner.plan import CatalogPlan, ComponentAdapters, EndpointPlan, LevelPlan, PoolPlan, Unplanned

LISTED_INSTANCES = 12
"""The table lists the placement of at most this many instances per level; JSON and SVG list all."""

LISTED_ADAPTERS = 5
"""The table names at most this many adapters per component; JSON names all."""

ADAPTERS_RESERVE = "they reserve nothing and have no copies of their own: each runs on its base component's copies"
"""Adapter inference components carry no compute requirements; they name a base component and use its
compute (BaseInferenceComponentName, InferenceComponentSpecification in the SageMaker API reference)."""

# --- JSON --------------------------------------------------------------------------------------


def _percent(used: float, capacity: float) -> float:
    return round(100 * used / capacity, 1) if capacity else 0.0


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def resources_dict(resources: Resources) -> dict[str, Any]:
    return {"gpus": resources.gpus, "memory_mib": resources.memory_mib, "cpu_cores": resources.cpu_cores}


def instance_dict(instance: InstancePlacement) -> dict[str, Any]:
    return {
        "instance": instance.index,
        "gpus": list(instance.gpu_owners),
        "copies": [
            {"component": c.component, "copy": c.copy, "gpu_indices": list(c.gpu_indices)} for c in instance.copies
        ],
        "used": resources_dict(instance.used),
        "free": resources_dict(instance.free),
        "stranded": instance.stranded,
    }


def placement_dict(result: PlacementResult) -> dict[str, Any]:
    """A placement and what is known about it."""
    used, capacity = result.used, result.capacity
    return {
        "copies": {c.name: c.copies for c in result.components},
        "instances": result.instance_count,
        "lower_bound": result.lower_bound,
        "proven_optimal": result.proven_optimal,
        "proof": result.proof,
        "occupancy": {
            "gpus": {"used": used.gpus, "capacity": capacity.gpus, "percent": _percent(used.gpus, capacity.gpus)},
            "memory_mib": {
                "used": used.memory_mib,
                "capacity": capacity.memory_mib,
                "percent": _percent(used.memory_mib, capacity.memory_mib),
            },
            "cpu_cores": {
                "used": used.cpu_cores,
                "capacity": capacity.cpu_cores,
                "percent": _percent(used.cpu_cores, capacity.cpu_cores),
            },
        },
        "stranded": resources_dict(result.stranded),
        "placement": [instance_dict(i) for i in result.instances],
    }


def baseline_dict(baseline: Baseline) -> dict[str, Any]:
    return {
        "rule": baseline.rule,
        "chosen_by": "price" if baseline.by_price else "size",
        "dedicated": [
            {"component": d.component, "instance_type": d.instance_type, "copies": d.copies} for d in baseline.dedicated
        ],
        "instances": baseline.instance_count,
        "gpus": baseline.gpus,
    }


def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    cost = None
    if comparison.packed_cost is not None and comparison.baseline_cost is not None:
        cost = {
            "packed": round(comparison.packed_cost, 4),
            "baseline": round(comparison.baseline_cost, 4),
            "ratio": _round(comparison.cost_ratio),
        }
    return {
        "gpus": {
            "packed": comparison.packed_gpus,
            "baseline": comparison.baseline_gpus,
            "ratio": _round(comparison.gpu_ratio),
        },
        "instance_hours_per_hour": {
            "packed": comparison.packed_instance_hours,
            "baseline": comparison.baseline_instance_hours,
            "ratio": _round(comparison.instance_hours_ratio),
        },
        "cost_per_hour": cost,
        "missing_prices": list(comparison.missing_prices),
    }


def level_dict(level: LevelPlan) -> dict[str, Any]:
    placement = placement_dict(level.placement)
    return {
        **{k: placement[k] for k in ("copies", "instances", "lower_bound", "proven_optimal", "proof")},
        "configured_instances": level.configured_instances,
        "enough_instances": level.enough_instances,
        **{k: placement[k] for k in ("occupancy", "stranded", "placement")},
        "baseline": baseline_dict(level.baseline),
        "comparison": comparison_dict(level.comparison),
    }


def instance_type_dict(name: str, t: InstanceType | None) -> dict[str, Any]:
    """An instance type's facts; null facts when the type is unknown."""
    return {
        "name": name,
        "gpus": t.gpus if t else None,
        "gpu_memory_mib": t.gpu_memory_mib if t else None,
        "memory_mib": t.memory_mib if t else None,
        "vcpus": t.vcpus if t else None,
    }


def adapters_dict(components: Sequence[ComponentAdapters]) -> dict[str, Any]:
    """Per component, the adapters riding on it; what they reserve is nothing."""
    return {
        "count": sum(len(c.adapters) for c in components),
        "reserved": resources_dict(Resources()),
        "by_component": [
            {"component": c.component, "count": len(c.adapters), "names": list(c.adapters)} for c in components
        ],
    }


def pool_dict(pool: PoolPlan, rule: BaselineRule) -> dict[str, Any]:
    """A fallback pool type: the scenario (which types are short), per-copy reservations, both levels."""
    return {
        "priority": pool.priority,
        "instance_type": instance_type_dict(pool.instance_type, pool.facts),
        "if_short": list(pool.short),
        "reservations": [
            {
                "component": r.component,
                "accelerators": r.accelerators,
                "memory_mib": r.memory_mib,
                "cpu_cores": r.cpu_cores,
                "from": "compute_by_instance_type" if r.specific else "component",
            }
            for r in pool.reservations
        ],
        "baseline_basis": {
            "rule": rule,
            "family": candidate_family(pool.facts, rule) if pool.facts is not None else None,
            "reservations_of": pool.instance_type,
        },
        "initial": level_dict(pool.initial) if isinstance(pool.initial, LevelPlan) else None,
        "max": level_dict(pool.max) if isinstance(pool.max, LevelPlan) else None,
        "unplanned": {lv.level: lv.reason for lv in pool.levels if isinstance(lv, Unplanned)},
    }


def endpoint_dict(plan: EndpointPlan) -> dict[str, Any]:
    t = plan.instance_type
    rule = plan.initial.baseline.rule
    return {
        "name": plan.name,
        "path": f"endpoints[{plan.index}]",
        "instance_type": instance_type_dict(t.name, t),
        "instance_count": {
            "initial": plan.instance_count.initial,
            "min": plan.instance_count.min,
            "max": plan.instance_count.max,
        },
        "initial": level_dict(plan.initial),
        "max": level_dict(plan.max),
        "adapters": adapters_dict(plan.adapters),
        "pools": [pool_dict(p, rule) for p in plan.pools],
    }


def plan_dict(plan: CatalogPlan) -> dict[str, Any]:
    """The whole report as JSON-ready data (`python -m llm_hosting plan --json`)."""
    return {
        "catalog": plan.source,
        "baseline": plan.baseline_rule,
        "prices": plan.prices,
        "endpoints": [endpoint_dict(e) for e in plan.endpoints],
    }


# --- text --------------------------------------------------------------------------------------


def _gib(mib: float) -> str:
    return f"{mib / 1024:.1f} GiB"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _ratio(value: float | None) -> str:
    return f"{value:.1f}x" if value is not None else "-"


def _occupancy(used: float, capacity: float, show: str) -> str:
    return f"{show} ({_percent(used, capacity):.1f} %)"


def _resources(r: Resources) -> str:
    return f"{_plural(r.gpus, 'GPU')}, {_gib(r.memory_mib)}, {r.cpu_cores:g} vCPUs"


def _count(result: PlacementResult) -> str:
    if result.proven_optimal:
        return f"{result.instance_count} (proven optimal)"
    return f"{result.instance_count} (lower bound {result.lower_bound})"


def _verdict(level: LevelPlan) -> str:
    return "enough" if level.enough_instances else f"too few, needs {level.placement.instance_count}"


def _configured(level: LevelPlan) -> str:
    field = "initial" if level.level == "initial" else "max"
    return f"{field} {level.configured_instances}: {_verdict(level)}"


def _stranded(result: PlacementResult) -> str:
    stuck = [i for i in result.instances if i.stranded]
    free = result.stranded
    if not stuck or (free.gpus == 0 and free.memory_mib == 0 and free.cpu_cores == 0):
        return "none"
    return f"{_resources(free)} on {_plural(len(stuck), 'instance')}"


def _baseline(baseline: Baseline) -> str:
    counts = baseline.instances_by_type()
    if not counts:
        return "no instances"
    return " + ".join(f"{n} x {name}" for name, n in counts.items())


def _cost(comparison: Comparison) -> str:
    if comparison.packed_cost is None or comparison.baseline_cost is None:
        return f"no price for {', '.join(comparison.missing_prices)} (planning.prices)"
    return f"{comparison.packed_cost:.2f} / {comparison.baseline_cost:.2f} ({_ratio(comparison.cost_ratio)})"


def _rows(initial: LevelPlan | Unplanned, maximum: LevelPlan | Unplanned) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = [("", "initial copies", "max copies")]

    def row(label: str, render: Callable[[LevelPlan], str], unplanned: str = "-") -> None:
        def cell(lv: LevelPlan | Unplanned) -> str:
            return render(lv) if isinstance(lv, LevelPlan) else unplanned

        rows.append((label, cell(initial), cell(maximum)))

    rule = next((lv.baseline.rule for lv in (initial, maximum) if isinstance(lv, LevelPlan)), "-")

    row("copies", lambda lv: f"{lv.placement.copy_count} of {_plural(len(lv.placement.components), 'component')}")
    row("instances needed", lambda lv: _count(lv.placement), unplanned="not planned")
    row("configured", _configured)
    row(
        "GPU occupancy",
        lambda lv: _occupancy(
            lv.placement.used.gpus, lv.placement.capacity.gpus, f"{lv.placement.used.gpus}/{lv.placement.capacity.gpus}"
        ),
    )
    row(
        "memory occupancy",
        lambda lv: _occupancy(
            lv.placement.used.memory_mib,
            lv.placement.capacity.memory_mib,
            f"{lv.placement.used.memory_mib / 1024:.1f}/{_gib(lv.placement.capacity.memory_mib)}",
        ),
    )
    row(
        "CPU occupancy",
        lambda lv: _occupancy(
            lv.placement.used.cpu_cores,
            lv.placement.capacity.cpu_cores,
            f"{lv.placement.used.cpu_cores:g}/{lv.placement.capacity.cpu_cores:g} vCPUs",
        ),
    )
    row("stranded", lambda lv: _stranded(lv.placement))
    row(f"dedicated baseline ({rule})", lambda lv: _baseline(lv.baseline))
    row(
        "GPUs packed / baseline",
        lambda lv: f"{lv.comparison.packed_gpus} / {lv.comparison.baseline_gpus} ({_ratio(lv.comparison.gpu_ratio)})",
    )
    row(
        "instance-hours per hour",
        lambda lv: (
            f"{lv.comparison.packed_instance_hours} / {lv.comparison.baseline_instance_hours} "
            f"({_ratio(lv.comparison.instance_hours_ratio)})"
        ),
    )
    row("cost per hour", lambda lv: _cost(lv.comparison))
    return rows


def _slots(instance: InstancePlacement) -> str:
    parts = []
    for copy in instance.copies:
        gpus = copy.gpu_indices
        where = "no GPU" if not gpus else f"GPU {gpus[0]}" if len(gpus) == 1 else f"GPUs {gpus[0]}-{gpus[-1]}"
        parts.append(f"{where} {copy.component}#{copy.copy}")
    return " | ".join(parts) + f"   (free: {_resources(instance.free)}{', stranded' if instance.stranded else ''})"


def _placement_lines(level: LevelPlan, indent: str = "  ") -> list[str]:
    instances = level.placement.instances
    lines = [f"{indent}placement at {level.level} copies:"]
    if not instances:
        return [*lines, f"{indent}  no instances (no copies)"]
    width = len(str(len(instances)))
    lines += [f"{indent}  instance {i.index + 1:>{width}}  {_slots(i)}" for i in instances[:LISTED_INSTANCES]]
    if len(instances) > LISTED_INSTANCES:
        lines.append(f"{indent}  ... {len(instances) - LISTED_INSTANCES} more instances (see --json or --svg)")
    return lines


def _table(initial: LevelPlan | Unplanned, maximum: LevelPlan | Unplanned, indent: str = "  ") -> list[str]:
    rows = _rows(initial, maximum)
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return [f"{indent}{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in rows]


def _names(names: Sequence[str], limit: int) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... {len(names) - limit} more"


def _adapter_lines(plan: EndpointPlan) -> list[str]:
    carrying = [c for c in plan.adapters if c.adapters]
    if not carrying:
        return []
    lines = [f"  LoRA adapters: {ADAPTERS_RESERVE}"]
    lines += [
        f"    {c.component}: {_plural(len(c.adapters), 'adapter')} ({_names(c.adapters, LISTED_ADAPTERS)})"
        for c in carrying
    ]
    return lines


def _facts(t: InstanceType) -> str:
    return f"{_plural(t.gpus, 'GPU')}, {_gib(t.memory_mib)} memory, {t.vcpus} vCPUs"


def _fallback(pool: PoolPlan, level: LevelPlan | Unplanned) -> str:
    """What holds the copies of one level when the types before this pool are short, in one line."""
    copies = f"the {level.level} copies"
    if isinstance(level, Unplanned):
        return f"{pool.scenario}: {pool.instance_type} cannot hold {copies}: {level.reason}"
    n = level.placement.instance_count
    return (
        f"{pool.scenario}: {n} x {pool.instance_type} {'holds' if n == 1 else 'hold'} {copies} "
        f"(instance_count.{level.level} {level.configured_instances}: {_verdict(level)})"
    )


def _reservation_line(pool: PoolPlan, first: str) -> str:
    specific = [r for r in pool.reservations if r.specific]
    if not specific:
        return f"    per copy: what each component reserves on {first}"
    given = "; ".join(
        f"{r.component} {_resources(Resources(r.accelerators, r.memory_mib, r.cpu_cores))}" for r in specific
    )
    rest = "" if len(specific) == len(pool.reservations) else f"; the others as on {first}"
    return f"    per copy (compute_by_instance_type): {given}{rest}"


def _pool_lines(plan: EndpointPlan) -> list[str]:
    if not plan.pools:
        return []
    first = plan.instance_type.name
    lines = [
        f"  instance pools: SageMaker provisions {first} first and the next type when capacity is short "
        "(at creation and scale-out); scale-in releases fallback instances first",
        "  instance_count is the variant's, whatever the types; each fallback is planned as a fleet of that type "
        "alone:",
    ]
    lines += [f"    {_fallback(pool, level)}" for pool in plan.pools for level in pool.levels]
    for pool in plan.pools:
        facts = _facts(pool.facts) if pool.facts is not None else "unknown type"
        lines.append(f"  pool {pool.priority}: {pool.instance_type} ({facts}), {pool.scenario}")
        lines.append(_reservation_line(pool, first))
        lines += _table(pool.initial, pool.max, indent="    ")
        for level in pool.levels:
            if isinstance(level, LevelPlan):
                lines += _placement_lines(level, indent="    ")
    return lines


def endpoint_text(plan: EndpointPlan) -> str:
    t, counts = plan.instance_type, plan.instance_count
    header = (
        f"{plan.name}: {t.name} ({_facts(t)}), "
        f"instance_count initial {counts.initial} / min {counts.min} / max {counts.max}"
    )
    lines = [header, *_table(plan.initial, plan.max), *_adapter_lines(plan)]
    lines += _placement_lines(plan.initial)
    lines += _placement_lines(plan.max)
    lines += _pool_lines(plan)
    return "\n".join(lines)


def plan_text(plan: CatalogPlan) -> str:
    """The report the `plan` command prints."""
    if not plan.endpoints:
        return f"{plan.source}: no inference-component endpoints to plan"
    rule = (
        "the smallest fitting type of the same family"
        if plan.baseline_rule == "same-family"
        else ("the smallest fitting known type")
    )
    head = (
        f"{plan.source}: {_plural(len(plan.endpoints), 'inference-component endpoint')}; "
        f"baseline: one dedicated instance per copy, {rule}"
    )
    if any(e.pools for e in plan.endpoints):
        basis = (
            "that type's reservations and family" if plan.baseline_rule == "same-family" else "that type's reservations"
        )
        head += f"; per pool type like for like: the same copies with {basis}, at the same prices"
    return "\n\n".join([head, *(endpoint_text(e) for e in plan.endpoints)])
