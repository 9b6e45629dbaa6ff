"""How template changes are classified and which are risky, on small hand-written templates."""

from __future__ import annotations

from pathlib import Path

from tests.review.helpers import action_of, artifacts_stack, edited, endpoint_stack, review_pair, rules_of

STACK = "llm-chat"
DATA = "llm-artifacts"


def test_construct_paths_cdk_metadata_and_bootstrap_checks_are_not_changes(tmp_path: Path) -> None:
    new = edited(endpoint_stack())
    new["Resources"]["Chat"]["Metadata"] = {"aws:cdk:path": "elsewhere/Resource"}
    new["Resources"]["CDKMetadata"]["Properties"]["Analytics"] = "v2:deflate64:other"
    new["Rules"]["CheckBootstrapVersion"] = {"Assertions": [{"Assert": "changed"}]}
    new["Parameters"]["BootstrapVersion"]["Default"] = "/cdk-bootstrap/other/version"
    review = review_pair(tmp_path, {STACK: endpoint_stack()}, {STACK: new})
    assert review.change.stack(STACK).status == "unchanged"


def test_dropping_a_depends_on_is_not_a_change_but_a_deletion_policy_is(tmp_path: Path) -> None:
    new = edited(endpoint_stack())
    del new["Resources"]["ChatScalingTarget"]["DependsOn"]
    new["Resources"]["ChatModel"]["DeletionPolicy"] = "Retain"
    stack = review_pair(tmp_path, {STACK: endpoint_stack()}, {STACK: new}).change.stack(STACK)
    assert [(r.logical_id, r.action) for r in stack.resources] == [("ChatModel", "modified")]
    (change,) = stack.resources[0].changes
    assert (change.label, change.attribute, change.new) == ("DeletionPolicy", True, "Retain")


def test_a_new_model_archive_key_replaces_the_model_and_is_called_a_new_model(tmp_path: Path) -> None:
    review = review_pair(tmp_path, {STACK: endpoint_stack()}, {STACK: endpoint_stack(archive_key="9a8b7c.tar.gz")})
    model = review.change.stack(STACK).resource("ChatModel")
    assert model is not None
    assert model.action == "replaced"
    (change,) = model.changes
    assert change.label == "PrimaryContainer.ModelDataUrl"
    assert "a new model archive" in change.describe()
    assert review.findings == ()


def test_replacement_spreads_through_create_only_references_and_stops_at_in_place_updates(tmp_path: Path) -> None:
    new = edited(endpoint_stack())
    new["Resources"]["ChatRole"]["Properties"]["RoleName"] = "chat-role"  # a new name: a new role
    stack = review_pair(tmp_path, {STACK: endpoint_stack()}, {STACK: new}).change.stack(STACK)
    actions = {r.logical_id: r.action for r in stack.resources}
    # Role (name) -> Model (ExecutionRoleArn) -> Config (ModelName) are replaced; the Endpoint only
    # gets a new config name, which SageMaker applies in place.
    assert actions == {"ChatRole": "replaced", "ChatModel": "replaced", "ChatConfig": "replaced", "Chat": "modified"}
    model = stack.resource("ChatModel")
    assert model is not None
    assert model.reasons == ("create-only ExecutionRoleArn refers to ChatRole, which is replaced",)
    (role_arn,) = model.changes
    assert (role_arn.kind, role_arn.replaced_refs, role_arn.create_only) == ("unresolved", ("ChatRole",), True)


def test_an_endpoint_renamed_in_place_is_replaced_and_flagged_as_a_name_change(tmp_path: Path) -> None:
    new = endpoint_stack(endpoint_name="chat-v2", scaling_resource_id="endpoint/chat-v2/variant/AllTraffic")
    review = review_pair(tmp_path, {STACK: endpoint_stack()}, {STACK: new})
    endpoint = review.change.stack(STACK).resource("Chat")
    assert endpoint is not None
    assert endpoint.action == "replaced"
    assert rules_of(review) == ["endpoint-name-changed", "scalable-target-resource-changed"]
    (renamed, moved) = review.findings
    assert "from 'chat' to 'chat-v2'" in renamed.message
    assert "'endpoint/chat/variant/AllTraffic' to 'endpoint/chat-v2/variant/AllTraffic'" in moved.message


def test_a_removed_endpoint_is_flagged_and_names_a_likely_rename(tmp_path: Path) -> None:
    gone = edited(endpoint_stack())
    del gone["Resources"]["Chat"]
    renamed = edited(endpoint_stack(endpoint_name="chat-v2"))
    renamed["Resources"]["ChatV2"] = renamed["Resources"].pop("Chat")
    review = review_pair(tmp_path, {STACK: endpoint_stack()}, {STACK: gone, "llm-chat-v2": renamed})
    (finding,) = [f for f in review.findings if f.rule == "endpoint-removed"]
    assert finding.id == f"endpoint-removed:{STACK}/Chat"
    assert "endpoint 'chat-v2' (stack llm-chat-v2)" in finding.message


def test_an_instance_type_change_without_autoscaling_is_not_flagged(tmp_path: Path) -> None:
    old = endpoint_stack(scaling_resource_id=None)
    new = endpoint_stack(scaling_resource_id=None, instance_type="ml.g5.4xlarge")
    review = review_pair(tmp_path, {STACK: old}, {STACK: new})
    assert action_of(review, STACK, "ChatConfig") == "replaced"
    assert review.findings == ()


def test_a_scaling_target_that_joins_the_endpoint_name_attribute_is_recognized(tmp_path: Path) -> None:
    joined = {"Fn::Join": ["", ["endpoint/", {"Fn::GetAtt": ["Chat", "EndpointName"]}, "/variant/AllTraffic"]]}
    old = endpoint_stack(scaling_resource_id=joined)
    new = endpoint_stack(scaling_resource_id=joined, instance_type="ml.g5.4xlarge")
    assert rules_of(review_pair(tmp_path, {STACK: old}, {STACK: new})) == ["instance-type-with-autoscaling"]


def test_a_scaling_target_for_another_variant_does_not_count(tmp_path: Path) -> None:
    old = endpoint_stack(scaling_resource_id="endpoint/chat/variant/Shadow")
    new = endpoint_stack(scaling_resource_id="endpoint/chat/variant/Shadow", instance_type="ml.g5.4xlarge")
    assert review_pair(tmp_path, {STACK: old}, {STACK: new}).findings == ()


def test_a_replaced_model_that_keeps_an_explicit_name_collides(tmp_path: Path) -> None:
    old = edited(endpoint_stack())
    old["Resources"]["ChatModel"]["Properties"]["ModelName"] = "chat-model"
    new = edited(endpoint_stack(image="djl-inference:0.33.0"))
    new["Resources"]["ChatModel"]["Properties"]["ModelName"] = "chat-model"
    review = review_pair(tmp_path, {STACK: old}, {STACK: new})
    (finding,) = review.findings
    assert finding.id == f"replacement-collides:{STACK}/ChatModel"
    assert "keeps its explicit name 'chat-model'" in finding.message


def test_a_changed_bucket_logical_id_shows_as_removed_and_added_and_is_flagged(tmp_path: Path) -> None:
    new = edited(artifacts_stack())
    new["Resources"]["ArtifactBucket2"] = new["Resources"].pop("ArtifactsBucket")
    review = review_pair(tmp_path, {DATA: artifacts_stack()}, {DATA: new})
    actions = {r.logical_id: r.action for r in review.change.stack(DATA).resources}
    assert actions == {"ArtifactsBucket": "removed", "ArtifactBucket2": "added"}
    (finding,) = review.findings
    assert finding.id == f"bucket-removed:{DATA}/ArtifactsBucket"
    assert "ArtifactBucket2 is added in the same stack" in finding.message
    assert "DeletionPolicy Retain" in finding.message


def test_a_key_policy_change_and_a_bucket_tag_change_are_both_flagged(tmp_path: Path) -> None:
    new = edited(artifacts_stack())
    new["Resources"]["ArtifactsKey"]["Properties"]["KeyPolicy"]["Statement"].append({"Effect": "Allow"})
    new["Resources"]["ArtifactsBucket"]["Properties"]["Tags"] = [{"Key": "team", "Value": "ml"}]
    review = review_pair(tmp_path, {DATA: artifacts_stack()}, {DATA: new})
    assert sorted(f.id for f in review.findings) == [
        f"bucket-changed:{DATA}/ArtifactsBucket",
        f"key-changed:{DATA}/ArtifactsKey",
    ]


def test_a_bucket_losing_its_retain_policy_is_flagged(tmp_path: Path) -> None:
    new = edited(artifacts_stack())
    del new["Resources"]["ArtifactsBucket"]["DeletionPolicy"]
    (finding,) = review_pair(tmp_path, {DATA: artifacts_stack()}, {DATA: new}).findings
    assert finding.rule == "bucket-changed"
    assert "DeletionPolicy" in finding.message


def test_a_type_change_under_one_logical_id_is_flagged(tmp_path: Path) -> None:
    new = edited(endpoint_stack())
    new["Resources"]["ChatRole"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {}}}
    review = review_pair(tmp_path, {STACK: endpoint_stack()}, {STACK: new})
    assert "resource-type-changed" in rules_of(review)


def test_an_export_another_stack_imports_cannot_change(tmp_path: Path) -> None:
    old_data = edited(artifacts_stack())
    old_data["Outputs"] = {"BucketArn": {"Value": {"Fn::GetAtt": ["ArtifactsBucket", "Arn"]}, "Export": {"Name": "b"}}}
    new_data = edited(old_data)
    new_data["Resources"]["ArtifactsBucket"]["Properties"]["BucketName"] = "artifacts"  # replaces the bucket
    importer = edited(endpoint_stack())
    importer["Resources"]["ChatRole"]["Properties"]["Description"] = {"Fn::ImportValue": "b"}
    review = review_pair(tmp_path, {DATA: old_data, STACK: importer}, {DATA: new_data, STACK: importer})
    (output,) = review.change.stack(DATA).template
    assert (output.label, output.kind, output.replaced_refs) == (
        "Outputs.BucketArn.Value",
        "unresolved",
        ("ArtifactsBucket",),
    )
    assert f"export-in-use-changed:{DATA}/BucketArn" in [f.id for f in review.findings]


def test_messages_keep_the_names_as_written(tmp_path: Path) -> None:
    old = endpoint_stack(endpoint_name="Chat-EU")
    gone = edited(old)
    del gone["Resources"]["Chat"]
    (finding,) = review_pair(tmp_path, {STACK: old}, {STACK: gone}).findings
    assert finding.message.startswith("Endpoint 'Chat-EU' is deleted")
