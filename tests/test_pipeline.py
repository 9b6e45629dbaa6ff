"""The opt-in CDK pipeline: source, synth step, stages and approvals, the environments each stage
deploys to, and when CDK Pipelines publishes the model archives relative to those deployments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3, aws_s3_assets as s3_assets, aws_sns as sns, pipelines
from cfnlint.api import ManualArgs, lint_file

from llm_hosting.assembly import read_assembly
from llm_hosting.catalog import CatalogError, LoadedCatalog, load_catalog
from stacks.pipeline import PipelineStack, build_pipeline, check_pipeline, pinned_cli_version
from stacks.plan import plan_stacks
from tests.synth import ROOT, cdk_json_context

PIPELINE_ACCOUNT = "111111111111"
PIPELINE_REGION = "eu-west-1"
STAGING = ("222222222222", "eu-west-1")
PRODUCTION = ("333333333333", "eu-west-1")
CONNECTION = (
    f"arn:aws:codeconnections:{PIPELINE_REGION}:{PIPELINE_ACCOUNT}:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
)
CATALOG_ARGUMENT = "deploy/catalog.yaml"
"""How the tests name the catalog to the app (`-c catalog=`): the synth step must use the same."""

PIPELINE_SECTION = f"""
pipeline:
  enabled: true
  account: "{PIPELINE_ACCOUNT}"
  region: {PIPELINE_REGION}
  connection_arn: {CONNECTION}
  repository: example-org/llm-hosting
  branch: release
  stages:
    - {{name: Staging, account: "{STAGING[0]}", region: {STAGING[1]}}}
    - {{name: Production, account: "{PRODUCTION[0]}", region: {PRODUCTION[1]}, approval: true}}
"""

# The catalog pins another environment: the stages must deploy to their own, not to this one. The
# model has serving code, so it has a model archive for the pipeline to publish.
ENDPOINTS = f"""
project: mini
environment: {{account: "999999999999", region: us-east-1}}
endpoints:
  - name: small-llm
    type: single-model
    instance_type: ml.g5.2xlarge
    model:
      engine: fastertransformer
      version: "0.24.0"
      architecture: llama
      code: {ROOT / "model_artifacts" / "codegen"}
      weights: "s3://example-weights/small-llm/"
      unchecked_properties: {{option.default_max_new_tokens: 32}}
  - name: embeddings
    type: multi-model
    instance_type: ml.g4dn.xlarge
    instance_count: {{initial: 1, min: 1, max: 2}}
    model: {{engine: triton, version: "24.09"}}
    warmup: {{schedule: rate(1 hour)}}
"""


@dataclass(frozen=True)
class PipelineSynth:
    outdir: Path
    catalog: LoadedCatalog
    stack: PipelineStack
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.template["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, Any]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    @property
    def pipeline(self) -> dict[str, Any]:
        (pipeline,) = self.of_type("AWS::CodePipeline::Pipeline").values()
        properties: dict[str, Any] = pipeline["Properties"]
        return properties

    @property
    def stage_names(self) -> list[str]:
        return [stage["Name"] for stage in self.pipeline["Stages"]]

    def actions(self, stage_name: str) -> list[dict[str, Any]]:
        (stage,) = (s for s in self.pipeline["Stages"] if s["Name"] == stage_name)
        actions: list[dict[str, Any]] = sorted(stage["Actions"], key=lambda a: a["RunOrder"])
        return actions

    def project(self, action: dict[str, Any]) -> dict[str, Any]:
        properties: dict[str, Any] = self.resources[action["Configuration"]["ProjectName"]["Ref"]]["Properties"]
        return properties

    def nested_manifest(self, stage_name: str) -> tuple[Path, dict[str, Any]]:
        manifest = json.loads((self.outdir / "manifest.json").read_text())
        (directory,) = (
            a["properties"]["directoryName"]
            for a in manifest["artifacts"].values()
            if a["type"] == "cdk:cloud-assembly" and a["properties"]["displayName"] == stage_name
        )
        return self.outdir / directory, json.loads((self.outdir / directory / "manifest.json").read_text())


def synthesize_pipeline(catalog_text: str, directory: Path, **context: Any) -> PipelineSynth:
    directory.mkdir(parents=True, exist_ok=True)
    catalog_path = directory / "catalog.yaml"
    catalog_path.write_text(catalog_text)
    outdir = directory / "cdk.out"
    app = cdk.App(context={**cdk_json_context(), "catalog": CATALOG_ARGUMENT, **context}, outdir=str(outdir))
    catalog = load_catalog(catalog_path)
    stack = build_pipeline(app, catalog)
    assert stack is not None
    assembly = app.synth()
    template = assembly.get_stack_by_name(stack.stack_name).template
    return PipelineSynth(outdir=outdir, catalog=catalog, stack=stack, template=template)


@pytest.fixture(scope="module")
def two_stages(tmp_path_factory: pytest.TempPathFactory) -> PipelineSynth:
    return synthesize_pipeline(ENDPOINTS + PIPELINE_SECTION, tmp_path_factory.mktemp("pipeline"))


def text(value: Any) -> str:
    """A CloudFormation value (with Fn::Join, Ref ...) as searchable text."""
    return json.dumps(value)


# --- when there is a pipeline: the catalog, the context, and what the schema cannot check ----------


def load(tmp_path: Path, catalog_text: str) -> LoadedCatalog:
    path = tmp_path / "catalog.yaml"
    path.write_text(catalog_text)
    return load_catalog(path)


def test_without_a_pipeline_section_the_app_builds_the_plain_stacks(tmp_path: Path) -> None:
    app = cdk.App(context=cdk_json_context())
    assert build_pipeline(app, load(tmp_path, ENDPOINTS)) is None
    assert app.node.children == []


def test_a_pipeline_that_is_not_enabled_is_not_built(tmp_path: Path) -> None:
    app = cdk.App(context=cdk_json_context())
    catalog = load(tmp_path, ENDPOINTS + PIPELINE_SECTION.replace("enabled: true", "enabled: false"))
    assert build_pipeline(app, catalog) is None
    assert app.node.children == []


def test_context_pipeline_false_turns_an_enabled_pipeline_off(tmp_path: Path) -> None:
    app = cdk.App(context={**cdk_json_context(), "pipeline": "false"})
    assert build_pipeline(app, load(tmp_path, ENDPOINTS + PIPELINE_SECTION)) is None


def test_context_pipeline_true_without_a_pipeline_section_is_a_catalog_error(tmp_path: Path) -> None:
    app = cdk.App(context={**cdk_json_context(), "pipeline": "true"})
    with pytest.raises(CatalogError, match=r"pipeline: -c pipeline=true needs a pipeline section"):
        build_pipeline(app, load(tmp_path, ENDPOINTS))


def test_context_pipeline_must_be_true_or_false(tmp_path: Path) -> None:
    app = cdk.App(context={**cdk_json_context(), "pipeline": "yes"})
    with pytest.raises(CatalogError, match=r"context: pipeline: expected true or false, got 'yes'"):
        build_pipeline(app, load(tmp_path, ENDPOINTS + PIPELINE_SECTION))


def test_stage_names_cdk_pipelines_uses_itself_are_refused(tmp_path: Path) -> None:
    catalog = load(tmp_path, ENDPOINTS + PIPELINE_SECTION.replace("name: Staging", "name: Assets"))
    assert catalog.spec.pipeline is not None
    (problem,) = check_pipeline(catalog, catalog.spec.pipeline)
    assert problem.path == "pipeline.stages[0].name"
    assert "Assets is a stage CDK Pipelines adds itself" in problem.message


def test_two_stages_in_one_account_and_region_are_refused(tmp_path: Path) -> None:
    catalog = load(tmp_path, ENDPOINTS + PIPELINE_SECTION.replace(PRODUCTION[0], STAGING[0]))
    assert catalog.spec.pipeline is not None
    (problem,) = check_pipeline(catalog, catalog.spec.pipeline)
    assert problem.path == "pipeline.stages[1]"
    assert f"both would own the bucket mini-artifacts-{STAGING[0]}-{STAGING[1]}" in problem.message


def test_a_catalog_named_outside_the_repository_is_refused(tmp_path: Path) -> None:
    app = cdk.App(context={**cdk_json_context(), "catalog": "/home/me/catalog.yaml"})
    with pytest.raises(CatalogError, match=r"name it by its path inside the repository"):
        build_pipeline(app, load(tmp_path, ENDPOINTS + PIPELINE_SECTION))


# --- the pipeline ------------------------------------------------------------------------------


def test_the_pipeline_is_a_v2_codepipeline_in_the_pipeline_account(two_stages: PipelineSynth) -> None:
    assert two_stages.pipeline["PipelineType"] == "V2"
    assert two_stages.pipeline["Name"] == "mini-pipeline"
    assert (two_stages.stack.account, two_stages.stack.region) == (PIPELINE_ACCOUNT, PIPELINE_REGION)


def test_the_source_is_the_branch_of_the_repository_through_the_connection(two_stages: PipelineSynth) -> None:
    (source,) = two_stages.actions("Source")
    assert source["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert source["Configuration"] == {
        "ConnectionArn": CONNECTION,
        "FullRepositoryId": "example-org/llm-hosting",
        "BranchName": "release",
    }


def test_the_synth_step_runs_make_test_then_make_synth_with_python_3_11(two_stages: PipelineSynth) -> None:
    (synth,) = two_stages.actions("Build")
    project = two_stages.project(synth)
    spec = json.loads(project["Source"]["BuildSpec"])
    assert spec["phases"]["build"]["commands"] == ["make test", f"make synth CATALOG={CATALOG_ARGUMENT}"]
    assert spec["phases"]["install"]["runtime-versions"] == {"python": "3.11"}
    assert spec["artifacts"]["base-directory"] == "cdk.out"
    assert project["Environment"]["Image"] == "aws/codebuild/standard:8.0"


def test_the_stages_run_source_build_update_assets_then_the_catalog_stages(two_stages: PipelineSynth) -> None:
    assert two_stages.stage_names == ["Source", "Build", "UpdatePipeline", "Assets", "Staging", "Production"]


def test_production_waits_for_a_manual_approval_and_staging_does_not(two_stages: PipelineSynth) -> None:
    def approvals(stage_name: str) -> list[dict[str, Any]]:
        return [a for a in two_stages.actions(stage_name) if a["ActionTypeId"]["Category"] == "Approval"]

    assert approvals("Staging") == []
    (approval,) = approvals("Production")
    others = [a for a in two_stages.actions("Production") if a is not approval]
    assert others and all(a["RunOrder"] > approval["RunOrder"] for a in others)


@pytest.mark.parametrize(("stage_name", "environment"), [("Staging", STAGING), ("Production", PRODUCTION)])
def test_each_stage_deploys_the_catalogs_stacks_to_its_own_account_and_region(
    two_stages: PipelineSynth, stage_name: str, environment: tuple[str, str]
) -> None:
    account, region = environment
    planned = plan_stacks(two_stages.catalog).names
    deploys = [a for a in two_stages.actions(stage_name) if a["ActionTypeId"]["Provider"] == "CloudFormation"]
    stacks = {a["Configuration"]["StackName"] for a in deploys}
    assert stacks == set(planned)
    for action in deploys:
        assert f":iam::{account}:role/cdk-hnb659fds-deploy-role-{account}-{region}" in text(action["RoleArn"])
        if action["Configuration"]["ActionMode"] == "CHANGE_SET_REPLACE":
            role = text(action["Configuration"]["RoleArn"])
            assert f":iam::{account}:role/cdk-hnb659fds-cfn-exec-role-{account}-{region}" in role

    # The artifacts stack is deployed before any endpoint stack starts.
    run_order = {(a["Configuration"]["StackName"], a["Configuration"]["ActionMode"]): a["RunOrder"] for a in deploys}
    artifacts_done = run_order[(planned[0], "CHANGE_SET_EXECUTE")]
    assert all(run_order[(name, "CHANGE_SET_REPLACE")] > artifacts_done for name in planned[1:])

    _, manifest = two_stages.nested_manifest(stage_name)
    environments = {a["environment"] for a in manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack"}
    assert environments == {f"aws://{account}/{region}"}
    assert "999999999999" not in text(two_stages.pipeline)


def test_model_archives_are_published_before_any_stage_and_so_before_its_artifacts_stack(
    two_stages: PipelineSynth,
) -> None:
    """The ordering the module docstring states: why `<project>-artifacts` must exist beforehand."""
    names = two_stages.stage_names
    (publish,) = two_stages.actions("Assets")
    buildspec = two_stages.project(publish)["Source"]["BuildSpec"]  # one publisher: its spec is a file
    commands: list[str] = json.loads((two_stages.outdir / buildspec).read_text())["phases"]["build"]["commands"]

    # Every stage's archives, Production's included, are published in the one Assets stage ...
    published: dict[str, set[str]] = {}
    for command in commands:
        _, manifest_path, _, selector = command.split('"')[:4]  # cdk-assets --path "M" ... publish "S"
        asset_id, _, destination_id = selector.partition(":")
        manifest = json.loads((two_stages.outdir / manifest_path).read_text())
        destination = manifest["files"][asset_id]["destinations"][destination_id]
        published.setdefault(destination["bucketName"], set()).add(destination["objectKey"])
    staging_bucket = f"mini-artifacts-{STAGING[0]}-{STAGING[1]}"
    production_bucket = f"mini-artifacts-{PRODUCTION[0]}-{PRODUCTION[1]}"
    assert set(published) == {staging_bucket, production_bucket}
    for keys in published.values():
        assert {key.split("/")[1] for key in keys} == {"small-llm", "embeddings"}  # assets/<endpoint>/...

    # ... into the buckets the stages' own artifacts stacks create, before those stacks are deployed
    # (and before Production's approval).
    for stage_name in ("Staging", "Production"):
        assert names.index("Assets") < names.index(stage_name)
        deploys = [a["Name"] for a in two_stages.actions(stage_name)]
        assert "mini-artifacts.Deploy" in deploys


def test_an_earlier_wave_for_the_bucket_stack_would_not_delay_publishing(tmp_path: Path) -> None:
    """CDK Pipelines publishes a later wave's assets before an earlier wave deploys, so deploying
    `<project>-artifacts` in a first wave of its own cannot order publishing after it."""
    environment = cdk.Environment(account=PIPELINE_ACCOUNT, region=PIPELINE_REGION)
    app = cdk.App(context=cdk_json_context(), outdir=str(tmp_path / "cdk.out"))
    pipeline = pipelines.CodePipeline(
        cdk.Stack(app, "Pipe", env=environment),
        "Pipeline",
        synth=pipelines.ShellStep(
            "Synth",
            input=pipelines.CodePipelineSource.connection("o/r", "main", connection_arn=CONNECTION),
            commands=["true"],
        ),
    )
    bucket_stage = cdk.Stage(app, "Buckets", env=environment)
    sns.Topic(cdk.Stack(bucket_stage, "Holder"), "Topic")
    archive_stage = cdk.Stage(app, "Archives", env=environment)
    (tmp_path / "model.tar.gz").write_bytes(b"archive")
    archive_user = cdk.Stack(archive_stage, "User")
    s3_assets.Asset(archive_user, "Archive", path=str(tmp_path / "model.tar.gz"))
    sns.Topic(archive_user, "Topic")
    pipeline.add_wave("First").add_stage(bucket_stage)
    pipeline.add_wave("Second").add_stage(archive_stage)
    assembly = app.synth()

    (resource,) = (
        r
        for r in assembly.get_stack_by_name("Pipe").template["Resources"].values()
        if r["Type"] == "AWS::CodePipeline::Pipeline"
    )
    names = [stage["Name"] for stage in resource["Properties"]["Stages"]]
    assert names.index("Assets") < names.index("Buckets") < names.index("Archives")


def test_every_file_asset_of_every_stage_is_in_the_cloud_assembly(two_stages: PipelineSynth) -> None:
    """cdk-assets resolves a file's path against its manifest's directory (see model_archive.stage_archive)."""
    missing = []
    count = 0
    for manifest_path in two_stages.outdir.glob("assembly-*/*.assets.json"):
        for asset in json.loads(manifest_path.read_text())["files"].values():
            count += 1
            if not (manifest_path.parent / asset["source"]["path"]).exists():
                missing.append(f"{manifest_path.name}: {asset['source']['path']}")
    assert count > 0
    assert missing == []


def test_the_artifact_bucket_is_encrypted_with_a_rotated_key_versioned_logged_and_tls_only(
    two_stages: PipelineSynth,
) -> None:
    store = two_stages.pipeline["ArtifactStore"]
    assert store["EncryptionKey"]["Type"] == "KMS"
    bucket = two_stages.resources[store["Location"]["Ref"]]["Properties"]
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    key = two_stages.resources[rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "DestinationBucketName" in bucket["LoggingConfiguration"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    policies = [p["Properties"] for p in two_stages.of_type("AWS::S3::BucketPolicy").values()]
    (policy,) = (p for p in policies if p["Bucket"] == store["Location"])
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy["PolicyDocument"]["Statement"]
    )
    assert two_stages.stack.cross_account  # stages in other accounts: cross_account_keys


def test_no_role_of_the_pipeline_has_admin_permissions(two_stages: PipelineSynth) -> None:
    statements = [
        statement
        for policy in two_stages.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not any(a == "*" or a.endswith(":*") for a in actions), statement
    for role in two_stages.of_type("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]


def test_nothing_runs_docker_and_self_mutation_uses_the_pinned_cli(two_stages: PipelineSynth) -> None:
    projects = two_stages.of_type("AWS::CodeBuild::Project").values()
    assert not any(p["Properties"]["Environment"].get("PrivilegedMode") for p in projects)
    assert not any(a["Name"].startswith("DockerAsset") for a in two_stages.actions("Assets"))
    (mutate,) = two_stages.actions("UpdatePipeline")
    spec = json.loads(two_stages.project(mutate)["Source"]["BuildSpec"])
    cli = json.loads((Path(__file__).parent.parent / "package.json").read_text())["devDependencies"]["aws-cdk"]
    assert pinned_cli_version() == cli
    assert spec["phases"]["install"]["commands"] == [f"npm install -g aws-cdk@{cli}"]


def test_cfn_lint_finds_nothing_in_the_pipeline_or_its_stages(two_stages: PipelineSynth) -> None:
    findings = [
        f"{template.name}: {match}"
        for template in sorted(two_stages.outdir.glob("*.template.json"))
        for match in lint_file(template, ManualArgs(regions=[PIPELINE_REGION]))
    ]
    for stage_name, (_, region) in (("Staging", STAGING), ("Production", PRODUCTION)):
        directory, _ = two_stages.nested_manifest(stage_name)
        for template in sorted(directory.glob("*.template.json")):
            findings += [f"{template.name}: {m}" for m in lint_file(template, ManualArgs(regions=[region]))]
    assert findings == []


def test_make_synths_stack_list_reads_the_pipeline_assembly(two_stages: PipelineSynth) -> None:
    names = [stack.name for stack in read_assembly(two_stages.outdir)]
    assert "mini-pipeline" in names
    assert len(names) == 1 + 2 * len(plan_stacks(two_stages.catalog).names)


def test_stage_stacks_keep_the_names_cdk_deploy_gives_them(two_stages: PipelineSynth) -> None:
    _, manifest = two_stages.nested_manifest("Staging")
    names = [
        a["properties"]["stackName"] for a in manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack"
    ]
    assert sorted(names) == sorted(plan_stacks(two_stages.catalog).names)


# --- the catalog's compliance packs, and a stage in another region ------------------------------

ONE_STAGE_NO_ENDPOINTS = f"""
project: mini
pipeline:
  enabled: true
  account: "{PIPELINE_ACCOUNT}"
  region: {PIPELINE_REGION}
  connection_arn: {CONNECTION}
  repository: example-org/llm-hosting
  stages:
    - {{name: Production, account: "{PRODUCTION[0]}", region: us-east-1, approval: true}}
"""


@pytest.fixture(scope="module")
def other_region(tmp_path_factory: pytest.TempPathFactory) -> PipelineSynth:
    return synthesize_pipeline(ONE_STAGE_NO_ENDPOINTS, tmp_path_factory.mktemp("other-region"))


def test_a_stage_in_another_region_gets_a_key_encrypted_replication_bucket(other_region: PipelineSynth) -> None:
    (support,) = other_region.stack.replication_buckets
    assert support == "us-east-1"
    templates = sorted(other_region.outdir.glob("*.template.json"))
    (support_template,) = (t for t in templates if "us-east-1" in t.name)
    resources = json.loads(support_template.read_text())["Resources"].values()
    (bucket,) = (r for r in resources if r["Type"] == "AWS::S3::Bucket")
    (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    findings = [
        f"{template.name}: {m}"
        for template in templates
        for m in lint_file(template, ManualArgs(regions=[PIPELINE_REGION, "us-east-1"]))
    ]
    assert findings == []


def test_the_catalogs_compliance_packs_check_the_pipeline_and_its_stages(tmp_path: Path) -> None:
    """The packs run because the stages hang off the app (CDK validates only stages it reaches
    through stages): a finding nobody acknowledged stops synthesis."""
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(ONE_STAGE_NO_ENDPOINTS)
    app = cdk.App(context={**cdk_json_context(), "catalog": CATALOG_ARGUMENT}, outdir=str(tmp_path / "cdk.out"))
    stack = build_pipeline(app, load_catalog(catalog_path))
    assert stack is not None
    s3.CfnBucket(stack, "Unlogged")
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = (tmp_path / "cdk.out" / "validation-report.json").read_text()
    assert "mini-pipeline/Unlogged" in report
    assert "mini-pipeline/Pipeline" not in report  # CDK Pipelines' own findings are acknowledged


def test_the_app_builds_the_pipeline_stack_instead_of_the_stacks_when_the_catalog_enables_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make synth` runs app.py: with `pipeline.enabled: true` its only top-level stacks are the
    pipeline (and its support stack in another region); the catalog's stacks are in the stages."""
    import app as cdk_app  # the CDK entry point (the repository's app.py)

    (tmp_path / "catalog.yaml").write_text(ONE_STAGE_NO_ENDPOINTS)
    monkeypatch.chdir(tmp_path)  # the catalog is named by its path in the checkout, as in the synth step
    outdir = tmp_path / "cdk.out"
    cdk_app.main(cdk.App(context={**cdk_json_context(), "catalog": "catalog.yaml"}, outdir=str(outdir)))

    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = sorted(a["displayName"] for a in manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack")
    stages = sorted(
        a["properties"]["directoryName"] for a in manifest["artifacts"].values() if a["type"] == "cdk:cloud-assembly"
    )
    assert stacks == ["cross-region-stack-111111111111:us-east-1", "mini-pipeline"]
    assert stages == ["assembly-Production"]
    nested = json.loads((outdir / "assembly-Production" / "manifest.json").read_text())
    names = [
        a["properties"]["stackName"] for a in nested["artifacts"].values() if a["type"] == "aws:cloudformation:stack"
    ]
    assert names == ["mini-artifacts"]
