"""Properties: whatever a template holds, preflight answers with problems, never an exception."""

from __future__ import annotations

import copy
import re
from typing import Any

from hypothesis import given, settings, strategies as st

from llm_hosting.preflight import Problem
from tests.preflight.stacks import Template, check_in_memory, components_stack, single_model_stack

SAGEMAKER_TYPES = ("AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint")


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position inside `node` (objects' members and lists' items), leaves and subtrees alike."""
    found: list[tuple[Any, ...]] = []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        found.append((*prefix, key))
        found += _paths(child, (*prefix, key))
    return found


def _positions(template: Template) -> list[tuple[Any, ...]]:
    return [
        (logical_id, "Properties", *path)
        for logical_id, resource in template["Resources"].items()
        if resource["Type"].startswith(("AWS::SageMaker::", "AWS::ApplicationAutoScaling::", "AWS::CloudWatch::"))
        for path in _paths(resource["Properties"])
    ]


TEMPLATES = {"components": components_stack(), "single-model": single_model_stack()}
POSITIONS = {name: _positions(template) for name, template in TEMPLATES.items()}

INTRINSICS = st.sampled_from(
    [
        {"Ref": "Parameter"},
        {"Ref": "AWS::NoValue"},
        {"Ref": "AWS::Region"},
        {"Fn::GetAtt": ["Resource", "Attribute"]},
        {"Fn::GetAtt": "Resource.Attribute"},
        {"Fn::Sub": "${AWS::StackName}-${AWS::Region}-${Missing.Arn}-${!Literal}"},
        {"Fn::Sub": ["${A}-x", {"A": {"Ref": "AWS::AccountId"}}]},
        {"Fn::Sub": 5},
        {"Fn::Join": ["", [{"Ref": "AWS::Partition"}, ":", {"Ref": "AWS::URLSuffix"}]]},
        {"Fn::Join": ["-", {"Ref": "List"}]},
        {"Fn::Join": "broken"},
        {"Fn::If": ["Condition", 1, "two"]},
        {"Fn::If": ["Condition", {"Ref": "AWS::NoValue"}, [1, 2]]},
        {"Fn::If": "broken"},
        {"Fn::FindInMap": ["Missing", {"Ref": "AWS::Region"}, "Key"]},
        {"Fn::FindInMap": ["Missing", "a", "b", {"DefaultValue": "fallback"}]},
        {"Fn::Select": ["one", "not a list"]},
        {"Fn::Select": [9, [1, 2]]},
        {"Fn::Split": [None, 5]},
        {"Fn::ImportValue": "export"},
        {"Fn::Base64": "x"},
        {"Condition": "Always"},
    ]
)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=1100),
)
VALUES = st.recursive(
    st.one_of(JSON_SCALARS, INTRINSICS),
    lambda inner: st.one_of(
        st.lists(inner, max_size=12),
        st.dictionaries(st.text(max_size=10), inner, max_size=18),
    ),
    max_leaves=40,
)


def _set(template: Template, position: tuple[Any, ...], value: object) -> None:
    node: Any = template["Resources"]
    for key in position[:-1]:
        node = node[key]
    node[position[-1]] = value


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_mutated_template_gives_problems_or_none_and_never_raises(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(TEMPLATES)), label="template")
    mutated = copy.deepcopy(TEMPLATES[name])
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        position = data.draw(st.sampled_from(_positions(mutated) or POSITIONS[name]), label="position")
        # A copy: the strategies hand out the same intrinsic objects again, and later mutations edit in place.
        _set(mutated, position, copy.deepcopy(data.draw(VALUES, label="value")))
    problems = check_in_memory(mutated)
    assert all(isinstance(problem, Problem) for problem in problems)
    for problem in problems:
        assert problem.logical_id in mutated["Resources"]
        assert "\n" not in str(problem)


@settings(max_examples=200, deadline=None)
@given(timeout=st.integers(min_value=-(10**6), max_value=10**6))
def test_a_download_timeout_is_a_problem_exactly_outside_60_to_3600_seconds(timeout: int) -> None:
    template = single_model_stack()
    template["Resources"]["Config"]["Properties"]["ProductionVariants"][0]["ModelDataDownloadTimeoutInSeconds"] = (
        timeout
    )
    problems = check_in_memory(template)
    assert bool(problems) is not (60 <= timeout <= 3600)
    assert all(problem.path == "ProductionVariants[0].ModelDataDownloadTimeoutInSeconds" for problem in problems)


NAME_PATTERN = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


@settings(max_examples=300, deadline=None)
@given(name=st.text(alphabet=st.sampled_from("ab9Z-_. /é"), max_size=80) | st.text(max_size=80))
def test_an_endpoint_name_is_a_problem_exactly_when_the_api_would_refuse_it(name: str) -> None:
    template = single_model_stack()
    for scaling in ("Target", "Policy"):
        del template["Resources"][scaling]
    template["Resources"]["Endpoint"]["Properties"]["EndpointName"] = name
    problems = check_in_memory(template)
    refused = len(name) > 63 or NAME_PATTERN.fullmatch(name) is None
    assert [problem.path for problem in problems] == (["EndpointName"] if refused else [])
