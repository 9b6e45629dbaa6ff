"""`SingleModelEndpoint`: one model from one archive (and optional S3 weights) on its own endpoint."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_iam as iam
from constructs import Construct
from typing_extensions import Unpack

from llm_hosting.endpoints.model_archive import StagedArchive, stage_archive
from llm_hosting.endpoints.model_endpoint import EndpointOptions, ModelEndpoint
from llm_hosting.facts.images import ContainerImage
from llm_hosting.storage.artifact_store import S3Location


class SingleModelEndpoint(ModelEndpoint):
    """A SageMaker model on its own endpoint.

    The execution role (unless one is passed) reads exactly what the model needs: its archive
    (`model_archive_access`: the prefix the archive is staged under; default: that one object) and
    whatever `grant_read` adds, e.g. the weights prefix. With `deployment` the endpoint rolls updates
    out (canary, linear, all-at-once or rolling) and rolls back when the 5xx-error or latency alarm
    fires.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        instance_type: str,
        image: ContainerImage | str,
        gpus: int = 1,
        model_archive: Path | None = None,
        model_archive_access: S3Location | None = None,
        **options: Unpack[EndpointOptions],
    ) -> None:
        # Staged in the enclosing stack before the model that names it exists.
        self.model_archive: StagedArchive | None = stage_archive(scope, model_archive) if model_archive else None
        super().__init__(
            scope,
            construct_id,
            endpoint_name=endpoint_name,
            instance_type=instance_type,
            image=image,
            gpus=gpus,
            mode="SingleModel",
            model_data_url=self.model_archive.s3_url if self.model_archive else None,
            **options,
        )
        if self.model_archive is not None:
            if model_archive_access is not None:
                self.grant_read(model_archive_access)
            else:
                self.policy.add_statements(
                    iam.PolicyStatement(actions=["s3:GetObject"], resources=[self.model_archive.object_arn])
                )
