"""The synthesis benchmark's baseline: the app's CloudFormation for the benchmark catalog, written by hand.

What `app.py` synthesizes for the catalog `synth_scale.py` generates (N scale-to-zero inference
components on one ml.p4d.24xlarge endpoint, plus the default catalog's FLAN-T5-XXL single-model
endpoint and its two Triton multi-model endpoints with warm-up), built from L1 `Cfn*` constructs
with plain dicts and property structs, straight into each stack:

- no catalog file, no validation, no planner: N is an argument and the rest is literal;
- no L2 constructs, no intermediate construct scopes, no aspects: tags are L1 properties;
- the same stacks and shard split (70 components a stack), resources, property values and kinds
  of values: pseudo-parameter tokens joined into ARNs, one `CfnMapping` of registries per stack
  looked up with `Fn::FindInMap`, `CfnRule`s, `Ref`/`GetAtt` between resources, `DependsOn`, and
  weak cross-stack references to the artifacts stack (`Fn::GetStackOutput`);
- the same file assets: FLAN-T5-XXL's model archive (it has serving code), registered with the
  stack synthesizer under `assets/flan-t5-xxl/` with a `.tar.gz` key, and the warm-up function's
  directory staged and registered by each multi-model stack. The components have no code, so, as
  in the app, they have no archive: their serving options are container environment variables
  (`HF_MODEL_ID`, `OPTION_ENGINE`). The "archive" here is only the `serving.properties` text
  written into the assembly (nothing is packed), so its asset hash differs from the app's;
  everything else in the templates is the app's.

Construct ids are the app's logical IDs (CDK's rule: the path's alphanumerics and an MD5 prefix of
the path), so the two apps' templates can be compared resource by resource.

Registry accounts and image regions come from `llm_hosting.facts` (plain data, no jsii).

    cdk synth --app "python3 benchmarks/l1_baseline.py" -c components=100
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import (
    aws_applicationautoscaling as appscaling,
    aws_cloudwatch as cloudwatch,
    aws_events as events,
    aws_iam as iam,
    aws_kms as kms,
    aws_lambda as lambda_,
    aws_logs as logs,
    aws_s3 as s3,
    aws_sagemaker as sagemaker,
    aws_sns as sns,
    aws_sqs as sqs,
)

from llm_hosting.facts.images import REGISTRY_ACCOUNTS, REGISTRY_HOSTS, find_image

PROJECT = "llm-hosting"
QUALIFIER = "hnb659fds"
COMPONENTS_PER_STACK = 70
WEIGHTS_GRANTS_BEFORE_CONSOLIDATING = 8
WARMUP_FUNCTION_DIR = Path(__file__).resolve().parent.parent / "constructs" / "llm_hosting" / "warmup" / "function"
WARMUP_EXCLUDE = [".*", "__pycache__", "*.pyc"]
AUTOSCALING_ROLE = (
    "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)
SAGEMAKER = "AWS/SageMaker"

IC = sagemaker.CfnInferenceComponent
EC = sagemaker.CfnEndpointConfig
EP = sagemaker.CfnEndpoint
Policy = appscaling.CfnScalingPolicy


def logical_id(*path: str) -> str:
    """The logical ID CDK gives the construct at `path` below a stack (aws-cdk-lib
    `core/lib/private/uniqueid.ts`); a top-level construct keeps its id, so creating an L1 with this
    id directly in the stack gives the app's logical ID."""
    components = [part for part in path if part != "Default"]
    digest = hashlib.md5("/".join(components).encode(), usedforsecurity=False).hexdigest()[:8].upper()
    human: list[str] = []
    for part in components:
        if not human or not human[-1].endswith(part):
            human.append(part)
    return "".join(re.sub("[^A-Za-z0-9]", "", part) for part in human if part != "Resource")[:240] + digest


class Tokens:
    """Pseudo parameters and cross-stack values, read from jsii once."""

    def __init__(self) -> None:
        self.partition = cdk.Aws.PARTITION
        self.region = cdk.Aws.REGION
        self.account = cdk.Aws.ACCOUNT_ID
        self.url_suffix = cdk.Aws.URL_SUFFIX
        self.tags = [cdk.CfnTag(key="project", value=PROJECT)]
        self.key_arn = ""
        self.topic_arn = ""
        self.images: dict[tuple[int, str], tuple[str, str]] = {}

    @property
    def bucket(self) -> str:
        return f"{PROJECT}-artifacts-{self.account}-{self.region}"

    @property
    def bucket_arn(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}"

    def log_group_arn(self, name: str) -> str:
        return f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:{name}"

    def bootstrap_role(self, role: str) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role/cdk-{QUALIFIER}-{role}-{self.account}-{self.region}"


class _Synthesizer(cdk.DefaultStackSynthesizer):
    """Files go to `assets/<endpoint>/` in the artifact bucket. Bound as itself, as the app's
    `ArtifactBucketSynthesizer` is: the clone the default binding makes maps back to this unbound
    Python object, so `stack.synthesizer.add_file_asset` would fail."""

    def reusable_bind(self, stack: cdk.Stack) -> cdk.IBoundStackSynthesizer:
        self.bind(stack)
        return self


def _stack(app: cdk.App, name: str, description: str) -> cdk.Stack:
    endpoint = name.removeprefix(f"{PROJECT}-").split("-part")[0]
    synthesizer = _Synthesizer(
        file_assets_bucket_name=f"{PROJECT}-artifacts-${{AWS::AccountId}}-${{AWS::Region}}",
        bucket_prefix=f"assets/{endpoint}/",
    )
    return cdk.Stack(app, name, description=description, synthesizer=synthesizer)


# --- the artifacts stack -------------------------------------------------------------------------


def _artifacts_stack(app: cdk.App, t: Tokens) -> cdk.Stack:
    stack = cdk.Stack(
        app,
        f"{PROJECT}-artifacts",
        description=f"{PROJECT}: model artifact bucket and key (stateful, retained)",
        termination_protection=True,
    )
    publisher, deployer = t.bootstrap_role("file-publishing-role"), t.bootstrap_role("deploy-role")
    via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{t.region}.{t.url_suffix}"}}
    key = kms.CfnKey(
        stack,
        logical_id("Artifacts", "Key", "Resource"),
        description="Encrypts the LLM model archives in the artifact bucket",
        enable_key_rotation=True,
        key_policy={
            "Statement": [
                {
                    "Action": "kms:*",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{t.partition}:iam::{t.account}:root"},
                    "Resource": "*",
                },
                {
                    "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"],
                    "Condition": via_s3,
                    "Effect": "Allow",
                    "Principal": {"AWS": publisher},
                    "Resource": "*",
                    "Sid": "CdkAssetPublishingEncrypt",
                },
                {
                    "Action": "kms:Decrypt",
                    "Condition": via_s3,
                    "Effect": "Allow",
                    "Principal": {"AWS": deployer},
                    "Resource": "*",
                    "Sid": "CdkDeployDecryptTemplates",
                },
                {
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Condition": {"StringEquals": {"aws:SourceAccount": t.account}},
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Resource": "*",
                    "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
                },
                {
                    "Action": [
                        "kms:Decrypt*",
                        "kms:Describe*",
                        "kms:Encrypt*",
                        "kms:GenerateDataKey*",
                        "kms:ReEncrypt*",
                    ],
                    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": t.log_group_arn("*")}},
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{t.region}.{t.url_suffix}"},
                    "Resource": "*",
                    "Sid": "CloudWatchLogsEncryptLogGroups",
                },
            ],
            "Version": "2012-10-17",
        },
        tags=t.tags,
    )
    key.apply_removal_policy(cdk.RemovalPolicy.RETAIN)

    blocked = s3.CfnBucket.PublicAccessBlockConfigurationProperty(
        block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True
    )
    owner = s3.CfnBucket.OwnershipControlsProperty(
        rules=[s3.CfnBucket.OwnershipControlsRuleProperty(object_ownership="BucketOwnerEnforced")]
    )
    versioned = s3.CfnBucket.VersioningConfigurationProperty(status="Enabled")
    logs_bucket = s3.CfnBucket(
        stack,
        logical_id("Artifacts", "AccessLogs", "Resource"),
        bucket_encryption=s3.CfnBucket.BucketEncryptionProperty(
            server_side_encryption_configuration=[
                s3.CfnBucket.ServerSideEncryptionRuleProperty(
                    server_side_encryption_by_default=s3.CfnBucket.ServerSideEncryptionByDefaultProperty(
                        sse_algorithm="AES256"
                    )
                )
            ]
        ),
        ownership_controls=owner,
        public_access_block_configuration=blocked,
        versioning_configuration=versioned,
        tags=t.tags,
    )
    logs_bucket.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    bucket = s3.CfnBucket(
        stack,
        logical_id("Artifacts", "Bucket", "Resource"),
        bucket_encryption=s3.CfnBucket.BucketEncryptionProperty(
            server_side_encryption_configuration=[
                s3.CfnBucket.ServerSideEncryptionRuleProperty(
                    bucket_key_enabled=True,
                    server_side_encryption_by_default=s3.CfnBucket.ServerSideEncryptionByDefaultProperty(
                        kms_master_key_id=key.attr_arn, sse_algorithm="aws:kms"
                    ),
                )
            ]
        ),
        bucket_name=t.bucket,
        lifecycle_configuration=s3.CfnBucket.LifecycleConfigurationProperty(
            rules=[
                s3.CfnBucket.RuleProperty(
                    abort_incomplete_multipart_upload=s3.CfnBucket.AbortIncompleteMultipartUploadProperty(
                        days_after_initiation=7
                    ),
                    id="expire-replaced-archives",
                    noncurrent_version_expiration=s3.CfnBucket.NoncurrentVersionExpirationProperty(noncurrent_days=90),
                    status="Enabled",
                )
            ]
        ),
        logging_configuration=s3.CfnBucket.LoggingConfigurationProperty(
            destination_bucket_name=logs_bucket.ref, log_file_prefix="artifact-bucket/"
        ),
        ownership_controls=owner,
        public_access_block_configuration=blocked,
        versioning_configuration=versioned,
        tags=t.tags,
    )
    bucket.apply_removal_policy(cdk.RemovalPolicy.RETAIN)

    def tls_only(arn: str) -> dict[str, Any]:
        return {
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": [arn, f"{arn}/*"],
        }

    s3.CfnBucketPolicy(
        stack,
        logical_id("Artifacts", "AccessLogs", "Policy", "Resource"),
        bucket=logs_bucket.ref,
        policy_document={
            "Statement": [
                tls_only(logs_bucket.attr_arn),
                {
                    "Action": "s3:PutObject",
                    "Condition": {
                        "ArnLike": {"aws:SourceArn": bucket.attr_arn},
                        "StringEquals": {"aws:SourceAccount": t.account},
                    },
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Resource": f"{logs_bucket.attr_arn}/artifact-bucket/*",
                },
            ],
            "Version": "2012-10-17",
        },
    )
    s3.CfnBucketPolicy(
        stack,
        logical_id("Artifacts", "Bucket", "Policy", "Resource"),
        bucket=bucket.ref,
        policy_document={
            "Statement": [
                tls_only(bucket.attr_arn),
                {
                    "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                    "Effect": "Allow",
                    "Principal": {"AWS": publisher},
                    "Resource": f"{bucket.attr_arn}/assets/*",
                    "Sid": "CdkAssetPublishingWrite",
                },
                {
                    "Action": ["s3:GetBucketLocation", "s3:GetEncryptionConfiguration", "s3:ListBucket"],
                    "Effect": "Allow",
                    "Principal": {"AWS": publisher},
                    "Resource": bucket.attr_arn,
                    "Sid": "CdkAssetPublishingList",
                },
                {
                    "Action": "s3:GetObject",
                    "Effect": "Allow",
                    "Principal": {"AWS": deployer},
                    "Resource": f"{bucket.attr_arn}/assets/*",
                    "Sid": "CdkDeployReadTemplates",
                },
            ],
            "Version": "2012-10-17",
        },
    )
    topic = sns.CfnTopic(
        stack,
        logical_id("Alarms", "Resource"),
        display_name=f"{PROJECT} alarms",
        kms_master_key_id=key.attr_arn,
        tags=t.tags,
    )
    sns.CfnTopicPolicy(
        stack,
        logical_id("Alarms", "Policy", "Resource"),
        policy_document={
            "Statement": [
                {
                    "Action": "sns:Publish",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    "Effect": "Deny",
                    "Principal": "*",
                    "Resource": topic.ref,
                    "Sid": "AllowPublishThroughSSLOnly",
                }
            ],
            "Version": "2012-10-17",
        },
        topics=[topic.ref],
    )
    cdk.CfnOutput(stack, "ArtifactBucketName", value=bucket.ref)
    cdk.CfnOutput(stack, "ArtifactKeyArn", value=key.attr_arn)
    cdk.CfnOutput(stack, "AlarmTopicArn", value=topic.ref)
    t.key_arn, t.topic_arn = key.attr_arn, topic.ref
    return stack


# --- pieces every endpoint stack has -------------------------------------------------------------


def _image(stack: cdk.Stack, t: Tokens, engine: str, version: str) -> tuple[str, str]:
    """(image URI, ECR repository ARN) through the stack's registry mapping, and the rule that the
    region publishes the image: made once per stack (one image per stack here)."""
    cached = t.images.get((id(stack), engine))
    if cached is not None:
        return cached
    image = find_image(engine, version)
    tag = image.tag_for(gpu=True)
    mapping = cdk.CfnMapping(
        stack,
        "ContainerRegistries",
        mapping={
            region: {"Account": account, "Host": REGISTRY_HOSTS[region]}
            for region, account in sorted(REGISTRY_ACCOUNTS.items())
        },
    )
    slug = re.sub("[^A-Za-z0-9]", "", f"{engine.title()}{version}")
    cdk.CfnRule(
        stack,
        f"ImageIn{slug}Regions",
        assertions=[
            cdk.CfnRuleAssertion(
                assert_=cdk.Fn.condition_contains(sorted(image.regions), t.region),
                assert_description=(
                    f"The {engine} {version} image ({image.repository}:{tag}) is not published in this region. "
                    "Deploy to a region that has it, or choose another image version in the catalog."
                ),
            )
        ],
    )
    host, account = mapping.find_in_map(t.region, "Host"), mapping.find_in_map(t.region, "Account")
    repository_arn = f"arn:{t.partition}:ecr:{t.region}:{account}:repository/{image.repository}"
    t.images[(id(stack), engine)] = (f"{host}/{image.repository}:{tag}", repository_arn)
    return t.images[(id(stack), engine)]


def _stage_file(stack: cdk.Stack, outdir: str, content: bytes) -> cdk.FileAssetLocation:
    """A file asset with a `.tar.gz` key, as SageMaker expects (the app's naming, see
    `llm_hosting.endpoints.model_archive.stage_archive`)."""
    digest = hashlib.sha256(content).hexdigest()
    file_name = f"asset.{digest}.tar.gz"
    (Path(outdir) / file_name).write_bytes(content)
    return stack.synthesizer.add_file_asset(
        source_hash=f"{digest}.tar", file_name=file_name, packaging=cdk.FileAssetPackaging.FILE
    )


def _role(stack: cdk.Stack, endpoint: str, t: Tokens, description: str) -> iam.CfnRole:
    return iam.CfnRole(
        stack,
        logical_id(endpoint, "ExecutionRole", "Resource"),
        assume_role_policy_document={
            "Statement": [
                {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}}
            ],
            "Version": "2012-10-17",
        },
        description=description,
        tags=t.tags,
    )


def _log_statements(t: Tokens, groups: list[str]) -> list[dict[str, Any]]:
    arns = [t.log_group_arn(group) for group in groups]
    streams = [f"{arn}:log-stream:*" for arn in arns]
    return [
        {"Action": "logs:CreateLogGroup", "Effect": "Allow", "Resource": arns[0] if len(arns) == 1 else arns},
        {
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": streams[0] if len(streams) == 1 else streams,
        },
        {
            "Action": "cloudwatch:PutMetricData",
            "Condition": {"StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*", SAGEMAKER]}},
            "Effect": "Allow",
            "Resource": "*",
        },
    ]


def _pull_statements(repository_arn: str) -> list[dict[str, Any]]:
    return [
        {
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Effect": "Allow",
            "Resource": repository_arn,
        },
        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
    ]


def _list_statement(bucket_arn: str, prefix: str) -> dict[str, Any]:
    statement: dict[str, Any] = {"Action": "s3:ListBucket", "Effect": "Allow", "Resource": bucket_arn}
    if prefix:
        statement["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
    return statement


def _managed_policy(
    stack: cdk.Stack, path: tuple[str, ...], role: iam.CfnRole, statements: list[Any]
) -> iam.CfnManagedPolicy:
    return iam.CfnManagedPolicy(
        stack,
        logical_id(*path),
        description="",
        path="/",
        policy_document={"Statement": statements, "Version": "2012-10-17"},
        roles=[role.ref],
    )


def _alarm(
    stack: cdk.Stack,
    lid: str,
    t: Tokens,
    *,
    description: str,
    dimensions: list[tuple[str, str]],
    metric: str,
    statistic: str,
    threshold: float,
    periods: int,
    comparison: str = "GreaterThanThreshold",
    actions: list[str] | None = None,
    notify: bool = True,
    namespace: str = SAGEMAKER,
    period: int = 60,
) -> cloudwatch.CfnAlarm:
    extended = statistic.startswith("p")
    return cloudwatch.CfnAlarm(
        stack,
        lid,
        alarm_actions=actions if actions is not None else [t.topic_arn],
        ok_actions=[t.topic_arn] if notify else None,
        alarm_description=description,
        comparison_operator=comparison,
        datapoints_to_alarm=periods,
        dimensions=[cloudwatch.CfnAlarm.DimensionProperty(name=name, value=value) for name, value in dimensions],
        evaluation_periods=periods,
        metric_name=metric,
        namespace=namespace,
        period=period,
        statistic=None if extended else statistic,
        extended_statistic=statistic if extended else None,
        threshold=threshold,
        treat_missing_data="notBreaching",
        tags=t.tags,
    )


def _rollback_alarms(
    stack: cdk.Stack, path: tuple[str, ...], t: Tokens, subject: str, dimensions: list[tuple[str, str]]
) -> list[cloudwatch.CfnAlarm]:
    """5xx errors and p90 model latency, over 2 minutes: an update that trips either rolls back."""
    return [
        _alarm(
            stack,
            logical_id(*path, "Rollback", kind),
            t,
            description=f"{subject}: {what}; rolls back updates",
            dimensions=dimensions,
            metric=metric,
            statistic=statistic,
            threshold=threshold,
            periods=2,
        )
        for kind, metric, statistic, threshold, what in (
            ("Errors", "Invocation5XXErrors", "Sum", 5, "more than 5 5xx errors a minute"),
            ("Latency", "ModelLatency", "p90", 30_000_000, "p90 model latency above 30000 ms"),
        )
    ]


def _scalable_target(
    stack: cdk.Stack, lid: str, t: Tokens, *, resource_id: str, dimension: str, low: int, high: int
) -> appscaling.CfnScalableTarget:
    return appscaling.CfnScalableTarget(
        stack,
        lid,
        max_capacity=high,
        min_capacity=low,
        resource_id=resource_id,
        role_arn=f"arn:{t.partition}:iam::{t.account}:role/{AUTOSCALING_ROLE}",
        scalable_dimension=dimension,
        service_namespace="sagemaker",
        tags=t.tags,
    )


def _target_tracking(
    stack: cdk.Stack,
    lid: str,
    name: str,
    target: appscaling.CfnScalableTarget,
    value: float,
    *,
    predefined: str | None = None,
    customized: Policy.CustomizedMetricSpecificationProperty | None = None,
) -> Policy:
    return Policy(
        stack,
        lid,
        policy_name=name,
        policy_type="TargetTrackingScaling",
        scaling_target_id=target.ref,
        target_tracking_scaling_policy_configuration=Policy.TargetTrackingScalingPolicyConfigurationProperty(
            predefined_metric_specification=(
                Policy.PredefinedMetricSpecificationProperty(predefined_metric_type=predefined) if predefined else None
            ),
            customized_metric_specification=customized,
            scale_in_cooldown=300,
            scale_out_cooldown=60,
            target_value=value,
        ),
    )


def _model_endpoint(
    stack: cdk.Stack,
    t: Tokens,
    name: str,
    *,
    config: EC,
    policy: iam.CfnManagedPolicy,
    routing: EP.TrafficRoutingConfigProperty,
    capacity: tuple[int, int],
) -> appscaling.CfnScalableTarget:
    """A single- or multi-model endpoint: rollback alarms, the endpoint that rolls out watching them,
    and the scalable target on its instance count."""
    alarms = _rollback_alarms(
        stack, (name,), t, f"Endpoint {name}", [("EndpointName", name), ("VariantName", "AllTraffic")]
    )
    endpoint = EP(
        stack,
        logical_id(name, "Resource"),
        deployment_config=EP.DeploymentConfigProperty(
            auto_rollback_configuration=EP.AutoRollbackConfigProperty(
                alarms=[EP.AlarmProperty(alarm_name=alarm.ref) for alarm in alarms]
            ),
            blue_green_update_policy=EP.BlueGreenUpdatePolicyProperty(
                termination_wait_in_seconds=300, traffic_routing_configuration=routing
            ),
        ),
        endpoint_config_name=config.attr_endpoint_config_name,
        endpoint_name=name,
        retain_all_variant_properties=True,
        tags=t.tags,
    )
    endpoint.add_resource_dependency(policy)
    target = _scalable_target(
        stack,
        logical_id(name, "Scaling", "Target"),
        t,
        resource_id=f"endpoint/{name}/variant/AllTraffic",
        dimension="sagemaker:variant:DesiredInstanceCount",
        low=capacity[0],
        high=capacity[1],
    )
    target.add_resource_dependency(endpoint)
    return target


# --- dashboards: one CfnDashboard per stack, its body one JSON string ------------------------------

ENDPOINTS_NS = "/aws/sagemaker/Endpoints"
Metric = tuple[str, str, tuple[tuple[str, str], ...], str, int]
"""(namespace, metric name, dimensions, statistic, period in s)."""
Line = tuple[Metric, str, float | None, Metric | None]
"""(metric, label, divided by, or divided by this metric)."""


def _variant(endpoint: str, name: str, stat: str, namespace: str = SAGEMAKER) -> Metric:
    return (namespace, name, (("EndpointName", endpoint), ("VariantName", "AllTraffic")), stat, 60)


def _of_component(component: str, name: str, stat: str) -> Metric:
    return (SAGEMAKER, name, (("InferenceComponentName", component),), stat, 60)


def _metric_row(metric: Metric, extra: dict[str, Any]) -> list[Any]:
    namespace, name, dimensions, stat, period = metric
    return [
        namespace,
        name,
        *(part for dimension in dimensions for part in dimension),
        {"stat": stat, "period": period, **extra},
    ]


def _graph(
    title: str, lines: list[Line], *, width: int = 12, y_max: float | None = None, target: float | None = None
) -> dict[str, Any]:
    rows: list[list[Any]] = []
    for index, (metric, label, scale, over) in enumerate(lines):
        if scale is None and over is None:
            rows.append(_metric_row(metric, {"label": label}))
            continue
        rows.append(_metric_row(metric, {"id": f"m{index}", "visible": False}))
        if over is not None:
            rows.append(_metric_row(over, {"id": f"d{index}", "visible": False}))
            rows.append([{"expression": f"m{index} / d{index}", "label": label, "id": f"e{index}"}])
        else:
            rows.append([{"expression": f"m{index} / {scale:g}", "label": label, "id": f"e{index}"}])
    properties: dict[str, Any] = {
        "title": title,
        "region": "${AWS::Region}",
        "view": "timeSeries",
        "stacked": False,
        "metrics": rows,
    }
    if y_max is not None:
        properties["yAxis"] = {"left": {"min": 0, "max": y_max}}
    if target is not None:
        properties["annotations"] = {"horizontal": [{"value": target, "label": "scaling target"}]}
    return {"type": "metric", "width": width, "height": 6, "properties": properties}


def _dashboard(stack: cdk.Stack, t: Tokens, stack_name: str, title: str, graphs: list[dict[str, Any]]) -> None:
    widgets: list[dict[str, Any]] = [
        {"type": "text", "x": 0, "y": 0, "width": 24, "height": 1, "properties": {"markdown": f"## {title}"}}
    ]
    x, y = 0, 1
    for graph in graphs:
        if x + graph["width"] > 24:
            x, y = 0, y + 6
        widgets.append({**graph, "x": x, "y": y})
        x += graph["width"]
    cloudwatch.CfnDashboard(
        stack,
        logical_id("Dashboard", "Resource"),
        dashboard_name=cdk.Fn.sub(f"{stack_name}-${{AWS::Region}}"),
        dashboard_body=cdk.Fn.sub(json.dumps({"widgets": widgets}, separators=(",", ":"), sort_keys=True)),
        tags=t.tags,
    )


def _variant_graphs(endpoint: str, *, gpus: int, target: float | None, models: bool) -> list[dict[str, Any]]:
    latency = [
        (_variant(endpoint, "ModelLatency", p), f"latency {p} (ms)", 1000.0, None) for p in ("p50", "p90", "p99")
    ]
    graphs = [
        _graph(
            "Invocations and errors",
            [
                (_variant(endpoint, "Invocations", "Sum"), "invocations", None, None),
                (_variant(endpoint, "Invocation4XXErrors", "Sum"), "4xx errors", None, None),
                (_variant(endpoint, "Invocation5XXErrors", "Sum"), "5xx errors", None, None),
            ],
        ),
        _graph("Model latency", latency),
        _graph(
            f"GPU (percent x {gpus} GPUs)",
            [
                (_variant(endpoint, "GPUUtilization", "Average", ENDPOINTS_NS), "GPU utilization", None, None),
                (_variant(endpoint, "GPUMemoryUtilization", "Average", ENDPOINTS_NS), "GPU memory", None, None),
            ],
            y_max=100.0 * gpus,
            target=target,
        ),
        _graph(
            "Instances serving (invocations / invocations per instance)",
            [
                (
                    _variant(endpoint, "Invocations", "Sum"),
                    "instances",
                    None,
                    _variant(endpoint, "InvocationsPerInstance", "Sum"),
                )
            ],
        ),
    ]
    if models:
        warmup = [
            (("LLMHosting/Warmup", name, (("EndpointName", endpoint),), "Sum", 3600), name, None, None)
            for name in ("ModelsWarmed", "ModelsFailed", "ModelsSkipped")
        ]
        graphs += [
            _graph(
                "Models on the instances",
                [
                    (_variant(endpoint, "LoadedModelCount", "Average", ENDPOINTS_NS), "loaded models", None, None),
                    (_variant(endpoint, "ModelCacheHit", "Average"), "cache hit rate", None, None),
                ],
            ),
            _graph(
                "Model loading (ms)",
                [
                    (_variant(endpoint, "ModelLoadingWaitTime", "p90"), "wait p90", 1000.0, None),
                    (_variant(endpoint, "ModelDownloadingTime", "p90"), "download p90", 1000.0, None),
                    (_variant(endpoint, "ModelLoadingTime", "p90"), "load p90", 1000.0, None),
                ],
            ),
            _graph("Hourly warm-up", warmup, width=24),
        ]
    return graphs


def _component_graphs(names: list[str]) -> list[dict[str, Any]]:
    return [
        _graph("Invocations per component", [(_of_component(c, "Invocations", "Sum"), c, None, None) for c in names]),
        _graph(
            "Model latency p90 per component (ms)",
            [(_of_component(c, "ModelLatency", "p90"), c, 1000.0, None) for c in names],
        ),
        _graph(
            "Copies serving per component (invocations / invocations per copy)",
            [
                (_of_component(c, "Invocations", "Sum"), c, None, _of_component(c, "InvocationsPerCopy", "Sum"))
                for c in names
            ],
        ),
        _graph(
            "Requests that found no copy (NoCapacityInvocationFailures)",
            [(_of_component(c, "NoCapacityInvocationFailures", "Sum"), c, None, None) for c in names],
        ),
    ]


# --- single-model and multi-model endpoints ------------------------------------------------------


def _flan_t5_xxl_stack(app: cdk.App, t: Tokens, outdir: str) -> cdk.Stack:
    name = "flan-t5-xxl"
    stack = _stack(app, f"{PROJECT}-{name}", f"{PROJECT}: SageMaker single-model endpoint {name}")
    graphs = _variant_graphs(name, gpus=4, target=None, models=False)
    _dashboard(stack, t, f"{PROJECT}-{name}", f"Endpoint {name} (single-model)", graphs)
    staged = _stage_file(
        stack,
        outdir,
        b"engine=FasterTransformer\noption.s3url=s3://example-weights/flan-t5-xxl/\noption.tensor_parallel_degree=4\n",
    )
    role = _role(stack, name, t, f"SageMaker execution role of endpoint {name}")
    image, repository = _image(stack, t, "fastertransformer", "0.21.0")
    weights = f"arn:{t.partition}:s3:::example-weights"
    policy = _managed_policy(
        stack,
        (name, "ExecutionPolicy", "Resource"),
        role,
        [
            *_log_statements(t, [f"/aws/sagemaker/Endpoints/{name}"]),
            *_pull_statements(repository),
            {
                "Action": "s3:GetObject",
                "Effect": "Allow",
                "Resource": [f"{weights}/flan-t5-xxl/*", f"{t.bucket_arn}/assets/{name}/*"],
            },
            _list_statement(t.bucket_arn, f"assets/{name}/"),
            {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": t.key_arn},
            _list_statement(weights, "flan-t5-xxl/"),
        ],
    )
    model = sagemaker.CfnModel(
        stack,
        logical_id(name, "Model"),
        execution_role_arn=role.attr_arn,
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            image=image, mode="SingleModel", model_data_url=staged.s3_object_url
        ),
        tags=t.tags,
    )
    config = EC(
        stack,
        logical_id(name, "Config"),
        production_variants=[
            EC.ProductionVariantProperty(
                container_startup_health_check_timeout_in_seconds=600,
                initial_instance_count=2,
                initial_variant_weight=1,
                instance_type="ml.g5.12xlarge",
                model_data_download_timeout_in_seconds=600,
                model_name=model.attr_model_name,
                variant_name="AllTraffic",
            )
        ],
        tags=t.tags,
    )
    canary = EP.TrafficRoutingConfigProperty(
        canary_size=EP.CapacitySizeProperty(type="INSTANCE_COUNT", value=1),
        type="CANARY",
        wait_interval_in_seconds=600,
    )
    target = _model_endpoint(stack, t, name, config=config, policy=policy, routing=canary, capacity=(2, 4))
    _target_tracking(
        stack,
        logical_id(name, "Scaling", "InvocationsPerInstance"),
        f"{name}-invocations-per-instance",
        target,
        100,
        predefined="SageMakerVariantInvocationsPerInstance",
    )
    return stack


def _multi_model_stack(
    app: cdk.App,
    t: Tokens,
    name: str,
    *,
    instance_type: str,
    scaling: tuple[str, float],
    payload: str,
) -> cdk.Stack:
    stack = _stack(app, f"{PROJECT}-{name}", f"{PROJECT}: SageMaker multi-model endpoint {name}")
    kind, value = scaling
    graphs = _variant_graphs(name, gpus=1, target=value if kind == "gpu_memory" else None, models=True)
    _dashboard(stack, t, f"{PROJECT}-{name}", f"Endpoint {name} (multi-model)", graphs)
    role = _role(stack, name, t, f"SageMaker execution role of endpoint {name}")
    image, repository = _image(stack, t, "triton", "24.09")
    policy = _managed_policy(
        stack,
        (name, "ExecutionPolicy", "Resource"),
        role,
        [
            *_log_statements(t, [f"/aws/sagemaker/Endpoints/{name}"]),
            *_pull_statements(repository),
            {"Action": "s3:GetObject", "Effect": "Allow", "Resource": f"{t.bucket_arn}/{name}/*"},
            _list_statement(t.bucket_arn, f"{name}/"),
            {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": t.key_arn},
        ],
    )
    model = sagemaker.CfnModel(
        stack,
        logical_id(name, "Model"),
        enable_network_isolation=True,
        execution_role_arn=role.attr_arn,
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            image=image,
            mode="MultiModel",
            model_data_url=f"s3://{t.bucket}/{name}/",
            multi_model_config=sagemaker.CfnModel.MultiModelConfigProperty(model_cache_setting="Enabled"),
        ),
        tags=t.tags,
    )
    config = EC(
        stack,
        logical_id(name, "Config"),
        production_variants=[
            EC.ProductionVariantProperty(
                initial_instance_count=1,
                initial_variant_weight=1,
                instance_type=instance_type,
                model_name=model.attr_model_name,
                variant_name="AllTraffic",
            )
        ],
        tags=t.tags,
    )
    all_at_once = EP.TrafficRoutingConfigProperty(type="ALL_AT_ONCE", wait_interval_in_seconds=300)
    target = _model_endpoint(stack, t, name, config=config, policy=policy, routing=all_at_once, capacity=(1, 8))
    if kind == "gpu_memory":
        _target_tracking(
            stack,
            logical_id(name, "Scaling", "GpuMemoryUtilization"),
            f"{name}-gpu-memory-utilization",
            target,
            value,
            customized=Policy.CustomizedMetricSpecificationProperty(
                dimensions=[
                    Policy.MetricDimensionProperty(name="EndpointName", value=name),
                    Policy.MetricDimensionProperty(name="VariantName", value="AllTraffic"),
                ],
                metric_name="GPUMemoryUtilization",
                namespace="/aws/sagemaker/Endpoints",
                statistic="Average",
            ),
        )
    else:
        _target_tracking(
            stack,
            logical_id(name, "Scaling", "InvocationsPerInstance"),
            f"{name}-invocations-per-instance",
            target,
            value,
            predefined="SageMakerVariantInvocationsPerInstance",
        )
    _warmup(stack, t, name, payload)
    return stack


def _warmup(stack: cdk.Stack, t: Tokens, name: str, payload: str) -> None:
    """The scheduled warm-up: log group, dead-letter queue, role and policy, function, schedule."""
    log_group = logs.CfnLogGroup(
        stack, logical_id(name, "Warmup", "Logs", "Resource"), kms_key_id=t.key_arn, retention_in_days=30, tags=t.tags
    )
    log_group.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    queue = sqs.CfnQueue(
        stack,
        logical_id(name, "Warmup", "DeadLetters", "Resource"),
        kms_master_key_id="alias/aws/sqs",
        message_retention_period=1_209_600,
        tags=t.tags,
    )
    queue.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    sqs.CfnQueuePolicy(
        stack,
        logical_id(name, "Warmup", "DeadLetters", "Policy", "Resource"),
        policy_document={
            "Statement": [
                {
                    "Action": "sqs:*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Resource": queue.attr_arn,
                }
            ],
            "Version": "2012-10-17",
        },
        queues=[queue.ref],
    )
    role = iam.CfnRole(
        stack,
        logical_id(name, "Warmup", "Role", "Resource"),
        assume_role_policy_document={
            "Statement": [
                {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
            ],
            "Version": "2012-10-17",
        },
        description=f"Warms up the models of multi-model endpoint {name}",
        tags=t.tags,
    )
    policy = _managed_policy(
        stack,
        (name, "Warmup", "Policy", "Resource"),
        role,
        [
            {
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Effect": "Allow",
                "Resource": log_group.attr_arn,
            },
            _list_statement(t.bucket_arn, f"{name}/"),
            {
                "Action": "sagemaker:InvokeEndpoint",
                "Effect": "Allow",
                "Resource": f"arn:{t.partition}:sagemaker:{t.region}:{t.account}:endpoint/{name}",
            },
            {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": queue.attr_arn},
            {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": t.key_arn},
        ],
    )
    staging = cdk.AssetStaging(
        stack, logical_id(name, "Warmup", "Code"), source_path=str(WARMUP_FUNCTION_DIR), exclude=WARMUP_EXCLUDE
    )
    code = stack.synthesizer.add_file_asset(
        source_hash=staging.asset_hash,
        file_name=staging.relative_staged_path(stack),
        packaging=cdk.FileAssetPackaging.ZIP_DIRECTORY,
    )
    function = lambda_.CfnFunction(
        stack,
        logical_id(name, "Warmup", "Function", "Resource"),
        architectures=["arm64"],
        code=lambda_.CfnFunction.CodeProperty(s3_bucket=code.bucket_name, s3_key=code.object_key),
        dead_letter_config=lambda_.CfnFunction.DeadLetterConfigProperty(target_arn=queue.attr_arn),
        description=f"Invokes every model under s3://.../{name}/ on endpoint {name}",
        environment=lambda_.CfnFunction.EnvironmentProperty(
            variables={
                "ENDPOINT_NAME": name,
                "BUCKET": t.bucket,
                "PREFIX": f"{name}/",
                "PAYLOAD": payload,
                "CONTENT_TYPE": "application/json",
                "CONCURRENCY": "4",
                "TIME_BUDGET_S": "600",
                "REQUEST_TIMEOUT_S": "60",
            }
        ),
        handler="handler.handler",
        kms_key_arn=t.key_arn,
        logging_config=lambda_.CfnFunction.LoggingConfigProperty(log_group=log_group.ref),
        memory_size=256,
        reserved_concurrent_executions=1,
        role=role.attr_arn,
        runtime="python3.14",
        tags=t.tags,
        timeout=690,
    )
    function.add_resource_dependency(policy)
    function.add_resource_dependency(role)
    invoke_config = lambda_.CfnEventInvokeConfig(
        stack,
        logical_id(name, "Warmup", "Function", "EventInvokeConfig", "Resource"),
        function_name=function.ref,
        maximum_retry_attempts=0,
        qualifier="$LATEST",
    )
    invoke_config.add_resource_dependency(policy)
    rule = events.CfnRule(
        stack,
        logical_id(name, "Warmup", "Schedule", "Resource"),
        description=f"Warm up the models of endpoint {name}",
        schedule_expression="rate(1 hour)",
        state="ENABLED",
        tags=t.tags,
        targets=[
            events.CfnRule.TargetProperty(
                arn=function.attr_arn,
                id="Target0",
                retry_policy=events.CfnRule.RetryPolicyProperty(maximum_retry_attempts=0),
            )
        ],
    )
    _alarm(
        stack,
        logical_id(name, "Warmup", "FailuresAlarm"),
        t,
        description=f"Endpoint {name}: models failed to warm up in the last run",
        dimensions=[("EndpointName", name)],
        metric="ModelsFailed",
        statistic="Sum",
        threshold=0,
        periods=1,
        namespace="LLMHosting/Warmup",
        period=3600,
    )
    permission_id = "AllowEventRule" + logical_id(f"{PROJECT}-{name}", name, "Warmup", "Function")
    lambda_.CfnPermission(
        stack,
        logical_id(name, "Warmup", "Schedule", permission_id),
        action="lambda:InvokeFunction",
        function_name=function.attr_arn,
        principal="events.amazonaws.com",
        source_arn=rule.attr_arn,
    )


# --- the inference-component endpoint and its shards ---------------------------------------------


def _component(stack: cdk.Stack, t: Tokens, index: int, endpoint: EP | None) -> None:
    """model-NNNN: 1 GPU, 4 GiB, 1 core, 0-2 copies on 5 invocations a copy, scales to zero."""
    name = f"model-{index:04d}"
    weights = f"s3://example-weights/m{index:04d}/"
    image, _ = _image(stack, t, "lmi", "0.32.0")
    dimensions = [("InferenceComponentName", name)]
    alarms = _rollback_alarms(stack, (name,), t, f"Inference component {name}", dimensions)
    component = IC(
        stack,
        logical_id(name, "Resource"),
        deployment_config=IC.InferenceComponentDeploymentConfigProperty(
            auto_rollback_configuration=IC.AutoRollbackConfigurationProperty(
                alarms=[IC.AlarmProperty(alarm_name=alarm.ref) for alarm in alarms]
            ),
            rolling_update_policy=IC.InferenceComponentRollingUpdatePolicyProperty(
                maximum_batch_size=IC.InferenceComponentCapacitySizeProperty(type="CAPACITY_PERCENT", value=50),
                wait_interval_in_seconds=120,
            ),
        ),
        endpoint_name="shared",
        inference_component_name=name,
        runtime_config=IC.InferenceComponentRuntimeConfigProperty(copy_count=0),
        specification=IC.InferenceComponentSpecificationProperty(
            compute_resource_requirements=IC.InferenceComponentComputeResourceRequirementsProperty(
                min_memory_required_in_mb=4096,
                number_of_accelerator_devices_required=1,
                number_of_cpu_cores_required=1,
            ),
            # No code: DJL reads the serving options from the environment, so there is no archive.
            container=IC.InferenceComponentContainerSpecificationProperty(
                environment={"HF_MODEL_ID": weights, "OPTION_ENGINE": "Python"}, image=image
            ),
        ),
        tags=t.tags,
        variant_name="AllTraffic",
    )
    if endpoint is not None:
        component.add_resource_dependency(endpoint)
    target = _scalable_target(
        stack,
        logical_id(name, "Scaling", "Target"),
        t,
        resource_id=f"inference-component/{name}",
        dimension="sagemaker:inference-component:DesiredCopyCount",
        low=0,
        high=2,
    )
    target.add_resource_dependency(component)
    _target_tracking(
        stack,
        logical_id(name, "Scaling", "TargetTracking"),
        f"{name}-invocations-per-copy",
        target,
        5,
        predefined="SageMakerInferenceComponentInvocationsPerCopy",
    )
    step = Policy(
        stack,
        logical_id(name, "Scaling", "ScaleOutFromZero"),
        policy_name=f"{name}-scale-out-from-zero",
        policy_type="StepScaling",
        scaling_target_id=target.ref,
        step_scaling_policy_configuration=Policy.StepScalingPolicyConfigurationProperty(
            adjustment_type="ChangeInCapacity",
            cooldown=60,
            metric_aggregation_type="Maximum",
            step_adjustments=[Policy.StepAdjustmentProperty(metric_interval_lower_bound=0, scaling_adjustment=1)],
        ),
    )
    _alarm(
        stack,
        logical_id(name, "Scaling", "NoCapacity"),
        t,
        description=f"Inference component {name} has no copy to serve a request: add one (scale out from zero)",
        dimensions=dimensions,
        metric="NoCapacityInvocationFailures",
        statistic="Sum",
        threshold=1,
        periods=1,
        comparison="GreaterThanOrEqualToThreshold",
        actions=[step.ref],
        notify=False,
    )


def _component_endpoint_stacks(app: cdk.App, t: Tokens, count: int) -> list[cdk.Stack]:
    name = "shared"
    stack = _stack(app, f"{PROJECT}-{name}", f"{PROJECT}: SageMaker inference-components endpoint {name}")
    fleet = _graph(
        "Fleet: reserved and used (percent of the fleet)",
        [
            (_variant(name, "GPUReservation", "Average", ENDPOINTS_NS), "GPUs reserved", None, None),
            (_variant(name, "GPUUtilizationNormalized", "Average", ENDPOINTS_NS), "GPU utilization", None, None),
            (_variant(name, "GPUMemoryUtilizationNormalized", "Average", ENDPOINTS_NS), "GPU memory", None, None),
            (_variant(name, "MemoryReservation", "Average", ENDPOINTS_NS), "memory reserved", None, None),
        ],
        width=24,
        y_max=100.0,
    )
    own = [f"model-{i:04d}" for i in range(min(count, COMPONENTS_PER_STACK))]
    title = f"Endpoint {name} (inference-components)"
    _dashboard(stack, t, f"{PROJECT}-{name}", title, [fleet, *_component_graphs(own)])
    role = _role(stack, name, t, f"SageMaker execution role of endpoint {name} and its inference components")
    _, repository = _image(stack, t, "lmi", "0.32.0")
    weights = f"arn:{t.partition}:s3:::example-weights"
    # Beyond 8 prefixes, one grant on their common prefix keeps the policy under IAM's size limit.
    prefixes = [f"m{i:04d}/" for i in range(count)] if count <= WEIGHTS_GRANTS_BEFORE_CONSOLIDATING else [""]
    objects = [f"{weights}/{prefix}*" for prefix in prefixes]
    policy = _managed_policy(
        stack,
        (name, "ExecutionPolicy", "Resource"),
        role,
        [
            *_log_statements(t, [f"/aws/sagemaker/Endpoints/{name}", "/aws/sagemaker/InferenceComponents/*"]),
            {"Action": "s3:GetObject", "Effect": "Allow", "Resource": objects[0] if len(objects) == 1 else objects},
            *(_list_statement(weights, prefix) for prefix in prefixes),
            *_pull_statements(repository),
        ],
    )
    config = EC(
        stack,
        logical_id(name, "Config"),
        execution_role_arn=role.attr_arn,
        production_variants=[
            EC.ProductionVariantProperty(
                initial_instance_count=1,
                instance_type="ml.p4d.24xlarge",
                managed_instance_scaling=EC.ManagedInstanceScalingProperty(
                    max_instance_count=40, min_instance_count=0, status="ENABLED"
                ),
                routing_config=EC.RoutingConfigProperty(routing_strategy="LEAST_OUTSTANDING_REQUESTS"),
                variant_name="AllTraffic",
            )
        ],
        tags=t.tags,
    )
    endpoint = EP(
        stack,
        logical_id(name, "Resource"),
        endpoint_config_name=config.attr_endpoint_config_name,
        endpoint_name=name,
        retain_all_variant_properties=True,
        tags=t.tags,
    )
    endpoint.add_resource_dependency(policy)
    stacks = [stack]
    for index in range(min(count, COMPONENTS_PER_STACK)):
        _component(stack, t, index, endpoint)
    for part, start in enumerate(range(COMPONENTS_PER_STACK, count, COMPONENTS_PER_STACK), start=2):
        stop = min(start + COMPONENTS_PER_STACK, count)
        shard = _stack(
            app,
            f"{PROJECT}-{name}-part{part}",
            f"{PROJECT}: inference components {start + 1}-{stop} of endpoint {name}",
        )
        shard.add_stack_dependency(stack)
        for index in range(start, stop):
            _component(shard, t, index, None)
        names = [f"model-{i:04d}" for i in range(start, stop)]
        title = f"Endpoint {name}: components {start + 1}-{stop}"
        _dashboard(shard, t, f"{PROJECT}-{name}-part{part}", title, _component_graphs(names))
        stacks.append(shard)
    return stacks


def build(app: cdk.App, components: int) -> list[cdk.Stack]:
    """The benchmark catalog's stacks for `components` inference components, in deployment order."""
    t = Tokens()
    outdir = app.outdir
    Path(outdir).mkdir(parents=True, exist_ok=True)
    artifacts = _artifacts_stack(app, t)
    shared, *shards = _component_endpoint_stacks(app, t, components)
    endpoints = [shared, _flan_t5_xxl_stack(app, t, outdir)]
    payload = '{{"inputs": [{{"name": "TEXT", "shape": [1, 1], "datatype": "BYTES", "data": ["{}"]}}]}}'
    endpoints.append(
        _multi_model_stack(
            app,
            t,
            "embeddings",
            instance_type="ml.g4dn.xlarge",
            scaling=("gpu_memory", 80.0),
            payload=payload.format("warm-up"),
        )
    )
    endpoints.append(
        _multi_model_stack(
            app,
            t,
            "autocomplete",
            instance_type="ml.g4dn.2xlarge",
            scaling=("invocations", 225),
            payload=payload.format("def main("),
        )
    )
    for stack in endpoints:
        stack.add_stack_dependency(artifacts)
    return [artifacts, shared, *shards, *endpoints[1:]]


def main() -> None:
    app = cdk.App()
    build(app, int(app.node.try_get_context("components") or 10))
    app.synth()


if __name__ == "__main__":
    main()
