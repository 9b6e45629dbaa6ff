"""CloudFormation's template limits: over a limit is an error naming the stack and the count; above 90 % a warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llm_hosting.limits import LimitExceededError, check_limits, enforce_limits
from tests.review.helpers import write_assembly

SPLIT = "split the catalog, or put fewer endpoints in one stack"


def resources(count: int) -> dict[str, Any]:
    return {f"Resource{n}": {"Type": "AWS::SNS::Topic"} for n in range(count)}


def limit_lines(directory: Path, template: dict[str, Any]) -> list[str]:
    return [str(problem) for problem in check_limits(write_assembly(directory, {"S": template}))]


def test_501_resources_are_an_error_naming_the_stack_and_the_count(tmp_path: Path) -> None:
    assert limit_lines(tmp_path, {"Resources": resources(501)}) == [
        f"S: 501 resources, over CloudFormation's limit of 500 per stack; {SPLIT}"
    ]


def test_a_stack_of_inference_components_over_the_limit_points_at_the_sharding(tmp_path: Path) -> None:
    components = {f"Component{n}": {"Type": "AWS::SageMaker::InferenceComponent"} for n in range(61)}
    template = {"Resources": {**resources(440), **components}}
    assert limit_lines(tmp_path, template) == [
        "S: 501 resources, over CloudFormation's limit of 500 per stack; it holds 61 inference components, which "
        "the app shards into -part2, -part3… stacks by itself, so each component creates more resources than the "
        "sharding allows for: put fewer components in one stack"
    ]


def test_a_template_one_byte_over_1_mb_is_an_error(tmp_path: Path) -> None:
    directory = write_assembly(tmp_path, {"S": {"Resources": resources(1)}})
    empty = json.dumps({"Resources": resources(1), "Description": ""})
    padded = json.dumps({"Resources": resources(1), "Description": "x" * (1_048_577 - len(empty))})
    (directory / "S.template.json").write_text(padded)
    assert (directory / "S.template.json").stat().st_size == 1_048_577
    assert [str(problem) for problem in check_limits(directory)] == [
        "S: 1,048,577 bytes, over CloudFormation's limit of 1,048,576 bytes (1 MB) for a template uploaded to S3; "
        f"put fewer resources in the stack: {SPLIT}"
    ]


def test_201_outputs_are_an_error(tmp_path: Path) -> None:
    outputs = {f"Output{n}": {"Value": "x"} for n in range(201)}
    assert limit_lines(tmp_path, {"Resources": resources(1), "Outputs": outputs}) == [
        "S: 201 outputs, over CloudFormation's limit of 200 per stack; export fewer values"
    ]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        pytest.param(
            {"Parameters": {f"P{n}": {"Type": "String"} for n in range(201)}},
            "S: 201 parameters, over CloudFormation's limit of 200 per stack; take fewer values as parameters "
            "(the catalog can carry them)",
            id="parameters",
        ),
        pytest.param(
            {"Mappings": {f"M{n}": {"k": {"v": "1"}} for n in range(201)}},
            "S: 201 mappings, over CloudFormation's limit of 200 per stack; use fewer mappings, or synthesize for a "
            "concrete account and region so lookups become literal values",
            id="mappings",
        ),
        pytest.param(
            {"Mappings": {"Regions": {f"region-{n}": {"Host": "h"} for n in range(201)}}},
            "S: mapping Regions: 201 attributes, over CloudFormation's limit of 200 per mapping; split the mapping "
            "into several",
            id="keys-of-one-mapping",
        ),
        pytest.param(
            {"Mappings": {"Regions": {"us-east-1": {f"attribute{n}": "v" for n in range(201)}}}},
            "S: mapping Regions: 201 attributes, over CloudFormation's limit of 200 per mapping; split the mapping "
            "into several",
            id="attributes-under-one-key",
        ),
    ],
)
def test_other_template_sections_over_their_limit_are_errors(
    tmp_path: Path, section: dict[str, Any], expected: str
) -> None:
    assert limit_lines(tmp_path, {"Resources": resources(1), **section}) == [expected]


def test_460_resources_are_only_a_warning(tmp_path: Path) -> None:
    directory = write_assembly(tmp_path, {"S": {"Resources": resources(460)}})
    warnings = enforce_limits(directory)
    assert [str(problem) for problem in warnings] == [
        f"warning: S: 460 resources, 92 % of CloudFormation's limit of 500 per stack; {SPLIT}"
    ]
    assert not warnings[0].error


@pytest.mark.parametrize(("count", "expected"), [(450, "none"), (451, "warning"), (500, "warning"), (501, "error")])
def test_the_warning_starts_above_90_percent_and_the_error_above_the_limit(
    tmp_path: Path, count: int, expected: str
) -> None:
    problems = check_limits(write_assembly(tmp_path, {"S": {"Resources": resources(count)}}))
    kinds = ["error" if problem.error else "warning" for problem in problems]
    assert kinds == ([] if expected == "none" else [expected])


def test_enforcing_the_limits_raises_with_one_line_per_error(tmp_path: Path) -> None:
    outputs = {f"Output{n}": {"Value": "x"} for n in range(201)}
    directory = write_assembly(
        tmp_path, {"Big": {"Resources": resources(501)}, "Chatty": {"Resources": resources(1), "Outputs": outputs}}
    )
    with pytest.raises(LimitExceededError) as raised:
        enforce_limits(directory)
    assert str(raised.value).splitlines() == [
        f"Big: 501 resources, over CloudFormation's limit of 500 per stack; {SPLIT}",
        "Chatty: 201 outputs, over CloudFormation's limit of 200 per stack; export fewer values",
    ]
