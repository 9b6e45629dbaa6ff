"""The stateful stack: artifact bucket and key, deployed once and referenced by every endpoint stack."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

from constructs import Construct
from llm_hosting.catalog.schema import Artifacts
from llm_hosting.storage import ArtifactStore


class ArtifactsStack(cdk.Stack):
    """Holds data: termination protection is on, and the bucket and key outlive the stack."""

    def __init__(self, scope: Construct, construct_id: str, *, artifacts: Artifacts, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, termination_protection=True, **kwargs)
        self.store = ArtifactStore(
            self,
            "Artifacts",
            encryption=artifacts.encryption,
            noncurrent_version_expiration=cdk.Duration.days(artifacts.noncurrent_version_expiration_days),
        )
