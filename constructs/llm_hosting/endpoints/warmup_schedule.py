"""`ScheduledWarmup`: invoke every model on a multi-model endpoint on a schedule, so none is cold.

An EventBridge rule starts a small Lambda function (code in `llm_hosting/warmup/function/`) that
lists the archives under the endpoint's prefix and invokes each one as `TargetModel`, with bounded
concurrency and a time budget, and reports warmed/failed/skipped counts as metrics (embedded metric
format in its log, so it needs no PutMetricData permission).
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
    aws_ec2 as ec2,
    aws_events as events,
    aws_events_targets as targets,
    aws_iam as iam,
    aws_kms as kms,
    aws_lambda as lambda_,
    aws_logs as logs,
    aws_sqs as sqs,
)
from constructs import Construct

from llm_hosting.compliance import acknowledge, acknowledge_shared, acknowledge_wildcards, ignore_lint, skip_checkov
from llm_hosting.endpoints.settings import WarmupSettings
from llm_hosting.endpoints.variant import security_group_ids, subnet_ids
from llm_hosting.monitoring import metrics
from llm_hosting.monitoring.cfn import alarm_metric_properties
from llm_hosting.storage.artifact_store import S3Location
from llm_hosting.warmup import ASSET_EXCLUDE, FUNCTION_DIR, HANDLER, function_environment, function_timeout_s

RUNTIME = lambda_.Runtime.PYTHON_3_14


class ScheduledWarmup(Construct):
    """A schedule, a function and its least-privilege role: list one prefix, invoke one endpoint.

    `log_key` encrypts the function's logs (the key policy must let CloudWatch Logs use it).
    `vpc_subnets` (with `security_groups`) place the function in the endpoint's subnets; they need a
    route to the SageMaker runtime and S3 APIs (VPC endpoints or NAT).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        endpoint_arn: str,
        models: S3Location,
        settings: WarmupSettings,
        log_key: kms.IKey | None = None,
        vpc_subnets: Sequence[ec2.ISubnet] = (),
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        notify: Sequence[str] = (),
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=log_retention, encryption_key=log_key, removal_policy=cdk.RemovalPolicy.DESTROY
        )
        # A run that fails as a whole (a crash, a timeout, a throttled start) lands here to be looked at;
        # failures of single models are in the run's own metrics and log.
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.KMS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        acknowledge(
            self.dead_letters,
            ["AwsSolutions-SQS3"],
            "This queue is the warm-up function's dead-letter queue; nothing is redriven from it.",
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Warms up the models of multi-model endpoint {endpoint_name}",
        )
        acknowledge_wildcards(self.role)  # and its default policy, should CDK grant anything there
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[self.log_group.log_group_arn]
                ),
                iam.PolicyStatement(
                    actions=["s3:ListBucket"],
                    resources=[f"arn:{stack.partition}:s3:::{models.bucket}"],
                    conditions={"StringLike": {"s3:prefix": [f"{models.prefix}*"]}},
                ),
                iam.PolicyStatement(actions=["sagemaker:InvokeEndpoint"], resources=[endpoint_arn]),
                iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.dead_letters.queue_arn]),
            ],
        )
        acknowledge_wildcards(self.policy)

        if vpc_subnets:
            # What AWSLambdaVPCAccessExecutionRole grants, in our own policy.
            self.policy.add_statements(
                iam.PolicyStatement(
                    actions=[
                        "ec2:CreateNetworkInterface",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DeleteNetworkInterface",
                        "ec2:AssignPrivateIpAddresses",
                        "ec2:UnassignPrivateIpAddresses",
                    ],
                    resources=["*"],
                )
            )
        no_vpc_reason = (
            "The endpoint has no VPC in the catalog; the function only calls the SageMaker runtime and S3 "
            "APIs, over TLS with IAM authorization. Give the endpoint a `vpc` to place both in it."
        )
        if not vpc_subnets:
            acknowledge_shared(self, "LambdaInsideVPC", no_vpc_reason)
        if log_key is not None:
            # The function reads its environment encrypted with the same key.
            self.policy.add_statements(iam.PolicyStatement(actions=["kms:Decrypt"], resources=[log_key.key_arn]))

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
            # The policy above is the whole of it: CDK must not add an inline one.
            role=self.role.without_policy_updates(),
            log_group=self.log_group,
            environment_encryption=log_key,
            dead_letter_queue=self.dead_letters,
            # One warm-up at a time; a run that fails is repeated on the next schedule.
            reserved_concurrent_executions=1,
            retry_attempts=0,
        )
        self.function.node.add_dependency(self.policy)
        function_resource = self.function.node.default_child
        if isinstance(function_resource, lambda_.CfnFunction):
            if not vpc_subnets:
                skip_checkov(function_resource, "CKV_AWS_117", no_vpc_reason)
            if log_key is None:
                skip_checkov(
                    function_resource,
                    "CKV_AWS_173",
                    "No customer-managed key (the catalog chose artifacts.encryption: s3); the environment "
                    "holds no secrets, only the endpoint's name, prefix and warm-up settings.",
                )
            if vpc_subnets:
                # Set on the L1 resource: the L2 wants an ec2.IVpc to look subnets up in, and an endpoint
                # has the subnets themselves.
                function_resource.vpc_config = lambda_.CfnFunction.VpcConfigProperty(
                    subnet_ids=subnet_ids(vpc_subnets), security_group_ids=security_group_ids(security_groups)
                )
            ignore_lint(
                function_resource,
                "W3005",
                "the Function depends on its role so that the role exists before the function is created; "
                "the role half of that DependsOn repeats the GetAtt, which is harmless",
            )
        # A model that does not warm up is a customer whose first request will be slow, or fail.
        self.failures_alarm = cloudwatch.CfnAlarm(
            self,
            "FailuresAlarm",
            alarm_description=f"Endpoint {endpoint_name}: models failed to warm up in the last run",
            comparison_operator="GreaterThanThreshold",
            threshold=0,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            treat_missing_data="notBreaching",
            alarm_actions=list(notify) or None,
            ok_actions=list(notify) or None,
            **alarm_metric_properties(metrics.warmup("ModelsFailed", endpoint_name)),
        )
        self.rule = events.Rule(
            self,
            "Schedule",
            description=f"Warm up the models of endpoint {endpoint_name}",
            schedule=events.Schedule.expression(settings.schedule),
            targets=[targets.LambdaFunction(self.function, retry_attempts=0)],
        )
