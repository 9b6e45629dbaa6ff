"""CloudWatch dashboard bodies for endpoints, rendered from the metric definitions in `metrics.py`.

Pure Python: the body is one JSON document with `${AWS::Region}` left for `Fn::Sub`, so a dashboard
is one resource and one string, however many components it shows (no construct per metric line).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from llm_hosting.monitoring import metrics
from llm_hosting.monitoring.metrics import ComponentMetrics, MetricSpec, VariantMetrics

REGION = "${AWS::Region}"
WIDTH = 24
HALF = 12
HEIGHT = 6


@dataclass(frozen=True)
class Line:
    """One plotted line: a metric, or an expression over hidden metrics (e.g. microseconds -> ms)."""

    metric: MetricSpec
    label: str
    scale: float | None = None
    """Divide the metric by this (1000: microseconds to milliseconds)."""
    over: MetricSpec | None = None
    """Plot metric / over instead (e.g. Invocations / InvocationsPerInstance = instances serving)."""


@dataclass(frozen=True)
class Graph:
    title: str
    lines: Sequence[Line]
    width: int = HALF
    y_max: float | None = None
    horizontal: Sequence[tuple[float, str]] = field(default_factory=tuple)


def _metric_row(spec: MetricSpec, extra: dict[str, Any]) -> list[Any]:
    row: list[Any] = [spec.namespace, spec.name]
    for key, value in spec.dimensions:
        row += [key, value]
    row.append({"stat": spec.statistic, "period": spec.period_s, **extra})
    return row


def _graph_metrics(graph: Graph) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for index, line in enumerate(graph.lines):
        if line.scale is None and line.over is None:
            rows.append(_metric_row(line.metric, {"label": line.label}))
            continue
        metric_id = f"m{index}"
        if line.over is not None:
            over_id = f"d{index}"
            rows.append(_metric_row(line.metric, {"id": metric_id, "visible": False}))
            rows.append(_metric_row(line.over, {"id": over_id, "visible": False}))
            rows.append([{"expression": f"{metric_id} / {over_id}", "label": line.label, "id": f"e{index}"}])
        else:
            rows.append(_metric_row(line.metric, {"id": metric_id, "visible": False}))
            rows.append([{"expression": f"{metric_id} / {line.scale:g}", "label": line.label, "id": f"e{index}"}])
    return rows


def render(graphs: Sequence[Graph], *, title: str) -> str:
    """The dashboard body: a text header, then graphs flowing left to right, top to bottom."""
    widgets: list[dict[str, Any]] = [
        {"type": "text", "x": 0, "y": 0, "width": WIDTH, "height": 1, "properties": {"markdown": f"## {title}"}}
    ]
    x, y = 0, 1
    for graph in graphs:
        if x + graph.width > WIDTH:
            x, y = 0, y + HEIGHT
        properties: dict[str, Any] = {
            "title": graph.title,
            "region": REGION,
            "view": "timeSeries",
            "stacked": False,
            "metrics": _graph_metrics(graph),
        }
        if graph.y_max is not None:
            properties["yAxis"] = {"left": {"min": 0, "max": graph.y_max}}
        if graph.horizontal:
            properties["annotations"] = {"horizontal": [{"value": v, "label": label} for v, label in graph.horizontal]}
        widgets.append(
            {"type": "metric", "x": x, "y": y, "width": graph.width, "height": HEIGHT, "properties": properties}
        )
        x += graph.width
    return json.dumps({"widgets": widgets}, separators=(",", ":"), sort_keys=True)


def _latency(spec_for: Any, subject: str) -> list[Line]:
    return [Line(spec_for(s), f"{subject} {s} (ms)", scale=1000) for s in ("p50", "p90", "p99")]


def variant_graphs(
    variant: VariantMetrics, *, gpus: int, gpu_memory_target: float | None = None, models: bool = False
) -> list[Graph]:
    """Graphs of a single-model or multi-model endpoint (`models`: loaded models, cache, warm-up)."""
    graphs = [
        Graph(
            "Invocations and errors",
            [
                Line(variant.invocations(), "invocations"),
                Line(variant.invocation_4xx_errors(), "4xx errors"),
                Line(variant.invocation_5xx_errors(), "5xx errors"),
            ],
        ),
        Graph("Model latency", _latency(variant.model_latency, "latency")),
        Graph(
            f"GPU (percent x {gpus} GPUs)",
            [
                Line(variant.gpu_utilization(), "GPU utilization"),
                Line(variant.gpu_memory_utilization(), "GPU memory"),
            ],
            y_max=100.0 * max(gpus, 1),
            horizontal=((gpu_memory_target, "scaling target"),) if gpu_memory_target is not None else (),
        ),
        Graph(
            "Instances serving (invocations / invocations per instance)",
            [Line(variant.invocations(), "instances", over=variant.invocations_per_instance())],
        ),
    ]
    if models:
        graphs += [
            Graph(
                "Models on the instances",
                [
                    Line(variant.instance_metric("LoadedModelCount"), "loaded models"),
                    Line(variant.invocation_metric("ModelCacheHit", "Average"), "cache hit rate"),
                ],
            ),
            Graph(
                "Model loading (ms)",
                [
                    Line(variant.invocation_metric("ModelLoadingWaitTime", "p90"), "wait p90", scale=1000),
                    Line(variant.invocation_metric("ModelDownloadingTime", "p90"), "download p90", scale=1000),
                    Line(variant.invocation_metric("ModelLoadingTime", "p90"), "load p90", scale=1000),
                ],
            ),
            Graph(
                "Hourly warm-up",
                [
                    Line(metrics.warmup(name, variant.endpoint), name)
                    for name in ("ModelsWarmed", "ModelsFailed", "ModelsSkipped")
                ],
                width=WIDTH,
            ),
        ]
    return graphs


def fleet_graphs(variant: VariantMetrics) -> list[Graph]:
    """Graphs of an inference-component endpoint's shared fleet (reservation and use, 0-100 %)."""
    return [
        Graph(
            "Fleet: reserved and used (percent of the fleet)",
            [
                Line(variant.instance_metric("GPUReservation"), "GPUs reserved"),
                Line(variant.instance_metric("GPUUtilizationNormalized"), "GPU utilization"),
                Line(variant.instance_metric("GPUMemoryUtilizationNormalized"), "GPU memory"),
                Line(variant.instance_metric("MemoryReservation"), "memory reserved"),
            ],
            width=WIDTH,
            y_max=100.0,
        )
    ]


def component_graphs(components: Sequence[ComponentMetrics]) -> list[Graph]:
    """One line per component in each graph, over as many graphs as keep each within
    MAX_ROWS_PER_GRAPH (a stack's 70 components fit one graph of invocations, not one of copies)."""
    if not components:
        return []
    return [
        *_per_item_graphs(
            "Invocations per component", [Line(c.invocations(), c.component) for c in components], "components"
        ),
        *_per_item_graphs(
            "Model latency p90 per component (ms)",
            [Line(c.model_latency("p90"), c.component, scale=1000) for c in components],
            "components",
        ),
        *_per_item_graphs(
            "Copies serving per component (invocations / invocations per copy)",
            [Line(c.invocations(), c.component, over=c.invocations_per_copy()) for c in components],
            "components",
        ),
        *_per_item_graphs(
            "Requests that found no copy (NoCapacityInvocationFailures)",
            [Line(c.no_capacity_invocation_failures(), c.component) for c in components],
            "components",
        ),
    ]


MAX_ROWS_PER_GRAPH = 100
"""Metrics and expressions in one graph (CloudWatch's metric widget structure: 1-100)."""


def _rows(line: Line) -> int:
    """The metric rows `_graph_metrics` writes for one line: the metric, and for a ratio the divisor
    too, each hidden behind the expression that shows it."""
    if line.over is not None:
        return 3
    return 2 if line.scale is not None else 1


def _per_item_graphs(title: str, lines: Sequence[Line], what: str) -> list[Graph]:
    """`lines` over as many graphs as keep each within MAX_ROWS_PER_GRAPH, titled with the range."""
    per_line = max((_rows(line) for line in lines), default=1)
    per_graph = MAX_ROWS_PER_GRAPH // per_line
    if len(lines) <= per_graph:
        return [Graph(title, lines)]
    return [
        Graph(f"{title}, {what} {start + 1}-{min(start + per_graph, len(lines))}", lines[start : start + per_graph])
        for start in range(0, len(lines), per_graph)
    ]


def adapter_graphs(adapters: Sequence[ComponentMetrics]) -> list[Graph]:
    """Per adapter its invocations, 5xx errors and latency, one line per adapter (each adapter is an
    inference component of its own, so its traffic has its own InferenceComponentName)."""
    if not adapters:
        return []
    return [
        *_per_item_graphs(
            "Invocations per adapter", [Line(a.invocations(), a.component) for a in adapters], "adapters"
        ),
        *_per_item_graphs(
            "5xx errors per adapter", [Line(a.invocation_5xx_errors(), a.component) for a in adapters], "adapters"
        ),
        *_per_item_graphs(
            "Model latency p90 per adapter (ms)",
            [Line(a.model_latency("p90"), a.component, scale=1000) for a in adapters],
            "adapters",
        ),
    ]
