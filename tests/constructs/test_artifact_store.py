"""The stateful artifacts stack: encrypted, versioned, TLS-only, private, logged and retained."""

from __future__ import annotations

from typing import Any

import pytest

from tests.synth import Synthesized
from tests.templates import of_type, one, text

STACK = "llm-hosting-artifacts"


@pytest.fixture(scope="module")
def template(default_synth: Synthesized) -> dict[str, Any]:
    return default_synth.template(STACK)


def _artifact_bucket(template: dict[str, Any]) -> dict[str, Any]:
    (bucket,) = [b for b in of_type(template, "AWS::S3::Bucket").values() if "LoggingConfiguration" in b["Properties"]]
    return bucket


def test_the_key_is_customer_managed_with_rotation_and_retained(template: dict[str, Any]) -> None:
    key = one(template, "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"


def test_the_bucket_is_encrypted_with_that_key(template: dict[str, Any]) -> None:
    (rule,) = _artifact_bucket(template)["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {
        "Fn::GetAtt": [next(iter(of_type(template, "AWS::KMS::Key"))), "Arn"]
    }
    assert rule["BucketKeyEnabled"] is True


def test_both_buckets_are_versioned_private_and_retained(template: dict[str, Any]) -> None:
    buckets = of_type(template, "AWS::S3::Bucket")
    assert len(buckets) == 2
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert bucket["DeletionPolicy"] == "Retain"


def test_the_bucket_writes_server_access_logs(template: dict[str, Any]) -> None:
    logging = _artifact_bucket(template)["Properties"]["LoggingConfiguration"]
    assert logging["DestinationBucketName"]["Ref"] in of_type(template, "AWS::S3::Bucket")
    assert logging["LogFilePrefix"] == "artifact-bucket/"


def test_every_bucket_refuses_plain_http(template: dict[str, Any]) -> None:
    policies = of_type(template, "AWS::S3::BucketPolicy")
    assert len(policies) == 2
    for policy in policies.values():
        denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_the_bucket_name_is_deterministic_per_account_and_region(template: dict[str, Any]) -> None:
    name = _artifact_bucket(template)["Properties"]["BucketName"]
    assert name == {
        "Fn::Join": ["", ["llm-hosting-artifacts-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}]]
    }


def test_only_the_bootstrap_roles_may_stage_files_and_only_under_assets(template: dict[str, Any]) -> None:
    policy = next(
        p for p in of_type(template, "AWS::S3::BucketPolicy").values() if "CdkAssetPublishingWrite" in text(p)
    )
    allows = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"}
    assert set(allows) == {"CdkAssetPublishingWrite", "CdkAssetPublishingList", "CdkDeployReadTemplates"}
    assert "cdk-hnb659fds-file-publishing-role-" in text(allows["CdkAssetPublishingWrite"]["Principal"])
    assert "cdk-hnb659fds-deploy-role-" in text(allows["CdkDeployReadTemplates"]["Principal"])
    for sid in ("CdkAssetPublishingWrite", "CdkDeployReadTemplates"):
        assert text(allows[sid]["Resource"]).endswith('"/assets/*"]]}')
    key_policy = one(template, "AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"]
    via_s3 = [s for s in key_policy if s.get("Sid", "").startswith("Cdk")]
    assert len(via_s3) == 2 and all("kms:ViaService" in text(s["Condition"]) for s in via_s3)


def test_the_bucket_name_and_key_are_exported_for_the_command_line(template: dict[str, Any]) -> None:
    assert set(template["Outputs"]) >= {"ArtifactBucketName", "ArtifactKeyArn"}


def test_replaced_archive_versions_expire(template: dict[str, Any]) -> None:
    rules = _artifact_bucket(template)["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rules[0]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}


def test_the_artifacts_stack_is_protected_from_deletion(default_synth: Synthesized) -> None:
    import json

    manifest = json.loads((default_synth.outdir / "manifest.json").read_text())
    assert manifest["artifacts"][STACK]["properties"]["terminationProtection"] is True


def test_sse_s3_encryption_needs_no_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    import yaml

    from tests.synth import synthesize

    path = tmp_path_factory.mktemp("s3enc") / "catalog.yaml"
    path.write_text(yaml.safe_dump({"project": "plain", "artifacts": {"encryption": "s3"}}))
    template = synthesize(path, path.parent / "out").template("plain-artifacts")
    assert of_type(template, "AWS::KMS::Key") == {}
    assert "AES256" in text(_artifact_bucket(template)["Properties"]["BucketEncryption"])


def test_alarms_notify_an_encrypted_tls_only_topic(template: dict[str, Any]) -> None:
    topic = one(template, "AWS::SNS::Topic")["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": [next(iter(of_type(template, "AWS::KMS::Key"))), "Arn"]}
    (policy,) = of_type(template, "AWS::SNS::TopicPolicy").values()
    denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)
    assert "AlarmTopicArn" in template["Outputs"]


def test_the_key_lets_cloudwatch_publish_alarms_and_encrypt_log_groups(template: dict[str, Any]) -> None:
    statements = {s.get("Sid"): s for s in one(template, "AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"]}
    alarms = statements["CloudWatchAlarmsPublishToEncryptedTopics"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    logs = statements["CloudWatchLogsEncryptLogGroups"]
    assert "kms:EncryptionContext:aws:logs:arn" in text(logs["Condition"])


def test_an_existing_topic_from_the_catalog_replaces_the_projects_own(tmp_path_factory: pytest.TempPathFactory) -> None:
    import yaml

    from tests.synth import synthesize

    arn = "arn:aws:sns:us-east-1:123456789012:platform-alarms"
    path = tmp_path_factory.mktemp("topic") / "catalog.yaml"
    path.write_text(yaml.safe_dump({"project": "own", "notifications": {"sns_topic_arn": arn}}))
    template = synthesize(path, path.parent / "out").template("own-artifacts")
    assert of_type(template, "AWS::SNS::Topic") == {}
