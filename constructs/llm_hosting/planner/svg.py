"""The placement as an SVG picture: per endpoint, instances x GPUs, each copy a labelled block.

Hand-written SVG (no dependency): one section per endpoint with its initial and its maximum
placement, a colour per component and a legend that names every component, its reservation and
its LoRA adapters; inside it, one section per fallback pool type, drawn the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from llm_hosting.planner.model import InstancePlacement
from llm_hosting.planner.plan import CatalogPlan, EndpointPlan, LevelPlan, PoolPlan, Unplanned

# Light fills so dark labels stay readable; neighbours in the list differ in hue.
PALETTE = (
    "#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69",
    "#fccde5", "#ffffb3", "#bc80bd", "#ccebc5", "#ffed6f", "#d9d9d9",
)  # fmt: skip
FREE_FILL = "#f7f7f7"
FONT = "font-family='Helvetica, Arial, sans-serif'"

CELL_W = 120
CELL_H = 34
ROW_GAP = 6
LEFT = 64
"""Room for the instance labels."""
SIDE = 360
"""Room right of the grid for memory/CPU bars."""
CHAR_W = 6.2
"""Approximate width of one 11 px character, for shortening labels that would overflow."""
PAD = 16


def _text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f"<text x='{x:.0f}' y='{y:.0f}' {FONT} font-size='{size}' font-weight='{weight}' "
        f"text-anchor='{anchor}' fill='#222'>{escape(content)}</text>"
    )


def _fit(label: str, width: float) -> str:
    room = int((width - 8) / CHAR_W)
    if len(label) <= room:
        return label
    return label[: max(room - 1, 1)] + "…"


def _colours(plan: EndpointPlan) -> dict[str, str]:
    return {c.name: PALETTE[i % len(PALETTE)] for i, c in enumerate(plan.max.placement.components)}


def _bar(x: float, y: float, label: str, share: float) -> list[str]:
    width = 90
    filled = max(0.0, min(1.0, share)) * width
    return [
        f"<rect x='{x:.0f}' y='{y:.0f}' width='{width}' height='8' fill='#eee' stroke='#bbb'/>",
        f"<rect x='{x:.0f}' y='{y:.0f}' width='{filled:.1f}' height='8' fill='#888'/>",
        _text(x + width + 6, y + 8, f"{label} {100 * share:.0f} %", size=10),
    ]


def _adapters(count: int) -> str:
    return f"{count} LoRA adapter{'' if count == 1 else 's'}"


def _row(
    instance: InstancePlacement, level: LevelPlan, colours: dict[str, str], adapters: Mapping[str, int], top: float
) -> list[str]:
    capacity = level.placement.instance
    out = [_text(LEFT - 8, top + CELL_H / 2 + 4, f"#{instance.index + 1}", anchor="end")]
    for g in range(capacity.gpus):
        if instance.gpu_owners[g] is None:
            out.append(
                f"<rect x='{LEFT + g * CELL_W}' y='{top:.0f}' width='{CELL_W - 2}' height='{CELL_H}' "
                f"fill='{FREE_FILL}' stroke='#ccc' stroke-dasharray='3,2'><title>GPU {g}: free</title></rect>"
            )
    gpu_less = []
    for copy in instance.copies:
        label = f"{copy.component} #{copy.copy}"
        if not copy.gpu_indices:
            gpu_less.append(label)
            continue
        x = LEFT + copy.gpu_indices[0] * CELL_W
        width = len(copy.gpu_indices) * CELL_W - 2
        gpus = ", ".join(str(g) for g in copy.gpu_indices)
        riding = adapters.get(copy.component, 0)
        serves = f", serving {_adapters(riding)}" if riding else ""
        out.append(
            f"<rect x='{x}' y='{top:.0f}' width='{width}' height='{CELL_H}' rx='3' fill='{colours[copy.component]}' "
            f"stroke='#555'><title>{escape(label)} on GPU {gpus}{escape(serves)}</title></rect>"
        )
        # Name on top, copy number below: the name is what a reader scans for.
        out.append(_text(x + width / 2, top + 14, _fit(copy.component, width), anchor="middle"))
        below = f"copy {copy.copy}" + (f" + {riding} LoRA" if riding else "")
        out.append(_text(x + width / 2, top + 27, _fit(below, width), size=9, anchor="middle"))
    side = LEFT + capacity.gpus * CELL_W + 12
    used = instance.used
    out += _bar(side, top + 4, "memory", used.memory_mib / capacity.memory_mib if capacity.memory_mib else 0)
    out += _bar(side, top + 17, "CPU", used.cpu_cores / capacity.vcpus if capacity.vcpus else 0)
    notes = [*(f"{g} (no GPU)" for g in gpu_less), *(["stranded"] if instance.stranded else [])]
    if notes:
        out.append(_text(side + 180, top + CELL_H / 2 + 4, ", ".join(notes), size=10))
    return out


def _level(
    level: LevelPlan, colours: dict[str, str], adapters: Mapping[str, int], top: float
) -> tuple[list[str], float]:
    result = level.placement
    proof = "proven optimal" if result.proven_optimal else f"lower bound {result.lower_bound}"
    verdict = "enough" if level.enough_instances else "too few"
    title = (
        f"{level.level} copies: {result.instance_count} instance{'' if result.instance_count == 1 else 's'} "
        f"({proof}); configured {level.configured_instances} ({verdict})"
    )
    out = [_text(PAD, top + 14, title, size=12, weight="bold")]
    top += 24
    out += [
        _text(LEFT + g * CELL_W + CELL_W / 2, top + 10, f"GPU {g}", size=10, anchor="middle")
        for g in range(result.instance.gpus)
    ]
    top += 16
    if not result.instances:
        out.append(_text(LEFT, top + 14, "no instances: no copies at this level", size=11))
        return out, top + 28
    for instance in result.instances:
        out += _row(instance, level, colours, adapters, top)
        top += CELL_H + ROW_GAP
    return out, top + 8


def _adapter_counts(plan: EndpointPlan) -> dict[str, int]:
    return {c.component: len(c.adapters) for c in plan.adapters if c.adapters}


def _legend(plan: EndpointPlan, colours: dict[str, str], top: float) -> tuple[list[str], float]:
    out = [_text(PAD, top + 12, "components (per copy; copies at initial / max)", size=11, weight="bold")]
    top += 20
    initial = {c.name: c.copies for c in plan.initial.placement.components}
    adapters = _adapter_counts(plan)
    for c in plan.max.placement.components:
        out.append(f"<rect x='{PAD}' y='{top:.0f}' width='14' height='14' fill='{colours[c.name]}' stroke='#555'/>")
        detail = (
            f"{c.name}: {c.accelerators} GPU{'' if c.accelerators == 1 else 's'}, {c.memory_mib / 1024:.1f} GiB, "
            f"{c.cpu_cores:g} vCPUs; {initial.get(c.name, 0)} / {c.copies} copies"
        )
        if c.name in adapters:
            detail += f"; carries {_adapters(adapters[c.name])}, which reserve nothing (they use these copies)"
        out.append(_text(PAD + 22, top + 11, detail))
        top += 20
    return out, top + 6


def _pool_section(plan: EndpointPlan, pool: PoolPlan, colours: dict[str, str], top: float) -> tuple[list[str], float]:
    """A fallback pool type: the fleet it becomes when the types before it are short."""
    t = pool.facts
    facts = f"{t.gpus} GPUs, {t.memory_mib / 1024:.0f} GiB, {t.vcpus} vCPUs" if t is not None else "unknown type"
    out = [
        f"<g id={quoteattr(f'pool-{plan.name}-{pool.instance_type}')}>",
        _text(
            PAD,
            top + 16,
            f"pool {pool.priority}: {pool.instance_type} ({facts}), {pool.scenario}",
            size=13,
            weight="bold",
        ),
    ]
    top += 24
    specific = [r for r in pool.reservations if r.specific]
    if specific:
        given = "; ".join(
            f"{r.component} {r.accelerators} GPU{'' if r.accelerators == 1 else 's'}, {r.memory_mib / 1024:.1f} GiB, "
            f"{r.cpu_cores:g} vCPUs"
            for r in specific
        )
        out.append(_text(PAD, top + 12, f"per copy on {pool.instance_type} (compute_by_instance_type): {given}"))
        top += 20
    adapters = _adapter_counts(plan)
    for level in pool.levels:
        if isinstance(level, Unplanned):
            out.append(_text(PAD, top + 14, f"{level.level} copies: not planned: {level.reason}", size=11))
            top += 26
            continue
        drawn, top = _level(level, colours, adapters, top)
        out += drawn
    out.append("</g>")
    return out, top + 10


def _section(plan: EndpointPlan, top: float) -> tuple[list[str], float]:
    colours = _colours(plan)
    t = plan.instance_type
    out = [
        f"<g id={quoteattr('endpoint-' + plan.name)}>",
        _text(
            PAD,
            top + 18,
            f"{plan.name} — {t.name} ({t.gpus} GPUs, {t.memory_mib / 1024:.0f} GiB, {t.vcpus} vCPUs)",
            size=15,
            weight="bold",
        ),
    ]
    top += 30
    legend, top = _legend(plan, colours, top)
    out += legend
    adapters = _adapter_counts(plan)
    for level in (plan.initial, plan.max):
        drawn, top = _level(level, colours, adapters, top)
        out += drawn
    for pool in plan.pools:
        drawn, top = _pool_section(plan, pool, colours, top)
        out += drawn
    out.append("</g>")
    return out, top + 20


def plan_svg(plan: CatalogPlan) -> str:
    """One SVG document with a section per inference-component endpoint."""
    body: list[str] = []
    top = float(PAD)
    body.append(_text(PAD, top + 16, f"Placement plan: {plan.source}", size=16, weight="bold"))
    top += 34
    if not plan.endpoints:
        body.append(_text(PAD, top + 14, "no inference-component endpoints to plan"))
        top += 30
    widest = max(
        (
            gpus
            for e in plan.endpoints
            for gpus in (e.instance_type.gpus, *(p.facts.gpus for p in e.pools if p.facts is not None))
        ),
        default=0,
    )
    for endpoint in plan.endpoints:
        drawn, top = _section(endpoint, top)
        body += drawn
    width = max(LEFT + widest * CELL_W + SIDE + PAD, 720)
    height = int(top + PAD)
    return "\n".join(
        [
            "<?xml version='1.0' encoding='UTF-8'?>",
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}'>",
            f"<title>{escape('Placement plan: ' + plan.source)}</title>",
            f"<rect width='{width}' height='{height}' fill='white'/>",
            *body,
            "</svg>",
            "",
        ]
    )
