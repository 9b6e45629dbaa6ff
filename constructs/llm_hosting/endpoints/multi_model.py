"""`MultiModelEndpoint`: many models behind one GPU endpoint, loaded on demand from one S3 prefix."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from constructs import Construct
from typing_extensions import Unpack

from llm_hosting.catalog.schema import Vpc, Warmup
from llm_hosting.endpoints.model_endpoint import EndpointOptions, ModelEndpoint
from llm_hosting.endpoints.warmup_schedule import ScheduledWarmup
from llm_hosting.facts.images import ContainerImage
from llm_hosting.storage.artifact_store import S3Location


class MultiModelEndpoint(ModelEndpoint):
    """A `MultiModel` model (Triton on GPU) serving every `*.tar.gz` under `models`.

    Clients pick a model with `TargetModel=<archive name>`; adding a model means copying its
    archive under the prefix (`python -m llm_hosting publish`). The role reads that prefix only.
    Multi-model endpoints run on single-GPU instance types only.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        instance_type: str,
        image: ContainerImage | str,
        models: S3Location,
        gpus: int = 1,
        model_cache: bool = True,
        **options: Unpack[EndpointOptions],
    ) -> None:
        if gpus > 1:
            raise ValueError(
                f"{instance_type} has {gpus} GPUs; SageMaker multi-model endpoints support single-GPU "
                "instance types only"
            )
        if models.prefix and not models.prefix.endswith("/"):
            raise ValueError(f"the models prefix must end with '/': {models.prefix!r}")
        super().__init__(
            scope,
            construct_id,
            endpoint_name=endpoint_name,
            instance_type=instance_type,
            image=image,
            gpus=gpus,
            mode="MultiModel",
            model_data_url=models.uri,
            multi_model_cache=model_cache,
            **options,
        )
        self.models = models
        self.grant_read(models)
        self.warmup: ScheduledWarmup | None = None

    def add_warmup(
        self, settings: Warmup, *, log_key: kms.IKey | None = None, vpc: Vpc | None = None
    ) -> ScheduledWarmup:
        """Invoke every model under the prefix on `settings.schedule` (see `ScheduledWarmup`)."""
        self.warmup = ScheduledWarmup(
            self,
            "Warmup",
            endpoint_name=self.endpoint_name,
            endpoint_arn=self.endpoint_arn,
            models=self.models,
            settings=settings,
            log_key=log_key,
            vpc=vpc,
            notify=[self.alarm_topic_arn] if self.alarm_topic_arn else (),
        )
        return self.warmup
