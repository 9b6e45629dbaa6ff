"""Adapters, instance pools and the new inference-component settings, deployed over themselves: what
CloudFormation replaces, what it updates in place, and what `review` flags (the README's "Which
catalog changes replace what" rows for them rest on these real before/after syntheses)."""

from __future__ import annotations

import pytest

from llm_hosting.review import Review
from tests.synth import CatalogVariants

BASE = """\
project: tenants
endpoints:
  - name: assist
    type: inference-components
    instance_type: ml.p5.48xlarge
    instance_pools: [ml.p4d.24xlarge]
    instance_count: {initial: 1, min: 1, max: 2}
    instance_scaling:
      scale_in: {strategy: idle-release}
    components:
      - name: assist-base
        model:
          engine: lmi
          version: "0.32.0"
          weights: s3://example-weights/base/
          properties: {option.rolling_batch: vllm, option.enable_lora: "true"}
        accelerators: 1
        memory_mb: 32768
        copies: {initial: 1, min: 1, max: 4}
        scaling: {invocations_per_copy: 10}
        adapters:
          - {name: assist-acme, weights: s3://example-weights/adapters/acme.tar.gz}
          - {name: assist-globex, weights: s3://example-weights/adapters/globex.tar.gz}
"""

CHANGES = {
    "adapter-added": [
        (
            "adapters/globex.tar.gz}\n",
            "adapters/globex.tar.gz}\n          - {name: assist-initech, weights: s3://example-weights/adapters/initech.tar.gz}\n",
        )
    ],
    "adapter-weights": [("adapters/acme.tar.gz", "adapters/acme-v2.tar.gz")],
    "adapter-removed": [("          - {name: assist-acme, weights: s3://example-weights/adapters/acme.tar.gz}\n", "")],
    "fleet-settings": [
        ("instance_pools: [ml.p4d.24xlarge]", "instance_pools: [ml.p4d.24xlarge]\n    provision_timeout_s: 1800"),
        ("scale_in: {strategy: idle-release}", "scale_in: {strategy: consolidation, cooldown_minutes: 30}"),
    ],
    "component-settings": [
        ("memory_mb: 32768\n", "memory_mb: 32768\n        data_cache: true\n        scheduling: {placement: spread}\n")
    ],
}


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> CatalogVariants:
    return CatalogVariants.edits_of(tmp_path_factory.mktemp("deploy-safety-adapters"), BASE, CHANGES)


def changes(review: Review) -> dict[str, set[tuple[str, str]]]:
    """Per changed stack, (resource type, action) of each changed resource."""
    return {
        stack.name: {(r.resource_type, r.action) for r in stack.resources}
        for stack in review.change.stacks
        if stack.resources
    }


def test_adding_an_adapter_changes_the_adapters_stack_alone(pairs: CatalogVariants) -> None:
    review = pairs.review("adapter-added")
    # Its archive is in the folder the base's role already reads: the endpoint's stack is untouched.
    assert changes(review) == {
        "tenants-assist-base-adapters": {
            ("AWS::SageMaker::InferenceComponent", "added"),
            ("AWS::CloudWatch::Alarm", "added"),  # its own 5xx alarm
            ("AWS::CloudWatch::Dashboard", "modified"),  # its own lines
        }
    }
    assert review.findings == ()


def test_new_adapter_weights_update_the_adapter_in_place_and_nothing_else(pairs: CatalogVariants) -> None:
    review = pairs.review("adapter-weights")
    assert changes(review) == {"tenants-assist-base-adapters": {("AWS::SageMaker::InferenceComponent", "modified")}}
    assert review.findings == ()


def test_removing_an_adapter_is_flagged_as_its_customer_losing_it(pairs: CatalogVariants) -> None:
    review = pairs.review("adapter-removed")
    assert [f.rule for f in review.findings] == ["inference-component-removed"]
    message = review.findings[0].message
    assert message.startswith("Adapter 'assist-acme' (on 'assist-base') on endpoint 'assist' is deleted")
    assert "its customer's requests that name it fail" in message
    assert review.exit_code == 2


def test_fleet_settings_give_a_new_config_and_update_the_endpoint_in_place(pairs: CatalogVariants) -> None:
    review = pairs.review("fleet-settings")
    assert changes(review)["tenants-assist"] == {
        ("AWS::SageMaker::EndpointConfig", "replaced"),
        ("AWS::SageMaker::Endpoint", "modified"),
    }
    assert review.findings == ()


def test_component_cache_and_scheduling_update_the_component_in_place(pairs: CatalogVariants) -> None:
    review = pairs.review("component-settings")
    assert changes(review)["tenants-assist"] == {("AWS::SageMaker::InferenceComponent", "modified")}
    # The base is autoscaled: a specification change is flagged as for its image or compute.
    assert [f.rule for f in review.findings] == ["autoscaled-copies-may-reset"]
