"""The IAM role SageMaker assumes to pull the image, read the model data and write logs.

Its permissions sit in one customer-managed policy (no inline policies, no AWS-managed ones).
Every statement names its resource, except the two actions IAM cannot scope
(`ecr:GetAuthorizationToken`, `cloudwatch:PutMetricData`, the latter held to SageMaker namespaces).
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct

from llm_hosting.compliance import acknowledge_wildcards
from llm_hosting.endpoints.images import ImageReference
from llm_hosting.stack_info import stack_info
from llm_hosting.storage.artifact_store import S3Location, read_prefix_statements


def create_execution_role(scope: Construct, construct_id: str, *, description: str) -> iam.Role:
    """A role SageMaker may assume; its permissions come from `execution_policy`."""
    role = iam.Role(
        scope, construct_id, assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"), description=description
    )
    acknowledge_wildcards(role)  # its default policy, should anything be granted to the role directly
    return role


def execution_policy(
    scope: Construct, construct_id: str, *, role: iam.IRole, log_group_names: list[str]
) -> iam.ManagedPolicy:
    """The role's managed policy, starting with writing its own logs and metrics."""
    stack = stack_info(scope)
    groups = [f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:{name}" for name in log_group_names]
    policy = iam.ManagedPolicy(
        scope,
        construct_id,
        roles=[role],
        statements=[
            iam.PolicyStatement(actions=["logs:CreateLogGroup"], resources=groups),
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=[f"{group}:log-stream:*" for group in groups],
            ),
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*", "AWS/SageMaker"]}},
            ),
        ],
    )
    acknowledge_wildcards(policy)
    return policy


def grant_prefix_read(policy: iam.ManagedPolicy, location: S3Location) -> None:
    """Read one S3 prefix (and decrypt it, if a key is named)."""
    bucket_arn = f"arn:{stack_info(policy).partition}:s3:::{location.bucket}"
    policy.add_statements(
        *read_prefix_statements(bucket_arn=bucket_arn, prefix=location.prefix, kms_key_arn=location.kms_key_arn)
    )


def grant_image_pull(policy: iam.ManagedPolicy, image: ImageReference) -> None:
    """Pull `image`: layer reads on its one repository, plus the account-wide auth token call."""
    if image.repository_arn is None:
        return
    policy.add_statements(
        iam.PolicyStatement(
            actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources=[image.repository_arn],
        ),
        iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]),
    )
