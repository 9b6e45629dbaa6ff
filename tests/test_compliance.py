"""cdk-nag's AwsSolutions, HIPAA Security and NIST 800-53 R5 packs: no finding is left unanswered."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_s3 as s3

from llm_hosting.catalog import load_catalog
from stacks import build_stacks
from tests.synth import ROOT, Synthesized, cdk_json_context

# Findings the project cannot fix, by rule family; a new kind of acknowledgment must be added here,
# in review, with the construct that makes it.
ACKNOWLEDGEABLE = {
    "AwsSolutions-IAM5",  # wildcards IAM cannot avoid (runtime log streams, prefixes, unscopable actions)
    "AwsSolutions-SQS3",  # the warm-up's dead-letter queue is itself a dead-letter queue
    "AwsSolutions-SNS2",  # only when the catalog chooses SSE-S3
    "HIPAA.Security-S3BucketReplicationEnabled",
    "NIST.800.53.R5-S3BucketReplicationEnabled",
    "HIPAA.Security-S3DefaultEncryptionKMS",  # the access-log bucket must use SSE-S3
    "NIST.800.53.R5-S3DefaultEncryptionKMS",
    "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",  # NVMe instance types refuse a key
    "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
    "HIPAA.Security-LambdaInsideVPC",  # only when the catalog gives the endpoint no VPC
    "NIST.800.53.R5-LambdaInsideVPC",
    "HIPAA.Security-SNSEncryptedKMS",  # only when the catalog chooses SSE-S3
    "NIST.800.53.R5-SNSEncryptedKMS",
}


def test_the_default_catalog_leaves_no_finding_unanswered(default_synth: Synthesized) -> None:
    # Synthesis raises on an unacknowledged finding; the report it writes lists none.
    report = json.loads((default_synth.outdir / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])] == []


def test_every_acknowledgment_is_a_known_kind_with_its_reason(default_synth: Synthesized) -> None:
    assert default_synth.acknowledgments, "nothing acknowledged: are the packs running?"
    for (path, rule), reason in default_synth.acknowledgments.items():
        assert re.sub(r"\[.*\]$", "", rule) in ACKNOWLEDGEABLE, (path, rule)
        assert len(reason) >= 40 and reason.rstrip().endswith("."), (path, rule, reason)


def test_wildcards_are_acknowledged_one_by_one_not_per_rule(default_synth: Synthesized) -> None:
    wildcards = [rule for (_, rule) in default_synth.acknowledgments if rule.startswith("AwsSolutions-IAM5")]
    assert wildcards and all(
        rule.startswith(("AwsSolutions-IAM5[Resource::", "AwsSolutions-IAM5[Action::")) for rule in wildcards
    )
    assert not [rule for rule in wildcards if rule.endswith("[Resource::arn:<AWS::Partition>:s3:::*]")]


def _app_with_a_plain_bucket(tmp_path: Path, packs: list[str]) -> cdk.App:
    tmp_path.mkdir(parents=True, exist_ok=True)
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(yaml.safe_dump({"project": "probe", "compliance": {"packs": packs}}))
    app = cdk.App(context=cdk_json_context(), outdir=str(tmp_path / "out"))
    build_stacks(app, load_catalog(catalog_path))
    s3.Bucket(cdk.Stack(app, "Probe"), "Plain")  # no TLS policy, no logs, no encryption settings
    return app


def test_the_packs_really_run_and_stop_synthesis(tmp_path: Path) -> None:
    app = _app_with_a_plain_bucket(tmp_path, ["aws-solutions", "hipaa-security", "nist-800-53-r5"])
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "out" / "validation-report.json").read_text())
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    assert {
        "AwsSolutions-S10",
        "HIPAA.Security-S3BucketSSLRequestsOnly",
        "NIST.800.53.R5-S3BucketSSLRequestsOnly",
    } <= rules
    paths = {
        c["constructPath"]
        for plugin in report["pluginReports"]
        for v in plugin["violations"]
        for c in v["violatingConstructs"]
    }
    assert all(p.startswith("Probe/") for p in paths), paths  # the project's own stacks stay clean


def test_a_catalog_can_opt_out_of_a_pack(tmp_path: Path) -> None:
    app = _app_with_a_plain_bucket(tmp_path, ["aws-solutions"])
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "out" / "validation-report.json").read_text())
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    assert rules and all(rule.startswith("AwsSolutions-") for rule in rules)
    _app_with_a_plain_bucket(tmp_path / "none", []).synth()  # no packs: nothing to stop it


def test_the_app_runs_the_packs_the_catalog_names() -> None:
    assert load_catalog(ROOT / "catalog.yaml").spec.compliance.packs == [
        "aws-solutions",
        "hipaa-security",
        "nist-800-53-r5",
    ]
