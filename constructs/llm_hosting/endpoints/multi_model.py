"""`MultiModelEndpoint`: many models behind one GPU endpoint, loaded on demand from one S3 prefix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_sns as sns
from constructs import Construct

from llm_hosting.endpoints.base import endpoint_problems
from llm_hosting.endpoints.images import ServingImage
from llm_hosting.endpoints.model_endpoint import ModelEndpoint
from llm_hosting.endpoints.settings import EndpointDeployment, WarmupSettings, default_warmup_payload
from llm_hosting.endpoints.validation import check
from llm_hosting.endpoints.variant import ProductionVariant
from llm_hosting.endpoints.warmup_schedule import ScheduledWarmup
from llm_hosting.storage.artifact_store import S3Location


class MultiModelEndpoint(ModelEndpoint):
    """A `MultiModel` model (Triton on GPU) serving every `*.tar.gz` under `models`.

    Clients pick a model with `TargetModel=<archive name>`; adding a model means copying its
    archive under the prefix (`python -m llm_hosting publish`). The role reads that prefix only.
    Multi-model endpoints run on single-GPU instance types only. `add_warmup` invokes every model
    on a schedule, so none is cold when traffic arrives.
    """

    serves_many_models = True

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        image: ServingImage,
        models: S3Location,
        variant: ProductionVariant,
        model_cache: bool = True,
        environment: Mapping[str, str] | None = None,
        role: iam.IRole | None = None,
        vpc_subnets: Sequence[ec2.ISubnet] = (),
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        network_isolation: bool = True,
        deployment: EndpointDeployment | None = None,
        alarm_topic: sns.ITopic | None = None,
    ) -> None:
        """
        Args:
            endpoint_name: The SageMaker endpoint name clients call.
            image: The serving image (Triton, or your own multi-model server).
            models: The S3 prefix the models are loaded from (ending in `/`).
            variant: The instances (single-GPU types only).
            model_cache: Keep loaded models on the instance (ModelCacheSetting). Default: true.
            environment: The container's environment. Default: none.
            role: The execution role. Default: a new role that reads `models` and pulls the image.
            vpc_subnets: Run in these subnets (1-16). Default: no VPC.
            security_groups: With `vpc_subnets`: 1-5 security groups.
            network_isolation: No network access from the container. Default: true.
            deployment: How updates roll out and when they roll back. Default: SageMaker's.
            alarm_topic: Where the rollback and warm-up alarms also notify. Default: nowhere.
        """
        gpus = variant.gpus
        problems = endpoint_problems(
            endpoint_name, variant, vpc_subnets=vpc_subnets, security_groups=security_groups, deployment=deployment
        )
        if gpus is not None and gpus > 1:
            problems.append(
                f"{variant.instance_type} has {gpus} GPUs; SageMaker multi-model endpoints support single-GPU "
                "instance types only"
            )
        if models.prefix and not models.prefix.endswith("/"):
            problems.append(f"the models prefix must end with '/': {models.prefix!r}")
        check(scope, problems, child=construct_id)
        super().__init__(
            scope,
            construct_id,
            endpoint_name=endpoint_name,
            variant=variant,
            image=image.bind(scope, gpu=bool(gpus)),
            mode="MultiModel",
            model_data_url=models.uri,
            environment=environment,
            multi_model_cache=model_cache,
            role=role,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            network_isolation=network_isolation,
            deployment=deployment,
            alarm_topic=alarm_topic,
        )
        self.models = models
        self.vpc_subnets = tuple(vpc_subnets)
        self.security_groups = tuple(security_groups)
        self.grant_read(models)
        self.warmup: ScheduledWarmup | None = None

    def add_warmup(
        self,
        *,
        schedule: str = WarmupSettings.schedule,
        payload: Any = None,
        content_type: str = WarmupSettings.content_type,
        concurrency: int = WarmupSettings.concurrency,
        time_budget_s: int = WarmupSettings.time_budget_s,
        request_timeout_s: int = WarmupSettings.request_timeout_s,
        log_key: kms.IKey | None = None,
    ) -> ScheduledWarmup:
        """Invoke every model under the prefix on `schedule` (see `ScheduledWarmup`), in the
        endpoint's subnets if it has any.

        Args:
            schedule: An EventBridge schedule, `rate(...)` or `cron(...)`.
            payload: The JSON request body sent to each model. Default: `{"inputs": "warm-up"}`.
            content_type: The request's content type.
            concurrency: Models invoked at once (1-64).
            time_budget_s: A run stops starting invocations after this long (10-840 s).
            request_timeout_s: One invocation's limit (1-600 s); slower models count as failed.
            log_key: Encrypts the function's logs and environment. Default: AWS-managed keys.
        """
        check(self, ["add_warmup was already called; call it once"] if self.warmup is not None else [])
        settings = WarmupSettings(
            schedule=schedule,
            payload=default_warmup_payload() if payload is None else payload,
            content_type=content_type,
            concurrency=concurrency,
            time_budget_s=time_budget_s,
            request_timeout_s=request_timeout_s,
        )
        self.warmup = ScheduledWarmup(
            self,
            "Warmup",
            endpoint_name=self.endpoint_name,
            endpoint_arn=self.endpoint_arn,
            models=self.models,
            settings=settings,
            log_key=log_key,
            vpc_subnets=self.vpc_subnets,
            security_groups=self.security_groups,
            notify=self.alarm_actions,
        )
        return self.warmup
