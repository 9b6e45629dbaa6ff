"""`ArtifactStore`: the encrypted, versioned, logged bucket that model archives are read from."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from constructs import Construct


@dataclass(frozen=True)
class S3Location:
    """`s3://bucket/prefix/` split into parts, with the KMS key that encrypts it (if any)."""

    bucket: str
    prefix: str
    kms_key_arn: str | None = None

    @classmethod
    def parse(cls, uri: str, kms_key_arn: str | None = None) -> S3Location:
        if not uri.startswith("s3://"):
            raise ValueError(f"not an S3 URI: {uri}")
        bucket, _, prefix = uri[len("s3://") :].partition("/")
        return cls(bucket=bucket, prefix=prefix, kms_key_arn=kms_key_arn)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def grant_read_prefix(
    grantee: iam.IGrantable,
    *,
    bucket_arn: str,
    prefix: str,
    kms_key_arn: str | None = None,
) -> None:
    """Least-privilege read of one prefix: list it, get its objects, decrypt with its key."""
    iam.Grant.add_to_principal(
        grantee=grantee,
        actions=["s3:GetObject"],
        resource_arns=[f"{bucket_arn}/{prefix}*"],
    )
    iam.Grant.add_to_principal(
        grantee=grantee,
        actions=["s3:ListBucket"],
        resource_arns=[bucket_arn],
        conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}} if prefix else None,
    )
    if kms_key_arn is not None:
        iam.Grant.add_to_principal(grantee=grantee, actions=["kms:Decrypt"], resource_arns=[kms_key_arn])


class ArtifactStore(Construct):
    """A bucket for model archives: KMS (customer-managed key, rotation on) or SSE-S3, versioned,
    TLS-only, public access blocked, server access logs, kept when the stack is deleted.

    Each endpoint reads only its own prefix (`prefix_for(endpoint_name)`).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption: str = "kms",
        noncurrent_version_expiration: cdk.Duration | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        retain = cdk.RemovalPolicy.RETAIN

        self.key: kms.Key | None = None
        if encryption == "kms":
            self.key = kms.Key(
                self,
                "Key",
                description="Encrypts the LLM model archives in the artifact bucket",
                enable_key_rotation=True,
                removal_policy=retain,
            )

        # Server access logs cannot be delivered to an SSE-KMS bucket; this one uses SSE-S3.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=retain,
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.KMS if self.key else s3.BucketEncryption.S3_MANAGED,
            encryption_key=self.key,
            bucket_key_enabled=self.key is not None,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="artifact-bucket/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-replaced-archives",
                    noncurrent_version_expiration=noncurrent_version_expiration or cdk.Duration.days(90),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                )
            ],
            removal_policy=retain,
        )

    @staticmethod
    def prefix_for(endpoint_name: str) -> str:
        """The S3 prefix that belongs to one endpoint: `<endpoint name>/`."""
        return f"{endpoint_name}/"

    def s3_uri(self, prefix: str) -> str:
        return f"s3://{self.bucket.bucket_name}/{prefix}"

    def grant_read(self, grantee: iam.IGrantable, prefix: str) -> None:
        """Read (and decrypt) the objects under `prefix`, nothing else."""
        grant_read_prefix(
            grantee,
            bucket_arn=self.bucket.bucket_arn,
            prefix=prefix,
            kms_key_arn=self.key.key_arn if self.key else None,
        )
