"""The IAM role SageMaker assumes to pull the image, read the model data and write logs.

No managed policies: every statement names its resource, except the two actions IAM cannot scope
(`ecr:GetAuthorizationToken`, `cloudwatch:PutMetricData`, the latter held to SageMaker namespaces).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from llm_hosting.endpoints.images import ImageReference


def create_execution_role(
    scope: Construct, construct_id: str, *, log_group_names: list[str], description: str
) -> iam.Role:
    """A role for SageMaker with permission to write its own logs and metrics, nothing more yet."""
    role = iam.Role(
        scope,
        construct_id,
        assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
        description=description,
    )
    stack = cdk.Stack.of(scope)
    groups = [f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:{name}" for name in log_group_names]
    role.add_to_policy(iam.PolicyStatement(actions=["logs:CreateLogGroup"], resources=groups))
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            resources=[f"{group}:log-stream:*" for group in groups],
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={"StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*", "AWS/SageMaker"]}},
        )
    )
    return role


def grant_image_pull(role: iam.IRole, image: ImageReference) -> None:
    """Pull `image`: layer reads on its one repository, plus the account-wide auth token call."""
    if image.repository_arn is None:
        return
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources=[image.repository_arn],
        )
    )
    role.add_to_principal_policy(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]))
