"""Create-only properties: from cfn-lint's schemas, or from the fallback table when it cannot answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from llm_hosting.review import replacement
from llm_hosting.review.replacement import FALLBACK_CREATE_ONLY, SCHEMA_REGION, type_rules


@pytest.fixture
def without_cfn_lint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def unavailable(resource_type: str) -> Any:
        return None

    type_rules.cache_clear()
    monkeypatch.setattr(replacement, "_schema_create_only", unavailable)
    yield
    type_rules.cache_clear()


def test_create_only_properties_come_from_the_cfn_lint_schema() -> None:
    rules = type_rules("AWS::SageMaker::Endpoint")
    assert rules.source == "cfn-lint"
    assert rules.create_only == (("EndpointName",),)
    assert rules.is_create_only(("EndpointName",))
    assert not rules.is_create_only(("EndpointConfigName",))


@pytest.mark.parametrize("resource_type", sorted(FALLBACK_CREATE_ONLY))
def test_the_fallback_table_matches_the_bundled_schema(resource_type: str) -> None:
    # When cfn-lint's schemas move on, this says which table entry to update.
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(SCHEMA_REGION, resource_type).schema
    pointers = {p.removeprefix("/properties/") for p in schema.get("createOnlyProperties", [])}
    assert set(FALLBACK_CREATE_ONLY[resource_type]) == pointers


@pytest.mark.usefixtures("without_cfn_lint")
def test_without_cfn_lint_the_table_answers_for_the_types_this_project_synthesizes() -> None:
    config = type_rules("AWS::SageMaker::EndpointConfig")
    assert config.source == "fallback"
    assert config.is_create_only(("ProductionVariants", 0, "InstanceType"))
    assert not config.is_create_only(("Tags", 0, "Value"))
    assert type_rules("AWS::SageMaker::InferenceComponent").create_only == ()


@pytest.mark.usefixtures("without_cfn_lint")
def test_without_cfn_lint_an_unknown_type_is_never_replaced_by_a_property_change() -> None:
    rules = type_rules("AWS::Example::Thing")
    assert rules.source == "unknown"
    assert not rules.is_create_only(("Anything",))


def test_a_nested_create_only_pointer_matches_below_and_above_it() -> None:
    rules = replacement.TypeRules("T", (("Config", "*", "Name"),), None, "cfn-lint")
    assert rules.is_create_only(("Config", 3, "Name"))
    assert rules.is_create_only(("Config",))  # the whole list replaced or added
    assert not rules.is_create_only(("Config", 3, "Size"))
