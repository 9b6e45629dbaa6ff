"""The review of real catalog changes: each catalog is synthesized once and compared with the base."""

from __future__ import annotations

import json

import pytest

from llm_hosting.review import Review, review_assemblies
from tests.review.helpers import rules_of, run_cli
from tests.synth import CatalogVariants

BASE = """\
project: rv
artifacts:
  encryption: kms
endpoints:
  - name: small-llm
    type: single-model
    instance_type: ml.g5.2xlarge
    instance_count: {initial: 1, min: 1, max: 2}
    model:
      engine: lmi
      version: "0.32.0"
      weights: s3://example-weights/small-llm/
    scaling:
      invocations_per_instance: 50
"""
ENDPOINT_STACK = "rv-small-llm"
ARTIFACTS_STACK = "rv-artifacts"

CATALOGS = {
    "base": BASE,
    "base-again": BASE,
    "new-image": BASE.replace('version: "0.32.0"', 'version: "0.33.0"'),
    "bigger-instance": BASE.replace("ml.g5.2xlarge", "ml.g5.4xlarge"),
    "renamed": BASE.replace("name: small-llm", "name: small-llm-v2"),
    "no-endpoints": "project: rv\nartifacts:\n  encryption: kms\nendpoints: []\n",
    "sse-s3": BASE.replace("encryption: kms", "encryption: s3"),
    "unscaled": BASE.replace("    scaling:\n      invocations_per_instance: 50\n", ""),
    "unscaled-bigger": BASE.replace("    scaling:\n      invocations_per_instance: 50\n", "").replace(
        "ml.g5.2xlarge", "ml.g5.4xlarge"
    ),
}


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> CatalogVariants:
    return CatalogVariants(tmp_path_factory.mktemp("review-catalogs"), CATALOGS)


def actions_by_type(review: Review, stack: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for resource in review.change.stack(stack).resources:
        out.setdefault(resource.resource_type, []).append(resource.action)
    return out


def test_a_new_image_version_replaces_model_and_config_and_updates_the_endpoint_in_place(
    assemblies: CatalogVariants,
) -> None:
    review = assemblies.review("new-image")
    actions = actions_by_type(review, ENDPOINT_STACK)
    assert actions["AWS::SageMaker::Model"] == ["replaced"]
    assert actions["AWS::SageMaker::EndpointConfig"] == ["replaced"]
    assert actions["AWS::SageMaker::Endpoint"] == ["modified"]
    assert review.change.stack(ARTIFACTS_STACK).status == "unchanged"


def test_a_new_image_version_says_which_values_follow_the_replacement(assemblies: CatalogVariants) -> None:
    stack = assemblies.review("new-image").change.stack(ENDPOINT_STACK)
    (model,) = [r for r in stack.resources if r.resource_type == "AWS::SageMaker::Model"]
    (endpoint,) = [r for r in stack.resources if r.resource_type == "AWS::SageMaker::Endpoint"]
    image = model.change_at("PrimaryContainer", "Image")
    assert image is not None
    assert "0.32.0" in json.dumps(image.old)
    assert "0.33.0" in json.dumps(image.new)
    # The endpoint's text is unchanged; its config name changes because the config is replaced.
    config_name = endpoint.change_at("EndpointConfigName")
    assert config_name is not None
    assert config_name.kind == "unresolved"
    assert config_name.create_only is False
    assert len(config_name.replaced_refs) == 1


def test_a_new_image_version_is_not_risky(assemblies: CatalogVariants) -> None:
    review = assemblies.review("new-image")
    assert review.findings == ()
    assert run_cli(assemblies["base"], assemblies["new-image"]) == 0


def test_an_instance_type_change_on_an_autoscaled_endpoint_is_flagged(assemblies: CatalogVariants) -> None:
    review = assemblies.review("bigger-instance")
    assert rules_of(review) == ["instance-type-with-autoscaling"]
    (finding,) = review.findings
    assert finding.stack == ENDPOINT_STACK
    assert "from ml.g5.2xlarge to ml.g5.4xlarge" in finding.message
    assert "two steps" in finding.message
    actions = actions_by_type(review, ENDPOINT_STACK)
    assert actions["AWS::SageMaker::EndpointConfig"] == ["replaced"]
    assert actions["AWS::SageMaker::Endpoint"] == ["modified"]


def test_an_instance_type_change_that_also_adds_scaling_is_not_flagged(assemblies: CatalogVariants) -> None:
    # The new scalable target depends on the endpoint, so it is registered after the update.
    review = review_assemblies(assemblies["unscaled"], assemblies["bigger-instance"])
    assert "instance-type-with-autoscaling" not in rules_of(review)


def test_an_instance_type_change_without_scaling_is_not_flagged(assemblies: CatalogVariants) -> None:
    review = review_assemblies(assemblies["unscaled"], assemblies["unscaled-bigger"])
    assert "instance-type-with-autoscaling" not in rules_of(review)


def test_an_unacknowledged_risky_change_exits_2(
    assemblies: CatalogVariants, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(assemblies["base"], assemblies["bigger-instance"]) == 2
    out = capsys.readouterr().out
    assert "RISKY: 1 to acknowledge" in out
    assert f"instance-type-with-autoscaling:{ENDPOINT_STACK}/" in out
    assert "ProductionVariants[0].InstanceType: ml.g5.2xlarge -> ml.g5.4xlarge" in out


@pytest.mark.parametrize("scope", ["finding", "rule in stack", "rule"])
def test_acknowledging_the_finding_turns_exit_2_into_0(
    assemblies: CatalogVariants, capsys: pytest.CaptureFixture[str], scope: str
) -> None:
    (finding,) = assemblies.review("bigger-instance").findings
    ack = {"finding": finding.id, "rule in stack": f"{finding.rule}:{finding.stack}", "rule": finding.rule}[scope]
    assert run_cli(assemblies["base"], assemblies["bigger-instance"], "--acknowledge", ack) == 0
    captured = capsys.readouterr()
    assert f"Acknowledged: 1\n  - {finding.id}" in captured.out
    assert captured.err == ""


def test_acknowledging_something_else_keeps_exit_2_and_warns(
    assemblies: CatalogVariants, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(assemblies["base"], assemblies["bigger-instance"], "--acknowledge", "endpoint-removed") == 2
    assert "--acknowledge endpoint-removed matches no finding" in capsys.readouterr().err


def test_a_renamed_endpoint_removes_its_stack_and_adds_another_and_is_flagged(assemblies: CatalogVariants) -> None:
    review = assemblies.review("renamed")
    assert review.change.stack(ENDPOINT_STACK).status == "removed"
    assert review.change.stack("rv-small-llm-v2").status == "added"
    removed = review.change.stack(ENDPOINT_STACK).resources
    assert "AWS::SageMaker::Endpoint" in {r.resource_type for r in removed if r.action == "removed"}
    (finding,) = review.findings
    assert finding.id == f"stack-removed:{ENDPOINT_STACK}"
    assert "endpoint 'small-llm'" in finding.message
    assert "endpoint 'small-llm-v2'" in finding.message  # the likely rename is pointed out


def test_an_endpoint_removed_from_the_catalog_flags_its_stack(assemblies: CatalogVariants) -> None:
    review = assemblies.review("no-endpoints")
    assert review.change.stack(ENDPOINT_STACK).status == "removed"
    # Nothing about the artifacts stack is risky, whatever bookkeeping outputs it drops.
    assert [f.id for f in review.findings] == [f"stack-removed:{ENDPOINT_STACK}"]
    assert "cdk deploy` leaves the deployed stack as it is" in review.findings[0].message
    assert review.exit_code == 2


def test_switching_artifacts_from_kms_to_s3_removes_the_key_and_changes_the_bucket(assemblies: CatalogVariants) -> None:
    review = assemblies.review("sse-s3")
    actions = actions_by_type(review, ARTIFACTS_STACK)
    assert actions["AWS::KMS::Key"] == ["removed"]
    assert "modified" in actions["AWS::S3::Bucket"]
    flagged = {(f.rule, f.stack) for f in review.findings}
    assert ("key-removed", ARTIFACTS_STACK) in flagged
    assert ("bucket-changed", ARTIFACTS_STACK) in flagged
    (key_finding,) = [f for f in review.findings if f.rule == "key-removed"]
    assert "DeletionPolicy Retain" in key_finding.message


def test_identical_catalogs_show_no_changes_and_exit_0(
    assemblies: CatalogVariants, capsys: pytest.CaptureFixture[str]
) -> None:
    review = review_assemblies(assemblies["base"], assemblies["base-again"])
    assert {s.status for s in review.change.stacks} == {"unchanged"}
    assert review.findings == ()
    assert run_cli(assemblies["base"], assemblies["base-again"]) == 0
    assert "No changes." in capsys.readouterr().out


def test_json_output_is_stable_and_complete(assemblies: CatalogVariants, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(assemblies["base"], assemblies["bigger-instance"], "--json") == 2
    first = capsys.readouterr().out
    run_cli(assemblies["base"], assemblies["bigger-instance"], "--json")
    assert capsys.readouterr().out == first
    document = json.loads(first)
    assert [s["name"] for s in document["stacks"]] == [ARTIFACTS_STACK, ENDPOINT_STACK]
    assert document["exit_code"] == 2
    assert document["unacknowledged"] == [f["id"] for f in document["findings"]]
    (config,) = [r for r in document["stacks"][1]["resources"] if r["type"] == "AWS::SageMaker::EndpointConfig"]
    assert config["action"] == "replaced"
    assert {"path": "ProductionVariants[0].InstanceType", "old": "ml.g5.2xlarge", "new": "ml.g5.4xlarge"}.items() <= (
        config["changes"][0].items()
    )
