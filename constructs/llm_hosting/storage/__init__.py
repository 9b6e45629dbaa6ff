"""Where model archives live: the artifact bucket, its key and its access logs."""

from llm_hosting.storage.artifact_store import ArtifactStore, S3Location, bootstrap_role_arn, read_prefix_statements

__all__ = ["ArtifactStore", "S3Location", "bootstrap_role_arn", "read_prefix_statements"]
