"""The CodeGen endpoint: many models sharing one GPU fleet through inference components."""

from __future__ import annotations

from typing import Any

import pytest

from tests.synth import Synthesized
from tests.templates import of_type, props, statements, text

STACK = "llm-hosting-codegen"
COMPONENTS = ["codegen-inline", "codegen-blockgen", "codegen-flowgpt", "codellama-13b"]


@pytest.fixture(scope="module")
def template(default_synth: Synthesized) -> dict[str, Any]:
    return default_synth.template(STACK)


def _components(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["InferenceComponentName"]: r
        for r in of_type(template, "AWS::SageMaker::InferenceComponent").values()
    }


def _by_resource_id(template: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        t["Properties"]["ResourceId"]: (k, t)
        for k, t in of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget").items()
    }


def test_the_endpoint_config_has_no_model_and_carries_the_role(template: dict[str, Any]) -> None:
    config = props(template, "AWS::SageMaker::EndpointConfig")
    (variant,) = config["ProductionVariants"]
    assert "ModelName" not in variant
    assert config["ExecutionRoleArn"] == {"Fn::GetAtt": [next(iter(of_type(template, "AWS::IAM::Role"))), "Arn"]}
    assert of_type(template, "AWS::SageMaker::Model") == {}


def test_the_fleet_scales_itself_and_routes_to_the_least_busy_copy(template: dict[str, Any]) -> None:
    (variant,) = props(template, "AWS::SageMaker::EndpointConfig")["ProductionVariants"]
    assert variant["InstanceType"] == "ml.p4d.24xlarge"
    assert variant["InitialInstanceCount"] == 1
    assert variant["ManagedInstanceScaling"] == {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 2}
    assert variant["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}
    # p4d has NVMe storage: no volume size and no endpoint-config key.
    assert "VolumeSizeInGB" not in variant
    assert "KmsKeyId" not in props(template, "AWS::SageMaker::EndpointConfig")


def test_each_component_is_named_and_reserves_its_own_compute(template: dict[str, Any]) -> None:
    components = _components(template)
    assert sorted(components) == sorted(COMPONENTS)
    blockgen = components["codegen-blockgen"]["Properties"]
    assert blockgen["EndpointName"] == "codegen"
    assert blockgen["VariantName"] == "AllTraffic"
    assert blockgen["Specification"]["ComputeResourceRequirements"] == {
        "NumberOfAcceleratorDevicesRequired": 2,
        "NumberOfCpuCoresRequired": 8,
        "MinMemoryRequiredInMb": 65536,
    }
    assert blockgen["RuntimeConfig"] == {"CopyCount": 1}
    assert components["codegen-inline"]["Properties"]["RuntimeConfig"] == {"CopyCount": 2}


def test_components_take_their_image_from_the_engine_and_their_archive_from_the_endpoint_prefix(
    template: dict[str, Any],
) -> None:
    components = _components(template)
    inline = components["codegen-inline"]["Properties"]["Specification"]["Container"]
    assert inline["Image"]["Fn::Join"][1][1] == "/djl-inference:0.24.0-fastertransformer5.3.0-cu118"
    assert inline["ArtifactUrl"]["Fn::Sub"].startswith(
        "s3://llm-hosting-artifacts-${AWS::AccountId}-${AWS::Region}/assets/codegen/"
    )
    llama = components["codellama-13b"]["Properties"]["Specification"]["Container"]
    assert llama["Image"]["Fn::Join"][1][1] == "/djl-inference:0.32.0-lmi14.0.0-cu126"
    # Same code, different serving.properties (weights, batching): each component with code has its own
    # archive; the one without code has none, its serving options are in its environment.
    urls = {
        name: c["Properties"]["Specification"]["Container"].get("ArtifactUrl", {}).get("Fn::Sub")
        for name, c in components.items()
    }
    assert len({u for u in urls.values() if u is not None}) == 3
    assert urls["codellama-13b"] is None
    assert llama["Environment"] == {
        "HF_MODEL_ID": "s3://example-weights/codellama-13b/",
        "OPTION_DTYPE": "fp16",
        "OPTION_ENGINE": "Python",
        "OPTION_MAX_ROLLING_BATCH_SIZE": "32",
        "OPTION_ROLLING_BATCH": "vllm",
        "OPTION_TENSOR_PARALLEL_DEGREE": "2",
    }


def test_components_start_with_the_endpoint_startup_timeouts(template: dict[str, Any]) -> None:
    for component in _components(template).values():
        assert component["Properties"]["Specification"]["StartupParameters"] == {
            "ModelDataDownloadTimeoutInSeconds": 900,
            "ContainerStartupHealthCheckTimeoutInSeconds": 900,
        }


def test_each_component_waits_for_the_endpoint(template: dict[str, Any]) -> None:
    (endpoint_id,) = of_type(template, "AWS::SageMaker::Endpoint")
    for component in _components(template).values():
        assert component["DependsOn"] == [endpoint_id]


def test_copies_scale_per_component_on_the_copy_count_dimension(template: dict[str, Any]) -> None:
    targets = _by_resource_id(template)
    assert sorted(targets) == sorted(f"inference-component/{c}" for c in COMPONENTS)
    for _, target in targets.values():
        assert target["Properties"]["ScalableDimension"] == "sagemaker:inference-component:DesiredCopyCount"
        assert target["Properties"]["ServiceNamespace"] == "sagemaker"
        assert "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint" in text(target["Properties"]["RoleARN"])
    limits = {rid: (t["Properties"]["MinCapacity"], t["Properties"]["MaxCapacity"]) for rid, (_, t) in targets.items()}
    assert limits == {
        "inference-component/codegen-inline": (1, 4),
        "inference-component/codegen-blockgen": (1, 3),
        "inference-component/codegen-flowgpt": (0, 2),
        "inference-component/codellama-13b": (0, 1),
    }
    components = dict(_components(template).items())
    for name in COMPONENTS:
        _, target = targets[f"inference-component/{name}"]
        component_id = next(
            k for k, v in of_type(template, "AWS::SageMaker::InferenceComponent").items() if v is components[name]
        )
        assert target["DependsOn"] == [component_id]


def test_target_tracking_uses_the_component_metrics(template: dict[str, Any]) -> None:
    tracking = {
        p["Properties"]["PolicyName"]: p["Properties"]["TargetTrackingScalingPolicyConfiguration"]
        for p in of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
        if p["Properties"]["PolicyType"] == "TargetTrackingScaling"
    }
    assert tracking["codegen-inline-concurrent-requests-per-copy"]["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"
    }
    assert tracking["codegen-inline-concurrent-requests-per-copy"]["TargetValue"] == 8
    blockgen = tracking["codegen-blockgen-invocations-per-copy"]
    assert blockgen["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"
    }
    assert (blockgen["TargetValue"], blockgen["ScaleInCooldown"], blockgen["ScaleOutCooldown"]) == (10, 300, 60)


def test_components_that_may_reach_zero_scale_out_again_on_no_capacity_failures(template: dict[str, Any]) -> None:
    steps = {
        k: p["Properties"]
        for k, p in of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy").items()
        if p["Properties"]["PolicyType"] == "StepScaling"
    }
    assert sorted(p["PolicyName"] for p in steps.values()) == [
        "codegen-flowgpt-scale-out-from-zero",
        "codellama-13b-scale-out-from-zero",
    ]
    for policy in steps.values():
        assert policy["StepScalingPolicyConfiguration"] == {
            "AdjustmentType": "ChangeInCapacity",
            "MetricAggregationType": "Maximum",
            "Cooldown": 60,
            "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
        }
    alarms = [
        a["Properties"]
        for k, a in of_type(template, "AWS::CloudWatch::Alarm").items()
        if a["Properties"]["MetricName"] == "NoCapacityInvocationFailures" and "ScalingNoCapacity" in k
    ]
    assert len(alarms) == 2
    for alarm in alarms:
        (dimension,) = alarm["Dimensions"]
        assert dimension["Name"] == "InferenceComponentName"
        assert (alarm["Namespace"], alarm["Statistic"], alarm["Period"]) == ("AWS/SageMaker", "Sum", 60)
        assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"], alarm["Threshold"]) == (1, 1, 1)
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        (action,) = alarm["AlarmActions"]
        assert action["Ref"] in steps
        assert steps[action["Ref"]]["PolicyName"] == f"{dimension['Value']}-scale-out-from-zero"


def test_components_with_a_floor_get_no_scale_from_zero_path(template: dict[str, Any]) -> None:
    names = [
        p["Properties"]["PolicyName"] for p in of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    ]
    assert not any(n.startswith(("codegen-blockgen-scale-out", "codegen-inline-scale-out")) for n in names)


def test_updates_roll_half_the_copies_at_a_time_and_roll_back_on_alarms(template: dict[str, Any]) -> None:
    for name, component in _components(template).items():
        config = component["Properties"]["DeploymentConfig"]
        assert config["RollingUpdatePolicy"] == {
            "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
            "WaitIntervalInSeconds": 120,
        }
        alarm_ids = [a["AlarmName"]["Ref"] for a in config["AutoRollbackConfiguration"]["Alarms"]]
        metrics = {}
        for alarm_id in alarm_ids:
            alarm = template["Resources"][alarm_id]["Properties"]
            assert alarm["Dimensions"] == [{"Name": "InferenceComponentName", "Value": name}]
            metrics[alarm["MetricName"]] = alarm
        assert sorted(metrics) == ["Invocation5XXErrors", "ModelLatency"]


def test_the_shared_role_reads_the_endpoint_prefix_and_every_weights_prefix(template: dict[str, Any]) -> None:
    (reads,) = [s for s in statements(template) if s["Action"] == "s3:GetObject"]
    rendered = sorted(text(r) for r in reads["Resource"])
    assert any("/assets/codegen/*" in r for r in rendered)
    for weights in ("codegen25-7b-inline", "codegen25-7b-blockgen", "codegen25-7b-flowgpt", "codellama-13b"):
        assert any(f"example-weights/{weights}/*" in r for r in rendered), weights


def test_the_shared_role_pulls_the_one_repository_all_components_use(template: dict[str, Any]) -> None:
    pulls = [s for s in statements(template) if "ecr:BatchGetImage" in s["Action"]]
    assert len(pulls) == 1
    assert text(pulls[0]["Resource"]).endswith(':repository/djl-inference"]]}')


def test_the_role_may_write_component_logs(template: dict[str, Any]) -> None:
    groups = text([s["Resource"] for s in statements(template) if s["Action"] == "logs:CreateLogGroup"])
    assert "/aws/sagemaker/InferenceComponents/*" in groups
    assert "/aws/sagemaker/Endpoints/codegen" in groups


def test_the_component_archives_carry_the_catalog_batching(default_synth: Synthesized) -> None:
    import tarfile

    from llm_hosting.packaging import parse_properties

    props_by_component = {}
    for component in _components(default_synth.template(STACK)).values():
        if "ArtifactUrl" not in component["Properties"]["Specification"]["Container"]:
            continue  # no code: the serving options are in the environment
        key = component["Properties"]["Specification"]["Container"]["ArtifactUrl"]["Fn::Sub"].rsplit("/", 1)[1]
        with tarfile.open(default_synth.outdir / f"asset.{key}") as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("serving.properties"))
            props_by_component[component["Properties"]["InferenceComponentName"]] = parse_properties(
                tar.extractfile(member).read().decode()  # type: ignore[union-attr]
            )
    inline = props_by_component["codegen-inline"]
    # CodeGen 2.5 (llama, custom tokenizer code) runs on FasterTransformer 0.24.0's Python path.
    assert (inline["engine"], inline["option.trust_remote_code"]) == ("Python", "true")
    assert (inline["batch_size"], inline["max_batch_delay"]) == ("64", "20")
    assert inline["option.s3url"] == "s3://example-weights/codegen25-7b-inline/"
    assert inline["option.default_max_new_tokens"] == "32"
    assert props_by_component["codegen-blockgen"]["option.tensor_parallel_degree"] == "2"
    assert "codellama-13b" not in props_by_component
