"""`Endpoint`: what every endpoint construct has — the name clients call, its fleet (one production
variant), the execution role and its policy, invoke grants and metrics."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import (
    aws_cloudwatch as cloudwatch,
    aws_ec2 as ec2,
    aws_iam as iam,
    aws_sagemaker as sagemaker,
    aws_sns as sns,
)
from constructs import Construct

from llm_hosting.endpoints.execution_role import (
    create_execution_role,
    execution_policy,
    grant_image_pull,
    grant_prefix_read,
)
from llm_hosting.endpoints.images import ImageReference
from llm_hosting.endpoints.model_archive import StagedArchive
from llm_hosting.endpoints.settings import EndpointDeployment
from llm_hosting.endpoints.variant import ProductionVariant, vpc_problems
from llm_hosting.monitoring.cfn import MetricMethods, cloudwatch_metric
from llm_hosting.monitoring.dashboards import Graph
from llm_hosting.monitoring.metrics import VariantMetrics
from llm_hosting.naming import sagemaker_name_problem
from llm_hosting.stack_info import stack_info
from llm_hosting.storage.artifact_store import S3Location


def endpoint_problems(
    endpoint_name: str,
    variant: ProductionVariant,
    *,
    vpc_subnets: Sequence[ec2.ISubnet] = (),
    security_groups: Sequence[ec2.ISecurityGroup] = (),
    deployment: EndpointDeployment | None = None,
) -> list[str]:
    """What every endpoint type checks of its props before it builds anything."""
    problems = []
    name_problem = sagemaker_name_problem(endpoint_name)
    if name_problem is not None:
        problems.append(f"endpoint_name: {name_problem}")
    problems += variant.problems()
    problems += vpc_problems(vpc_subnets, security_groups)
    if deployment is not None:
        problems += [message for _, message in deployment.problems(variant.initial_instance_count)]
    return problems


INVOKE_ACTIONS = ("sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream")
"""Streaming needs InvokeEndpoint too (the API reference of InvokeEndpointWithResponseStream)."""


class Endpoint(MetricMethods, Construct):
    """The part every endpoint type shares; see `SingleModelEndpoint`, `MultiModelEndpoint` and
    `InferenceComponentEndpoint`. The endpoint name is explicit (clients address it); the role's
    permissions sit in one customer-managed policy, `policy`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        variant: ProductionVariant,
        role: iam.IRole | None,
        alarm_topic: sns.ITopic | None,
        log_group_names: Sequence[str],
        role_description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.endpoint_name = endpoint_name
        self.variant = variant
        self.variant_name = variant.variant_name
        self.alarm_topic = alarm_topic
        self.alarm_actions: list[str] = [alarm_topic.topic_arn] if alarm_topic is not None else []
        """Where alarms notify (the topic's ARN), besides what they do."""
        self.metrics: VariantMetrics = VariantMetrics(endpoint_name, variant.variant_name)
        """The variant's metric definitions (dashboards, alarms and `metric_*` read them)."""
        self.role: iam.IRole = role or create_execution_role(self, "ExecutionRole", description=role_description)
        self.policy = execution_policy(self, "ExecutionPolicy", role=self.role, log_group_names=list(log_group_names))
        self._pulls: set[str] = set()
        self.resource: sagemaker.CfnEndpoint

    def _create_endpoint(
        self,
        config: sagemaker.CfnEndpointConfig,
        *,
        deployment_config: sagemaker.CfnEndpoint.DeploymentConfigProperty | None = None,
    ) -> sagemaker.CfnEndpoint:
        endpoint = sagemaker.CfnEndpoint(
            self,
            "Resource",
            endpoint_name=self.endpoint_name,
            endpoint_config_name=config.attr_endpoint_config_name,
            deployment_config=deployment_config,
        )
        # The role's policy must be attached before SageMaker pulls the image and the model data.
        endpoint.node.add_dependency(self.policy)
        return endpoint

    def grant_read(self, location: S3Location) -> None:
        """Let the role read one S3 prefix (and decrypt it, if the location names a key)."""
        grant_prefix_read(self.policy, location)

    def grant_archive_read(self, archive: StagedArchive) -> None:
        """Let the role read one staged model archive: that object alone."""
        self.policy.add_statements(iam.PolicyStatement(actions=["s3:GetObject"], resources=[archive.object_arn]))

    def allow_image(self, image: ImageReference) -> None:
        """Let the role pull `image` (once per repository; custom images are granted by their owner)."""
        key = image.repository or image.repository_arn
        if image.repository_arn is None or key is None or key in self._pulls:
            return
        self._pulls.add(key)
        grant_image_pull(self.policy, image)

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow `grantee` to call InvokeEndpoint (and its streaming form) on this endpoint."""
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=list(INVOKE_ACTIONS), resource_arns=[self.endpoint_arn]
        )

    @property
    def endpoint_arn(self) -> str:
        """SageMaker ARNs carry the endpoint name in lower case."""
        info = stack_info(self)
        return f"arn:{info.partition}:sagemaker:{info.region}:{info.account}:endpoint/{self.endpoint_name.lower()}"

    # --- metrics ---------------------------------------------------------------------------------

    def dashboard_graphs(self) -> list[Graph]:
        """What a dashboard of this endpoint shows, from its own metric definitions."""
        raise NotImplementedError(f"{type(self).__name__} has no dashboard graphs")

    def metric_invocations_per_instance(self, props: cloudwatch.MetricOptions | None = None) -> cloudwatch.Metric:
        return cloudwatch_metric(self.metrics.invocations_per_instance(), props)

    def metric(
        self, metric_name: str, props: cloudwatch.MetricOptions | None = None, *, instance: bool = False
    ) -> cloudwatch.Metric:
        """Any metric of the variant by name: an invocation metric (AWS/SageMaker) or, with `instance`,
        an instance metric (/aws/sagemaker/Endpoints) such as GPUReservation or LoadedModelCount."""
        spec = self.metrics.instance_metric(metric_name) if instance else self.metrics.invocation_metric(metric_name)
        return cloudwatch_metric(spec, props)
