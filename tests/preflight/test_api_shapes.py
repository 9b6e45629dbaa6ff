"""One mistake against botocore's request shapes gives exactly one line, naming the limit and its shape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llm_hosting.preflight.requests import REQUESTS
from llm_hosting.preflight.shapes import compile_pattern, input_shape
from tests.preflight.stacks import components_stack, edited, line, problem_lines, single_model_stack


def test_the_hand_built_stacks_pass(tmp_path: Path) -> None:
    assert problem_lines(tmp_path, {"C": components_stack(), "M": single_model_stack()}) == []


def test_an_inference_component_without_min_memory_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        del resources["Component"]["Properties"]["Specification"]["ComputeResourceRequirements"][
            "MinMemoryRequiredInMb"
        ]

    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == [
        line(
            tmp_path,
            "C",
            "Component",
            "Specification.ComputeResourceRequirements.MinMemoryRequiredInMb",
            "missing; the API requires it "
            "(botocore sagemaker CreateInferenceComponent shape InferenceComponentComputeResourceRequirements)",
        )
    ]


def test_an_endpoint_name_of_64_characters_is_reported(tmp_path: Path) -> None:
    name = "e" * 64
    assert problem_lines(tmp_path, {"M": single_model_stack(endpoint=name)}) == [
        line(
            tmp_path,
            "M",
            "Endpoint",
            "EndpointName",
            f"'{'e' * 59}…' is 64 characters, over the maximum of 63 (botocore sagemaker CreateEndpoint shape EndpointName)",
        )
    ]


def test_a_model_download_timeout_of_30_seconds_is_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        resources["Config"]["Properties"]["ProductionVariants"][0]["ModelDataDownloadTimeoutInSeconds"] = 30

    assert problem_lines(tmp_path, {"M": edited(single_model_stack(), change)}) == [
        line(
            tmp_path,
            "M",
            "Config",
            "ProductionVariants[0].ModelDataDownloadTimeoutInSeconds",
            "30 is under the minimum of 60 "
            "(botocore sagemaker CreateEndpointConfig shape ProductionVariantModelDataDownloadTimeoutInSeconds)",
        )
    ]


def test_eleven_rollback_alarms_are_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        alarms = [{"AlarmName": f"chat-rollback-{n}"} for n in range(11)]
        resources["Component"]["Properties"]["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"] = alarms

    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == [
        line(
            tmp_path,
            "C",
            "Component",
            "DeploymentConfig.AutoRollbackConfiguration.Alarms",
            "11 items, over the maximum of 10 (botocore sagemaker UpdateInferenceComponent shape AlarmList)",
        )
    ]


def test_a_routing_strategy_outside_the_enum_is_reported_with_the_choices(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        resources["Config"]["Properties"]["ProductionVariants"][0]["RoutingConfig"]["RoutingStrategy"] = (
            "LEAST_OUTSTANDING"
        )

    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == [
        line(
            tmp_path,
            "C",
            "Config",
            "ProductionVariants[0].RoutingConfig.RoutingStrategy",
            "'LEAST_OUTSTANDING' is not a value the API accepts: one of LEAST_OUTSTANDING_REQUESTS, RANDOM, "
            "PREFIX_AWARE, KV_AWARE (botocore sagemaker CreateEndpointConfig shape RoutingStrategy)",
        )
    ]


def test_a_misspelt_instance_type_is_reported_with_the_nearest_types(tmp_path: Path) -> None:
    assert problem_lines(tmp_path, {"M": single_model_stack(instance_type="ml.g5.12xlarg")}) == [
        line(
            tmp_path,
            "M",
            "Config",
            "ProductionVariants[0].InstanceType",
            "'ml.g5.12xlarg' is not a value the API accepts; did you mean ml.g5.12xlarge? "
            "(botocore sagemaker CreateEndpointConfig shape ProductionVariantInstanceType)",
        )
    ]


def test_a_component_name_outside_the_sagemaker_pattern_is_reported(tmp_path: Path) -> None:
    assert problem_lines(tmp_path, {"C": components_stack(component="chat_llm")}) == [
        line(
            tmp_path,
            "C",
            "Component",
            "InferenceComponentName",
            "'chat_llm' does not match [a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])? "
            "(botocore sagemaker CreateInferenceComponent shape InferenceComponentName)",
        )
    ]


def test_an_inference_component_without_a_name_is_reported_though_cloudformation_allows_it(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        del resources["Component"]["Properties"]["InferenceComponentName"]

    lines = problem_lines(tmp_path, {"C": edited(components_stack(), change)})
    assert lines == [
        line(
            tmp_path,
            "C",
            "Component",
            "InferenceComponentName",
            "missing; CreateInferenceComponent requires it and CloudFormation does not supply it "
            "(botocore sagemaker CreateInferenceComponent shape CreateInferenceComponentInput)",
        )
    ]


def test_names_cloudformation_generates_are_not_required(tmp_path: Path) -> None:
    # The API requires ModelName, EndpointConfigName, EndpointName and AlarmName; CloudFormation makes them up.
    template = single_model_stack()
    del template["Resources"]["Endpoint"]["Properties"]["EndpointName"]
    del template["Resources"]["Target"], template["Resources"]["Policy"]
    required = {
        member
        for requests in REQUESTS.values()
        for request in requests
        for member in input_shape(request.operation).required_members
    }
    assert {"ModelName", "EndpointConfigName", "EndpointName", "AlarmName"} <= required
    assert problem_lines(tmp_path, {"M": template}) == []


Change = Callable[[dict[str, Any]], object]


def _set(resource: str, path: str, value: object) -> Change:
    """A change that sets Properties.<path> (dots and [n] indices) of `resource` to `value`."""

    def change(resources: dict[str, Any]) -> None:
        node: Any = resources[resource]["Properties"]
        keys = [int(k) if k.isdigit() else k for k in path.replace("[", ".").replace("]", "").split(".")]
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return change


def _delete(resource: str, path: str) -> Change:
    def change(resources: dict[str, Any]) -> None:
        node: Any = resources[resource]["Properties"]
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        del node[last]

    return change


_VARIANT = {"VariantName": "Extra", "InstanceType": "ml.g5.12xlarge", "InitialInstanceCount": 1}

CASES = [
    pytest.param(
        "C",
        _delete("Component", "DeploymentConfig.RollingUpdatePolicy.WaitIntervalInSeconds"),
        "Component",
        "DeploymentConfig.RollingUpdatePolicy.WaitIntervalInSeconds",
        "missing; the API requires it (botocore sagemaker UpdateInferenceComponent shape "
        "InferenceComponentRollingUpdatePolicy)",
        id="rolling-update-without-wait-interval",
    ),
    pytest.param(
        "M",
        _delete("Endpoint", "DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.WaitIntervalInSeconds"),
        "Endpoint",
        "DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.WaitIntervalInSeconds",
        "missing; the API requires it (botocore sagemaker CreateEndpoint shape TrafficRoutingConfig)",
        id="traffic-routing-without-wait-interval",
    ),
    pytest.param(
        "C",
        lambda resources: resources["Config"]["Properties"]["ProductionVariants"].extend(
            dict(_VARIANT, VariantName=f"Extra{n}") for n in range(10)
        ),
        "Config",
        "ProductionVariants",
        "11 items, over the maximum of 10 (botocore sagemaker CreateEndpointConfig shape ProductionVariantList)",
        id="eleven-variants",
    ),
    pytest.param(
        "M",
        _set("Model", "VpcConfig", {"Subnets": [f"subnet-{n}" for n in range(17)], "SecurityGroupIds": ["sg-1"]}),
        "Model",
        "VpcConfig.Subnets",
        "17 items, over the maximum of 16 (botocore sagemaker CreateModel shape Subnets)",
        id="seventeen-subnets",
    ),
    pytest.param(
        "M",
        _set("Model", "VpcConfig", {"Subnets": ["subnet-1"], "SecurityGroupIds": []}),
        "Model",
        "VpcConfig.SecurityGroupIds",
        "0 items, under the minimum of 1 (botocore sagemaker CreateModel shape VpcSecurityGroupIds)",
        id="no-security-groups",
    ),
    pytest.param(
        "C",
        _set("Component", "Tags", [{"Key": f"k{n}", "Value": "v"} for n in range(51)]),
        "Component",
        "Tags",
        "51 items, over the maximum of 50 (botocore sagemaker CreateInferenceComponent shape TagList)",
        id="fifty-one-tags",
    ),
    pytest.param(
        "M",
        _set("Model", "PrimaryContainer.Environment", {f"VAR_{n}": "1" for n in range(101)}),
        "Model",
        "PrimaryContainer.Environment",
        "101 entries, over the maximum of 100 (botocore sagemaker CreateModel shape EnvironmentMap)",
        id="model-environment-of-101-entries",
    ),
    pytest.param(
        "M",
        _set("Model", "PrimaryContainer.Environment", {"MODEL-ID": "flan"}),
        "Model",
        "PrimaryContainer.Environment",
        "key 'MODEL-ID' does not match [a-zA-Z_][a-zA-Z0-9_]* (botocore sagemaker CreateModel shape EnvironmentKey)",
        id="environment-key-with-a-dash",
    ),
    pytest.param(
        "M",
        _set("Model", "PrimaryContainer.Image", "registry/" + "i" * 247),
        "Model",
        "PrimaryContainer.Image",
        f"'registry/{'i' * 50}…' is 256 characters, over the maximum of 255 "
        "(botocore sagemaker CreateModel shape ContainerImage)",
        id="image-of-256-characters",
    ),
    pytest.param(
        "M",
        _set("Model", "PrimaryContainer.ModelDataUrl", "s3://b/" + "k" * 1011 + ".tar.gz"),
        "Model",
        "PrimaryContainer.ModelDataUrl",
        f"'s3://b/{'k' * 52}…' is 1025 characters, over the maximum of 1024 (botocore sagemaker CreateModel shape Url)",
        id="model-data-url-of-1025-characters",
    ),
    pytest.param(
        "M",
        _set("Model", "PrimaryContainer.ModelDataUrl", "ftp://b/model.tar.gz"),
        "Model",
        "PrimaryContainer.ModelDataUrl",
        "'ftp://b/model.tar.gz' does not match (https|s3)://([^/]+)/?(.*) (botocore sagemaker CreateModel shape Url)",
        id="model-data-url-not-on-s3",
    ),
    pytest.param(
        "C",
        _set("Component", "RuntimeConfig.CopyCount", -1),
        "Component",
        "RuntimeConfig.CopyCount",
        "-1 is under the minimum of 0 (botocore sagemaker CreateInferenceComponent shape InferenceComponentCopyCount)",
        id="negative-copy-count",
    ),
    pytest.param(
        "C",
        _set("Component", "Specification.ComputeResourceRequirements.NumberOfCpuCoresRequired", 0.1),
        "Component",
        "Specification.ComputeResourceRequirements.NumberOfCpuCoresRequired",
        "0.1 is under the minimum of 0.25 (botocore sagemaker CreateInferenceComponent shape NumberOfCpuCores)",
        id="a-tenth-of-a-core",
    ),
    pytest.param(
        "C",
        _set("Component", "RuntimeConfig.CopyCount", "two"),
        "Component",
        "RuntimeConfig.CopyCount",
        "expected a whole number, got 'two' "
        "(botocore sagemaker CreateInferenceComponent shape InferenceComponentCopyCount)",
        id="copy-count-not-a-number",
    ),
    pytest.param(
        "M",
        _set("Endpoint", "RetainAllVariantProperties", "yes"),
        "Endpoint",
        "RetainAllVariantProperties",
        "expected true or false, got 'yes' (botocore sagemaker UpdateEndpoint shape Boolean)",
        id="retain-properties-not-a-boolean",
    ),
    pytest.param(
        "M",
        _set("Errors", "ComparisonOperator", "GreaterThan"),
        "Errors",
        "ComparisonOperator",
        "'GreaterThan' is not a value the API accepts; did you mean GreaterThanThreshold? "
        "(botocore cloudwatch PutMetricAlarm shape ComparisonOperator)",
        id="alarm-comparison-outside-the-enum",
    ),
    pytest.param(
        "C",
        _set("Target", "Tags", [{"Key": "", "Value": "v"}]),
        "Target",
        "Tags",
        "key '' is 0 characters, under the minimum of 1 (botocore application-autoscaling RegisterScalableTarget "
        "shape TagKey)",
        id="scalable-target-tag-with-an-empty-key",
    ),
    pytest.param(
        "C",
        _set("Policy", "PolicyType", "TargetTracking"),
        "Policy",
        "PolicyType",
        "'TargetTracking' is not a value the API accepts: one of StepScaling, TargetTrackingScaling, "
        "PredictiveScaling (botocore application-autoscaling PutScalingPolicy shape PolicyType)",
        id="policy-type-outside-the-enum",
    ),
]


@pytest.mark.parametrize(("stack", "change", "logical_id", "path", "message"), CASES)
def test_one_mistake_gives_one_line(
    tmp_path: Path, *, stack: str, change: Change, logical_id: str, path: str, message: str
) -> None:
    template = edited(components_stack() if stack == "C" else single_model_stack(), change)
    assert problem_lines(tmp_path, {stack: template}) == [line(tmp_path, stack, logical_id, path, message)]


def _patterns(shape: Any, seen: set[str]) -> list[str]:
    if shape.name in seen:
        return []
    seen.add(shape.name)
    found = [shape.metadata["pattern"]] if "pattern" in shape.metadata else []
    children = {
        "structure": lambda: list(shape.members.values()),
        "list": lambda: [shape.member],
        "map": lambda: [shape.key, shape.value],
    }.get(shape.type_name, list)()
    for child in children:
        found += _patterns(child, seen)
    return found


def test_every_pattern_of_the_checked_requests_is_usable() -> None:
    # Java-only syntax (\p{L}, surrogate pairs) is translated; a pattern that did not compile would go unchecked.
    patterns = {
        pattern
        for requests in REQUESTS.values()
        for request in requests
        for pattern in _patterns(input_shape(request.operation), set())
    }
    assert patterns
    assert sorted(p for p in patterns if compile_pattern(p) is None) == []


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)", "team: ML platform", True),
        ("([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)", "a;b", False),
        ("\\p{Print}+", "codegen-inline-invocations", True),
        ("\\p{Print}+", "tab\there", False),
        ("[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*", "inference-component/x 🙂", True),
        ("[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*", "bell\x07", False),
    ],
)
def test_java_patterns_keep_their_meaning(pattern: str, value: str, matches: bool) -> None:
    compiled = compile_pattern(pattern)
    assert compiled is not None
    assert (compiled.fullmatch(value) is not None) is matches
