"""`SingleModelEndpoint`: one model (image, serving code, S3 weights) on an endpoint of its own."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_ec2 as ec2, aws_iam as iam, aws_sns as sns
from constructs import Construct

from llm_hosting.endpoints.base import endpoint_problems
from llm_hosting.endpoints.model import ModelDefinition, container
from llm_hosting.endpoints.model_endpoint import ModelEndpoint
from llm_hosting.endpoints.settings import EndpointDeployment
from llm_hosting.endpoints.validation import check
from llm_hosting.endpoints.variant import ProductionVariant
from llm_hosting.storage.artifact_store import S3Location


class SingleModelEndpoint(ModelEndpoint):
    """A SageMaker model on its own endpoint.

    The execution role (unless `role` is given) reads exactly what the model needs: its archive and
    its weights prefix. With `deployment` the endpoint rolls updates out (canary, linear,
    all-at-once or rolling) and rolls back when the 5xx-error or latency alarm fires. Scale it with
    `auto_scale_instance_count`; let clients call it with `grant_invoke`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        model: ModelDefinition,
        variant: ProductionVariant,
        role: iam.IRole | None = None,
        vpc_subnets: Sequence[ec2.ISubnet] = (),
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        network_isolation: bool = False,
        deployment: EndpointDeployment | None = None,
        alarm_topic: sns.ITopic | None = None,
        archive_access: S3Location | None = None,
    ) -> None:
        """
        Args:
            endpoint_name: The SageMaker endpoint name clients call (at most 63 letters, digits, hyphens).
            model: What runs: image, serving code, weights, DJL settings.
            variant: The instances: type, initial count, routing, startup timeouts, storage.
            role: The execution role. Default: a new role with access to exactly what the model needs.
            vpc_subnets: Run the model in these subnets (1-16). Default: no VPC.
            security_groups: With `vpc_subnets`: 1-5 security groups.
            network_isolation: No network access from the container (then it cannot download S3 weights).
                Default: false.
            deployment: How updates roll out and when they roll back. Default: SageMaker's blue/green,
                all at once, without rollback alarms.
            alarm_topic: Where the rollback alarms also notify. Default: nowhere.
            archive_access: A prefix that holds the model archive, read as a whole (e.g. where an app
                stages every archive of the endpoint). Default: the archive object alone.
        """
        gpus = variant.gpus
        problems = model.problems(
            gpus=gpus,
            gpu_owner=f"{variant.instance_type} has {gpus}; lower it or choose an instance type with more GPUs",
        )
        if network_isolation and model.weights is not None:
            problems.append(
                "the container downloads its weights from S3 itself, which network isolation blocks; "
                "set network_isolation to false or package the weights into the model archive"
            )
        problems += endpoint_problems(
            endpoint_name,
            variant,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            deployment=deployment,
        )
        check(scope, problems, child=construct_id)
        # The archive is staged in the enclosing stack before the model that names it exists.
        bound = container(scope, model, name=endpoint_name, gpu=bool(gpus))
        super().__init__(
            scope,
            construct_id,
            endpoint_name=endpoint_name,
            variant=variant,
            image=bound.image,
            mode="SingleModel",
            model_data_url=bound.model_data_url,
            environment=bound.environment,
            multi_model_cache=None,
            role=role,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            network_isolation=network_isolation,
            deployment=deployment,
            alarm_topic=alarm_topic,
        )
        self.definition = model
        self.model_archive = bound.archive
        if self.model_archive is not None:
            if archive_access is not None:
                self.grant_read(archive_access)
            else:
                self.grant_archive_read(self.model_archive)
        weights = model.weights_location()
        if weights is not None:
            self.grant_read(weights)
