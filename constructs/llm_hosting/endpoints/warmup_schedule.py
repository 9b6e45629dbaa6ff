"""`ScheduledWarmup`: invoke every model on a multi-model endpoint on a schedule, so none is cold.

An EventBridge rule starts a small Lambda function (code in `llm_hosting/warmup/function/`) that
lists the archives under the endpoint's prefix and invokes each one as `TargetModel`, with bounded
concurrency and a time budget, and reports warmed/failed/skipped counts as metrics (embedded metric
format in its log, so it needs no PutMetricData permission).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from llm_hosting.catalog.schema import Warmup
from llm_hosting.compliance import ignore_lint
from llm_hosting.storage.artifact_store import S3Location
from llm_hosting.warmup import ASSET_EXCLUDE, FUNCTION_DIR, HANDLER, function_environment, function_timeout_s

RUNTIME = lambda_.Runtime.PYTHON_3_13


class ScheduledWarmup(Construct):
    """A schedule, a function and its least-privilege role: list one prefix, invoke one endpoint."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        endpoint_arn: str,
        models: S3Location,
        settings: Warmup,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention, removal_policy=cdk.RemovalPolicy.DESTROY)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Warms up the models of multi-model endpoint {endpoint_name}",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        stack = cdk.Stack.of(self)
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[f"arn:{stack.partition}:s3:::{models.bucket}"],
                conditions={"StringLike": {"s3:prefix": [f"{models.prefix}*"]}},
            )
        )
        self.role.add_to_policy(iam.PolicyStatement(actions=["sagemaker:InvokeEndpoint"], resources=[endpoint_arn]))

        self.function = lambda_.Function(
            self,
            "Function",
            description=f"Invokes every model under s3://.../{models.prefix} on endpoint {endpoint_name}",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=HANDLER,
            code=lambda_.Code.from_asset(FUNCTION_DIR, exclude=list(ASSET_EXCLUDE)),
            environment=function_environment(
                endpoint_name=endpoint_name, bucket=models.bucket, prefix=models.prefix, settings=settings
            ),
            timeout=cdk.Duration.seconds(function_timeout_s(settings)),
            memory_size=256,
            role=self.role,
            log_group=self.log_group,
            # One warm-up at a time; a run that fails is simply repeated on the next schedule.
            reserved_concurrent_executions=1,
            retry_attempts=0,
        )
        function_resource = self.function.node.default_child
        if isinstance(function_resource, cdk.CfnResource):
            ignore_lint(
                function_resource,
                "W3005",
                "the CDK Function depends on its role so that the role's policy exists before the first "
                "invocation; the role half of that DependsOn repeats the GetAtt, which is harmless",
            )
        self.rule = events.Rule(
            self,
            "Schedule",
            description=f"Warm up the models of endpoint {endpoint_name}",
            schedule=events.Schedule.expression(settings.schedule),
            targets=[targets.LambdaFunction(self.function, retry_attempts=0)],
        )
