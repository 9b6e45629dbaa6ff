"""A dashboard per endpoint stack and alarms that notify, drawn from the metric definitions that the
scaling policies and rollback alarms use."""

from __future__ import annotations

import json
from typing import Any

import pytest

from llm_hosting.monitoring import metrics
from llm_hosting.monitoring.dashboards import Graph, Line, render
from tests.synth import Synthesized
from tests.templates import of_type, props


def body(template: dict[str, Any]) -> dict[str, Any]:
    dashboard = props(template, "AWS::CloudWatch::Dashboard")
    return json.loads(dashboard["DashboardBody"]["Fn::Sub"].replace("${AWS::Region}", "us-east-1"))


def graph(board: dict[str, Any], title: str) -> dict[str, Any]:
    return next(w["properties"] for w in board["widgets"] if w["properties"].get("title", "").startswith(title))


def plotted(widget: dict[str, Any]) -> list[list[Any]]:
    return [row for row in widget["metrics"] if isinstance(row[0], str)]


@pytest.mark.parametrize(
    "stack", ["llm-hosting-flan-t5-xxl", "llm-hosting-codegen", "llm-hosting-embeddings", "llm-hosting-autocomplete"]
)
def test_each_endpoint_stack_has_one_dashboard_named_per_region(default_synth: Synthesized, stack: str) -> None:
    dashboard = props(default_synth.template(stack), "AWS::CloudWatch::Dashboard")
    assert dashboard["DashboardName"] == {"Fn::Sub": f"{stack}-${{AWS::Region}}"}
    board = body(default_synth.template(stack))
    assert all(w["properties"].get("region", "us-east-1") == "us-east-1" for w in board["widgets"])


def test_the_single_model_dashboard_shows_traffic_latency_gpus_and_instances(default_synth: Synthesized) -> None:
    board = body(default_synth.template("llm-hosting-flan-t5-xxl"))
    assert [r[1] for r in plotted(graph(board, "Invocations and errors"))] == [
        "Invocations",
        "Invocation4XXErrors",
        "Invocation5XXErrors",
    ]
    latency = graph(board, "Model latency")
    assert [e[0]["expression"] for e in latency["metrics"] if isinstance(e[0], dict)] == [
        "m0 / 1000",
        "m1 / 1000",
        "m2 / 1000",
    ]
    gpus = graph(board, "GPU (percent x 4 GPUs)")
    assert gpus["yAxis"] == {"left": {"min": 0, "max": 400.0}}
    instances = graph(board, "Instances serving")
    assert [r[1] for r in plotted(instances)] == ["Invocations", "InvocationsPerInstance"]


def test_the_gpu_memory_line_is_the_metric_the_scaling_policy_tracks(default_synth: Synthesized) -> None:
    template = default_synth.template("llm-hosting-embeddings")
    tracked = props(template, "AWS::ApplicationAutoScaling::ScalingPolicy")["TargetTrackingScalingPolicyConfiguration"]
    custom = tracked["CustomizedMetricSpecification"]
    (row,) = [r for r in plotted(graph(body(template), "GPU (")) if r[1] == "GPUMemoryUtilization"]
    assert (row[0], row[1], row[2:6]) == (
        custom["Namespace"],
        custom["MetricName"],
        [x for d in custom["Dimensions"] for x in (d["Name"], d["Value"])],
    )
    assert graph(body(template), "GPU (")["annotations"] == {"horizontal": [{"value": 80, "label": "scaling target"}]}


def test_the_multi_model_dashboard_shows_loaded_models_cache_and_warmup(default_synth: Synthesized) -> None:
    board = body(default_synth.template("llm-hosting-embeddings"))
    assert [r[1] for r in plotted(graph(board, "Models on the instances"))] == ["LoadedModelCount", "ModelCacheHit"]
    warmup = plotted(graph(board, "Hourly warm-up"))
    assert [(r[0], r[1], r[2:4]) for r in warmup] == [
        ("LLMHosting/Warmup", name, ["EndpointName", "embeddings"])
        for name in ("ModelsWarmed", "ModelsFailed", "ModelsSkipped")
    ]


def test_the_shared_endpoint_dashboard_shows_the_fleet_and_every_component(default_synth: Synthesized) -> None:
    board = body(default_synth.template("llm-hosting-codegen"))
    assert "GPUReservation" in [r[1] for r in plotted(graph(board, "Fleet"))]
    names = ["codegen-inline", "codegen-blockgen", "codegen-flowgpt", "codellama-13b"]
    for title in (
        "Invocations per component",
        "Model latency p90 per component",
        "Copies serving",
        "Requests that found no copy",
    ):
        rows = [r for r in plotted(graph(board, title)) if r[1] != "InvocationsPerCopy"]
        assert [r[3] for r in rows] == names, title


def test_components_that_keep_copies_alarm_when_requests_find_none(default_synth: Synthesized) -> None:
    template = default_synth.template("llm-hosting-codegen")
    capacity = {
        a["Properties"]["Dimensions"][0]["Value"]: a["Properties"]
        for k, a in of_type(template, "AWS::CloudWatch::Alarm").items()
        if "CapacityAlarm" in k
    }
    assert sorted(capacity) == ["codegen-blockgen", "codegen-inline"]  # the two with a floor
    for alarm in capacity.values():
        assert alarm["MetricName"] == "NoCapacityInvocationFailures"
        assert alarm["AlarmActions"] and alarm["AlarmActions"] == alarm["OKActions"]


def test_a_failed_warmup_alarms_the_operators(default_synth: Synthesized) -> None:
    template = default_synth.template("llm-hosting-autocomplete")
    (alarm,) = [a["Properties"] for k, a in of_type(template, "AWS::CloudWatch::Alarm").items() if "FailuresAlarm" in k]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Period"]) == ("LLMHosting/Warmup", "ModelsFailed", 3600)
    assert alarm["Dimensions"] == [{"Name": "EndpointName", "Value": "autocomplete"}]
    assert "Fn::GetStackOutput" in json.dumps(alarm["AlarmActions"])


def test_every_alarm_has_an_action(default_synth: Synthesized) -> None:
    for name, template in default_synth.templates.items():
        for logical_id, alarm in of_type(template, "AWS::CloudWatch::Alarm").items():
            assert alarm["Properties"].get("AlarmActions"), (name, logical_id)


def test_render_lays_graphs_out_in_rows_and_hides_the_inputs_of_expressions() -> None:
    spec = metrics.VariantMetrics("e", "v").invocations()
    board = json.loads(
        render(
            [Graph("a", [Line(spec, "x")]), Graph("b", [Line(spec, "y", scale=1000)]), Graph("c", [Line(spec, "z")])],
            title="T",
        )
    )
    positions = [(w["x"], w["y"]) for w in board["widgets"]]
    assert positions == [(0, 0), (0, 1), (12, 1), (0, 7)]
    hidden = board["widgets"][2]["properties"]["metrics"]
    assert hidden[0][-1] == {"id": "m0", "period": 60, "stat": "Sum", "visible": False}
    assert hidden[1] == [{"expression": "m0 / 1000", "id": "e0", "label": "y"}]
