"""The stateful stack: artifact bucket and key, deployed once and referenced by every endpoint stack."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from llm_hosting import naming
from llm_hosting.catalog.schema import Artifacts
from llm_hosting.storage import ArtifactStore


class ArtifactsStack(cdk.Stack):
    """Holds data: termination protection is on, and the bucket and key outlive the stack.

    The bucket's name is deterministic (`<project>-artifacts-<account>-<region>`) because the
    endpoint stacks stage their model archives into it at `cdk deploy` time.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, project: str, artifacts: Artifacts, qualifier: str, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, termination_protection=True, **kwargs)
        self.store = ArtifactStore(
            self,
            "Artifacts",
            bucket_name=naming.bucket_name(project, self.account, self.region),
            encryption=artifacts.encryption,
            noncurrent_version_expiration=cdk.Duration.days(artifacts.noncurrent_version_expiration_days),
        )
        self.store.allow_cdk_asset_publishing(qualifier=qualifier, prefix=naming.ASSETS_PREFIX)
        cdk.CfnOutput(self, "ArtifactBucketName", value=self.store.bucket.bucket_name)
        if self.store.key is not None:
            cdk.CfnOutput(self, "ArtifactKeyArn", value=self.store.key.key_arn)
