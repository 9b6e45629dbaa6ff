"""Everyday catalog changes never replace an endpoint or an inference component, never touch the
bucket or the key, and the review tool says so; the risky ones are flagged. Each pair is a real
synthesis of the catalog before and after one change (the README's "Which changes replace what"
table rests on these)."""

from __future__ import annotations

import pytest

from llm_hosting.review import Review
from tests.synth import CatalogVariants

BASE = """\
project: safe
endpoints:
  - name: chat
    type: single-model
    instance_type: ml.g5.2xlarge
    instance_count: {initial: 2, min: 2, max: 4}
    model: {engine: lmi, version: "0.32.0", weights: s3://example-weights/chat/}
    scaling: {invocations_per_instance: 50}
  - name: shared
    type: inference-components
    instance_type: ml.g5.12xlarge
    instance_count: {initial: 1, min: 1, max: 2}
    components:
      - name: coder
        model: {engine: lmi, version: "0.32.0", weights: s3://example-weights/coder/}
        accelerators: 1
        memory_mb: 16384
        cpu_cores: 2
        copies: {initial: 1, min: 1, max: 2}
        scaling: {invocations_per_copy: 5}
      - name: helper
        model: {engine: lmi, version: "0.32.0", weights: s3://example-weights/helper/}
        accelerators: 1
        memory_mb: 16384
        copies: {initial: 1, min: 0, max: 1}
        scaling: {invocations_per_copy: 2}
  - name: tenants
    type: multi-model
    instance_type: ml.g5.xlarge
    instance_count: {initial: 1, min: 1, max: 4}
    model: {engine: triton, version: "24.09"}
    scaling: {gpu_memory_percent: 80}
    warmup: {schedule: rate(1 hour)}
"""

CHANGES = {
    "new-images": [
        (
            'version: "0.32.0", weights: s3://example-weights/chat/',
            'version: "0.33.0", weights: s3://example-weights/chat/',
        ),
        (
            'version: "0.32.0", weights: s3://example-weights/coder/',
            'version: "0.33.0", weights: s3://example-weights/coder/',
        ),
        ('version: "24.09"', 'version: "25.04"'),
    ],
    "new-weights": [
        ("example-weights/chat/", "example-weights/chat-v2/"),
        ("example-weights/coder/", "example-weights/coder-v2/"),
    ],
    "more-copies": [
        ("{initial: 2, min: 2, max: 4}", "{initial: 3, min: 2, max: 5}"),
        (
            "{initial: 1, min: 1, max: 2}\n        scaling: {invocations_per_copy: 5}",
            "{initial: 2, min: 1, max: 3}\n        scaling: {invocations_per_copy: 5}",
        ),
    ],
    "new-targets": [
        ("invocations_per_instance: 50", "invocations_per_instance: 80"),
        ("invocations_per_copy: 5", "invocations_per_copy: 8"),
        ("gpu_memory_percent: 80", "gpu_memory_percent: 70"),
    ],
    "bigger-instances": [("instance_type: ml.g5.2xlarge", "instance_type: ml.g5.4xlarge")],
    "helper-removed": [
        (
            '      - name: helper\n        model: {engine: lmi, version: "0.32.0", weights: s3://example-weights/helper/}\n        accelerators: 1\n        memory_mb: 16384\n        copies: {initial: 1, min: 0, max: 1}\n        scaling: {invocations_per_copy: 2}\n',
            "",
        )
    ],
    "chat-renamed": [("  - name: chat\n", "  - name: chat-v2\n")],
}


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> CatalogVariants:
    return CatalogVariants.edits_of(tmp_path_factory.mktemp("deploy-safety"), BASE, CHANGES)


def actions(review: Review, stack: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for resource in review.change.stack(stack).resources:
        out.setdefault(resource.resource_type, set()).add(resource.action)
    return out


def _never_replaced_or_removed(review: Review) -> None:
    for stack in review.change.stacks:
        for resource in stack.resources:
            # Only changed resources are listed: an unchanged one does not appear at all.
            if resource.resource_type in ("AWS::SageMaker::Endpoint", "AWS::SageMaker::InferenceComponent"):
                assert resource.action == "modified", (stack.name, resource.logical_id, resource.action)
            assert resource.resource_type not in ("AWS::S3::Bucket", "AWS::KMS::Key"), (stack.name, resource.logical_id)


@pytest.mark.parametrize("change", ["new-images", "new-weights", "more-copies", "new-targets"])
def test_everyday_changes_replace_no_endpoint_component_bucket_or_key(pairs: CatalogVariants, change: str) -> None:
    review = pairs.review(change)
    _never_replaced_or_removed(review)
    # A new model under an autoscaled component is flagged: its update may set the copies back.
    expected = ["autoscaled-copies-may-reset"] if change in ("new-images", "new-weights") else []
    assert [f.rule for f in review.findings] == expected
    assert review.exit_code == (2 if expected else 0)
    assert pairs.review(change, acknowledge=("autoscaled-copies-may-reset",)).exit_code == 0


def test_a_new_image_replaces_model_and_config_and_updates_the_endpoint(pairs: CatalogVariants) -> None:
    review = pairs.review("new-images")
    chat = actions(review, "safe-chat")
    assert chat["AWS::SageMaker::Model"] == {"replaced"}
    assert chat["AWS::SageMaker::EndpointConfig"] == {"replaced"}
    assert chat["AWS::SageMaker::Endpoint"] == {"modified"}  # blue/green update in place
    shared = review.change.stack("safe-shared")
    assert [
        (r.logical_id, r.action) for r in shared.resources if r.resource_type == "AWS::SageMaker::InferenceComponent"
    ] == [
        (
            next(
                r.logical_id
                for r in shared.resources
                if "coder" in r.logical_id and r.resource_type == "AWS::SageMaker::InferenceComponent"
            ),
            "modified",
        )
    ]
    assert actions(review, "safe-tenants")["AWS::SageMaker::Model"] == {"replaced"}


def test_new_weights_give_new_archives_and_roll_the_components(pairs: CatalogVariants) -> None:
    review = pairs.review("new-weights")
    assert actions(review, "safe-chat")["AWS::SageMaker::Model"] == {"replaced"}
    shared = actions(review, "safe-shared")
    assert shared["AWS::SageMaker::InferenceComponent"] == {"modified"}  # a rolling update of its copies
    assert "replaced" not in shared.get("AWS::IAM::ManagedPolicy", set())


def test_scaling_changes_are_updates_in_place(pairs: CatalogVariants) -> None:
    review = pairs.review("new-targets")
    for stack in ("safe-chat", "safe-shared", "safe-tenants"):
        changed = actions(review, stack)
        assert changed["AWS::ApplicationAutoScaling::ScalingPolicy"] == {"modified"}
        assert "AWS::ApplicationAutoScaling::ScalableTarget" not in changed


def test_copy_and_instance_counts_are_updates_in_place(pairs: CatalogVariants) -> None:
    review = pairs.review("more-copies")
    assert actions(review, "safe-shared")["AWS::ApplicationAutoScaling::ScalableTarget"] == {"modified"}
    assert actions(review, "safe-chat")["AWS::ApplicationAutoScaling::ScalableTarget"] == {"modified"}
    assert actions(review, "safe-chat")["AWS::SageMaker::EndpointConfig"] == {"replaced"}  # new initial count


def test_an_instance_type_change_under_scaling_is_flagged(pairs: CatalogVariants) -> None:
    review = pairs.review("bigger-instances")
    assert [f.rule for f in review.findings] == ["instance-type-with-autoscaling"]
    assert review.exit_code == 2


def test_removing_a_component_is_flagged(pairs: CatalogVariants) -> None:
    review = pairs.review("helper-removed")
    assert [f.rule for f in review.findings] == ["inference-component-removed"]


def test_renaming_an_endpoint_is_flagged(pairs: CatalogVariants) -> None:
    rules = {f.rule for f in pairs.review("chat-renamed").findings}
    assert {"stack-removed"} <= rules


def test_the_artifacts_stack_never_changes_with_endpoint_changes(pairs: CatalogVariants) -> None:
    for change in CHANGES:
        artifacts = pairs.review(change).change.stack("safe-artifacts")
        assert artifacts.resources == (), change
