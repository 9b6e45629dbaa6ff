"""The opt-in CDK Pipelines stack: the catalog's stacks, deployed from the repository to each
environment of the catalog's `pipeline.stages` in turn, with a manual approval where asked.

Asset ordering. Model archives are file assets that the endpoint stacks stage into the artifact
bucket of the environment they deploy to (`<project>-artifacts-<account>-<region>`, created by the
stack `<project>-artifacts`). CDK Pipelines publishes every file asset of every stage in one
`Assets` pipeline stage, right after `UpdatePipeline` and before the first environment is deployed
(aws-cdk-lib 2.275, `pipelines/lib/helpers-internal/pipeline-graph.js`, `publishAsset`: a publishing
node depends only on the synth or self-mutation node, never on a stack deployment). Deploying the
artifacts stack in an earlier wave would not change that. So `<project>-artifacts` must exist in
every stage's account and region before the pipeline's first run, like `cdk bootstrap`; with that
account's credentials:

    npx cdk deploy '<Stage>/<project>-artifacts'
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import (
    aws_codebuild as codebuild,
    aws_codepipeline as codepipeline,
    aws_iam as iam,
    aws_kms as kms,
    aws_s3 as s3,
    pipelines,
)
from constructs import Construct, IConstruct

from llm_hosting import naming
from llm_hosting.catalog import CatalogError, LoadedCatalog, Problem, load_catalog
from llm_hosting.catalog.schema import Pipeline, PipelineStage
from llm_hosting.compliance import acknowledge, acknowledge_shared, ignore_lint
from llm_hosting.compliance.nag import flatten_reference, wildcard_findings
from llm_hosting.naming import DEFAULT_CATALOG
from llm_hosting.storage import ArtifactStore
from stacks.catalog_stacks import build_stacks

PIPELINE_CONTEXT = "pipeline"
"""`-c pipeline=true` builds the pipeline for a catalog whose `pipeline.enabled` is false, and
`-c pipeline=false` the plain stacks for one whose `pipeline.enabled` is true."""

RESERVED_STAGE_NAMES = ("Source", "Build", "UpdatePipeline", "Assets")
"""The pipeline stages CDK Pipelines adds itself; a catalog stage with one of these names collides."""

SYNTH_OUTPUT = "cdk.out"
BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_8_0
"""Ubuntu 24.04, CodeBuild's current standard image; Python 3.10-3.14 are runtimes of it."""
PYTHON_RUNTIME = "3.11"

_ROOT = Path(__file__).resolve().parent.parent


def pipeline_stack_name(project: str) -> str:
    return f"{project}-pipeline"


def requested_pipeline(scope: Construct, catalog: LoadedCatalog) -> Pipeline | None:
    """The catalog's `pipeline` section if a pipeline is wanted: context `pipeline` when given
    (true or false), else the section's `enabled`. Asking for one without a section is an error."""
    value = scope.node.try_get_context(PIPELINE_CONTEXT)
    section = catalog.spec.pipeline
    if value is None:
        return section if section is not None and section.enabled else None
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise CatalogError(
            "context", [Problem(PIPELINE_CONTEXT, f"expected true or false, got {value!r}: -c pipeline=true or false")]
        )
    if value and section is None:
        raise CatalogError(
            catalog.path,
            [
                Problem(
                    "pipeline",
                    "-c pipeline=true needs a pipeline section (account, region, connection_arn, repository, "
                    "stages); add one, or leave out -c pipeline=true",
                )
            ],
        )
    return section if value else None


def check_pipeline(catalog: LoadedCatalog, pipeline: Pipeline) -> list[Problem]:
    """What the schema cannot see: stage names CDK Pipelines takes, and two stages in one environment."""
    problems: list[Problem] = []
    names: dict[str, int] = {}
    environments: dict[tuple[str, str], int] = {}
    for index, stage in enumerate(pipeline.stages):
        where = f"pipeline.stages[{index}]"
        line = catalog.lines.get(("pipeline", "stages", index))
        if stage.name in RESERVED_STAGE_NAMES:
            problems.append(
                Problem(
                    f"{where}.name",
                    f"{stage.name} is a stage CDK Pipelines adds itself ({', '.join(RESERVED_STAGE_NAMES)}); "
                    "choose another name",
                    line,
                )
            )
        if stage.name in names:
            problems.append(
                Problem(
                    f"{where}.name",
                    f"{stage.name} is already the name of pipeline.stages[{names[stage.name]}]; give each stage "
                    "its own name",
                    line,
                )
            )
        names.setdefault(stage.name, index)
        environment = (stage.account, stage.region)
        if environment in environments:
            bucket = naming.bucket_name(catalog.spec.project, stage.account, stage.region)
            problems.append(
                Problem(
                    where,
                    f"deploys to {stage.account} {stage.region} like pipeline.stages[{environments[environment]}]: "
                    f"both would own the bucket {bucket} and the same endpoint names; give each stage its own "
                    "account or region",
                    line,
                )
            )
        environments.setdefault(environment, index)
    return problems


class CatalogStage(cdk.Stage):
    """One environment of the pipeline: the catalog's stacks as `build_stacks` makes them (same
    order, same dependencies, same compliance packs), pinned to this stage's account and region."""

    def __init__(self, scope: Construct, construct_id: str, *, catalog: LoadedCatalog, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.stacks = build_stacks(self, catalog)


def stage_catalog(catalog: LoadedCatalog, stage: PipelineStage) -> LoadedCatalog:
    """The catalog resolved and checked for one stage's account and region (images, region rules);
    the catalog's own `environment` is for the plain stacks."""
    return load_catalog(catalog.path, account=stage.account, region=stage.region)


def pinned_cli_version() -> str | None:
    """The CDK CLI version package.json pins, so that self-mutation runs the CLI `make synth` runs."""
    try:
        package = json.loads((_ROOT / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = package.get("devDependencies", {}).get("aws-cdk")
    return version if isinstance(version, str) and re.fullmatch(r"\d+\.\d+\.\d+", version) else None


def synth_commands(synth_catalog: str) -> list[str]:
    """The synth step runs the repository's own gates, then its synthesis, in its checkout."""
    return ["make test", f"make synth CATALOG={shlex.quote(synth_catalog)}"]


class PipelineStack(cdk.Stack):
    """A CodePipeline (V2) that synthesizes the repository and deploys the catalog to each stage.

    Source: the repository through a CodeConnections connection. Build: `make test`, then
    `make synth` (the Makefile installs .venv and node_modules itself). Then the pipeline updates
    itself, publishes the model archives of every stage (`Assets`), and deploys one stage per
    catalog stage, in order, each after a manual approval when its `approval` is true.

    The stages are children of the app (or of the stage holding this stack), not of this stack:
    CDK runs validation plugins (the catalog's cdk-nag packs) only for stages it reaches from the
    app through stages, so stages inside a stack would deploy unchecked.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        catalog: LoadedCatalog,
        pipeline: Pipeline,
        synth_catalog: str = DEFAULT_CATALOG,
        **kwargs: Any,
    ) -> None:
        problems = check_pipeline(catalog, pipeline)
        if Path(synth_catalog).is_absolute() or ".." in Path(synth_catalog).parts:
            problems.append(
                Problem(
                    "(context catalog)",
                    f"{synth_catalog}: the pipeline synthesizes the catalog in its own checkout; name it by its "
                    "path inside the repository (-c catalog=path/to/catalog.yaml)",
                )
            )
        if problems:
            raise CatalogError(catalog.path, problems)
        # Every stage's catalog is resolved before any construct exists: a catalog that does not
        # fit a stage's region stops synthesis with nothing written.
        stage_catalogs = [stage_catalog(catalog, stage) for stage in pipeline.stages]
        kwargs.setdefault(
            "description", f"{catalog.spec.project}: CDK pipeline deploying the catalog from {pipeline.repository}"
        )
        super().__init__(
            scope, construct_id, env=cdk.Environment(account=pipeline.account, region=pipeline.region), **kwargs
        )
        self.cross_account = any(stage.account != pipeline.account for stage in pipeline.stages)
        self.cross_region = any(stage.region != pipeline.region for stage in pipeline.stages)

        # The project's bucket defaults (customer-managed key with rotation, versioning, TLS only,
        # access logs) rather than CDK Pipelines' plain bucket.
        self.artifacts = ArtifactStore(
            self, "Artifacts", encryption="kms", noncurrent_version_expiration=cdk.Duration.days(30)
        )
        artifact_key = self.artifacts.key
        if isinstance(artifact_key, kms.Key):
            key_resource = artifact_key.node.default_child
            if isinstance(key_resource, kms.CfnKey):
                key_resource.description = "Encrypts the pipeline's artifacts: sources and cloud assemblies"

        self.source = pipelines.CodePipelineSource.connection(
            pipeline.repository, pipeline.branch, connection_arn=pipeline.connection_arn
        )
        self.synth = pipelines.CodeBuildStep(
            "Synth",
            input=self.source,
            commands=synth_commands(synth_catalog),
            primary_output_directory=SYNTH_OUTPUT,
            build_environment=codebuild.BuildEnvironment(
                build_image=BUILD_IMAGE,
                # make test synthesizes every scenario with jsii's Node: more than SMALL's 3 GB.
                compute_type=codebuild.ComputeType.MEDIUM,
            ),
            partial_build_spec=codebuild.BuildSpec.from_object(
                {"phases": {"install": {"runtime-versions": {"python": PYTHON_RUNTIME}}}}
            ),
        )
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            pipeline_name=construct_id,
            pipeline_type=codepipeline.PipelineType.V2,
            synth=self.synth,
            artifact_bucket=self.artifacts.bucket,
            # Stages in other accounts decrypt the artifacts with the bucket's key (always a KMS key
            # here). The flag gives the replication buckets CodePipeline makes for stages in other
            # regions keys too (with rotation), so those copies are not left on SSE-S3.
            cross_account_keys=self.cross_account or self.cross_region,
            enable_key_rotation=True if self.cross_account or self.cross_region else None,
            docker_enabled_for_synth=False,
            docker_enabled_for_self_mutation=False,
            # One CodeBuild project publishes all archives, however many components a catalog has.
            publish_assets_in_parallel=False,
            cli_version=pinned_cli_version(),
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(build_image=BUILD_IMAGE)
            ),
        )
        app_scope = cdk.Stage.of(self)
        if app_scope is None:  # a Stack always has an enclosing Stage (the App at least)
            raise ValueError("PipelineStack must be inside an App or a Stage")
        self.stages: list[CatalogStage] = []
        for stage, resolved in zip(pipeline.stages, stage_catalogs, strict=True):
            deployment = CatalogStage(
                app_scope, stage.name, catalog=resolved, env=cdk.Environment(account=stage.account, region=stage.region)
            )
            pre: list[pipelines.Step] = []
            if stage.approval:
                pre.append(
                    pipelines.ManualApprovalStep(
                        "Approve", comment=f"Deploy the catalog to {stage.name} ({stage.account}, {stage.region})?"
                    )
                )
            self.pipeline.add_stage(deployment, pre=pre)
            self.stages.append(deployment)
        self.pipeline.build_pipeline()
        # A stage in another region gets a support stack (top level in the app: `cdk deploy --all`
        # deploys it with this one) whose bucket holds CodePipeline's copies of the artifacts.
        self.replication_buckets: dict[str, s3.IBucket] = {
            region: support.replication_bucket
            for region, support in self.pipeline.pipeline.cross_region_support.items()
            if region != pipeline.region
        }
        _acknowledge_cdk_pipelines(self)


# --- what CDK Pipelines creates, under the catalog's cdk-nag packs ---------------------------------

_PIPELINE_WILDCARD_ACTIONS = re.compile(
    r"^Action::(s3:(GetObject|GetBucket|List|DeleteObject|Abort)|kms:(GenerateDataKey|ReEncrypt))\*$"
)
"""The action families of CDK's read/write grants on an artifact bucket and its key."""

_PIPELINE_WILDCARD_RESOURCES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^Resource::arn:[^:]*:logs:[^:]*:\d{12}:log-group:/aws/codebuild/"),
        "CodeBuild writes one log stream per build, and the shared asset-publishing role serves projects named "
        "after it exists; the grant is held to CodeBuild's log groups.",
    ),
    (
        re.compile(r"^Resource::arn:[^:]*:codebuild:[^:]*:\d{12}:report-group/"),
        "CodeBuild creates the test report groups of a project under the project's name; the grant is held to "
        "report groups.",
    ),
    (
        re.compile(r"^Resource::arn:\*:iam::\d{12}:role/\*$"),
        "Self-mutation and asset publishing assume the `cdk bootstrap` roles of the pipeline's account; a "
        "condition on the tag aws-cdk:bootstrap-role holds the grant to those roles.",
    ),
)

_PIPELINE_UNSCOPED_ACTIONS: tuple[tuple[frozenset[str], str], ...] = (
    (
        frozenset({"cloudformation:DescribeStacks", "s3:ListBucket"}),
        "Self-mutation runs `cdk deploy` of the pipeline stack, which looks up that stack and the bootstrap "
        "bucket by name.",
    ),
    (
        frozenset({"codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"}),
        "CDK Pipelines' shared asset-publishing role also starts the publishing builds and exists before the "
        "projects it starts; it can only start, stop and read builds in the pipeline's account.",
    ),
)

_REPLICATION_KEY_ACTIONS = frozenset(
    {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}
)


@jsii.implements(cdk.IAspect)
class _PipelineWildcards:
    """Acknowledges AwsSolutions-IAM5 on the policies of CDK Pipelines' roles for the wildcards it
    writes on purpose, each with its reason; any other wildcard stays a finding."""

    def __init__(self, *, artifact_buckets: Sequence[Any], replication_buckets: Sequence[Any]) -> None:
        """The buckets are given by their resolved ARNs (a literal, or a CloudFormation reference)."""
        self.artifact_objects = {f"Resource::{flatten_reference(arn)}/*" for arn in artifact_buckets}
        self.replication_objects = {f"Resource::{flatten_reference(arn)}/*" for arn in replication_buckets}

    def reason(self, finding: str, statement: Mapping[str, Any]) -> str | None:
        if _PIPELINE_WILDCARD_ACTIONS.match(finding):
            return (
                "CDK's read/write grant on an artifact bucket of this pipeline and its key (CodePipeline stores "
                "each run's source and cloud assembly there)."
            )
        if finding in self.artifact_objects:
            return "CodePipeline names its artifact objects per run; the grant is held to its own artifact bucket."
        if finding in self.replication_objects:
            return "CodePipeline copies the artifacts to its replication bucket in each other region it deploys to."
        for pattern, reason in _PIPELINE_WILDCARD_RESOURCES:
            if pattern.match(finding):
                return reason
        if finding != "Resource::*":
            return None
        actions = statement.get("Action", [])
        actions = {actions} if isinstance(actions, str) else set(actions)
        for known, reason in _PIPELINE_UNSCOPED_ACTIONS:
            if actions <= known:
                return reason
        if self.replication_objects and actions <= _REPLICATION_KEY_ACTIONS:
            return (
                "CDK grants the pipeline role the keys of its replication buckets in other regions through their "
                "aliases (a key in another region's stack has no ARN here); each key's own policy still decides."
            )
        return None

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, iam.CfnPolicy):
            return
        document = cdk.Stack.of(node).resolve(node.policy_document)
        if not isinstance(document, dict):
            return
        for finding, statement in wildcard_findings(document):
            reason = self.reason(finding, statement)
            if reason is not None:
                acknowledge(node, [f"AwsSolutions-IAM5[{finding}]"], reason)


def _acknowledge_cdk_pipelines(stack: PipelineStack) -> None:
    """The findings in the roles, projects and buckets CDK Pipelines creates and does not let us shape."""
    cdk.Aspects.of(stack.pipeline).add(
        _PipelineWildcards(
            artifact_buckets=[stack.resolve(stack.artifacts.bucket.bucket_arn)],
            replication_buckets=[stack.resolve(bucket.bucket_arn) for bucket in stack.replication_buckets.values()],
        )
    )
    acknowledge(
        stack.pipeline,
        ["HIPAA.Security-CodeBuildProjectSourceRepoUrl"],
        "The pipeline's CodeBuild projects take their input from the pipeline (source type CODEPIPELINE), never "
        "from GitHub or Bitbucket; the CodeConnections connection holds the repository's authorization.",
    )
    acknowledge_shared(
        stack.pipeline,
        "IAMNoInlinePolicy",
        "CDK Pipelines writes each role's grants as that role's own default policy; no policy is shared between roles.",
    )
    for region, bucket in stack.replication_buckets.items():
        reason = (
            f"CodePipeline's replication bucket for the actions in {region}, made by CDK in its support stack: it "
            "holds copies of this pipeline's artifacts that every run rewrites, encrypted with the support "
            "stack's key; the pipeline's own artifact bucket is versioned and logged."
        )
        acknowledge(bucket, ["AwsSolutions-S1"], reason)
        for rule in ("S3BucketLoggingEnabled", "S3BucketVersioningEnabled", "S3BucketReplicationEnabled"):
            acknowledge_shared(bucket, rule, reason)
    pipeline_resource = stack.pipeline.pipeline.node.default_child
    if isinstance(pipeline_resource, codepipeline.CfnPipeline):
        ignore_lint(
            pipeline_resource,
            "E3703",
            "CDK Pipelines writes the stages' role ARNs as Fn::Join over AWS::Partition; cfn-lint would prefer "
            "Fn::Sub there, and CloudFormation resolves either",
        )
        ignore_lint(
            pipeline_resource,
            "W3005",
            "the pipeline depends on its role and the role's policy so that the policy exists before the first "
            "run; the role half of that DependsOn repeats the GetAtt, which is harmless",
        )


def build_pipeline(app: cdk.App, catalog: LoadedCatalog) -> PipelineStack | None:
    """The pipeline stack, when the catalog or `-c pipeline=...` asks for one; None otherwise (the
    app then builds the plain stacks with `build_stacks`)."""
    pipeline = requested_pipeline(app, catalog)
    if pipeline is None:
        return None
    stack = PipelineStack(
        app,
        pipeline_stack_name(catalog.spec.project),
        catalog=catalog,
        pipeline=pipeline,
        synth_catalog=app.node.try_get_context("catalog") or DEFAULT_CATALOG,
    )
    if not pipeline.enabled:
        cdk.Annotations.of(stack).add_warning_v2(
            "llm-hosting:pipelineEnabledByContextOnly",
            "-c pipeline=true built the pipeline, but the catalog's pipeline.enabled is false: the pipeline's own "
            "synth step (make synth, no context) would not synthesize it, and its self-update would fail. Set "
            "pipeline.enabled: true before deploying it.",
        )
    return stack
