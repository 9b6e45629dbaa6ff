"""`ArtifactStore`: the encrypted, versioned, logged bucket that model archives are read from."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam, aws_kms as kms, aws_s3 as s3
from constructs import Construct

from llm_hosting.compliance import acknowledge_shared, skip_checkov


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

    @property
    def is_archive(self) -> bool:
        """One `.tar.gz` object rather than a prefix (an adapter's or a model's archive)."""
        return self.prefix.endswith(".tar.gz")

    def covers(self, other: S3Location) -> bool:
        """Whether reading this location (with its key) reads `other`."""
        if self.bucket != other.bucket or self.kms_key_arn != other.kms_key_arn:
            return False
        return other.prefix == self.prefix if self.is_archive else other.prefix.startswith(self.prefix)


def bootstrap_role_arn(scope: Construct, role: str, qualifier: str) -> str:
    """ARN of a role `cdk bootstrap` creates, e.g. `file-publishing-role`, in the stack's account/region."""
    stack = cdk.Stack.of(scope)
    name = f"cdk-{qualifier}-{role}-{stack.account}-{stack.region}"
    return f"arn:{stack.partition}:iam::{stack.account}:role/{name}"


def read_prefix_statements(
    *, bucket_arn: str, prefix: str, kms_key_arn: str | None = None
) -> list[iam.PolicyStatement]:
    """Least-privilege read of one prefix: list it, get its objects, decrypt with its key. A `.tar.gz`
    key is one archive: get that object alone."""
    if prefix.endswith(".tar.gz"):
        statements = [iam.PolicyStatement(actions=["s3:GetObject"], resources=[f"{bucket_arn}/{prefix}"])]
        if kms_key_arn is not None:
            statements.append(iam.PolicyStatement(actions=["kms:Decrypt"], resources=[kms_key_arn]))
        return statements
    statements = [
        iam.PolicyStatement(actions=["s3:GetObject"], resources=[f"{bucket_arn}/{prefix}*"]),
        iam.PolicyStatement(
            actions=["s3:ListBucket"],
            resources=[bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}} if prefix else None,
        ),
    ]
    if kms_key_arn is not None:
        statements.append(iam.PolicyStatement(actions=["kms:Decrypt"], resources=[kms_key_arn]))
    return statements


class ArtifactStore(Construct):
    """A bucket for model archives: KMS (customer-managed key, rotation on) or SSE-S3, versioned,
    TLS-only, public access blocked, server access logs, kept when the stack is deleted.

    Endpoint stacks stage their files under `assets/<endpoint>/` (see `allow_cdk_asset_publishing`);
    multi-model endpoints load from `<endpoint>/`. Each execution role reads only its own prefix.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket_name: str | None = None,
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
            bucket_name=bucket_name,
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
        acknowledge_shared(
            self,
            "S3BucketReplicationEnabled",
            "Cross-region replication needs a bucket in a second region, which this store does not own. The "
            "archives are rebuilt from the repository by `cdk deploy`, multi-model archives by `publish`, "
            "and versioning keeps every replaced or deleted object.",
        )
        acknowledge_shared(
            self.access_logs,
            "S3DefaultEncryptionKMS",
            "S3 server access logs can only be delivered to a bucket encrypted with S3-managed keys (SSE-S3).",
        )
        logs_resource = self.access_logs.node.default_child
        if isinstance(logs_resource, cdk.CfnResource):
            skip_checkov(
                logs_resource,
                "CKV_AWS_18",
                "This is the access-log bucket: logging it into itself would log every log delivery.",
            )
        if self.key is None:
            acknowledge_shared(
                self.bucket,
                "S3DefaultEncryptionKMS",
                "The catalog chose artifacts.encryption: s3 (S3-managed keys) for this bucket.",
            )

    def allow_service_encryption(self) -> None:
        """Let CloudWatch alarms publish to a topic encrypted with the key, and CloudWatch Logs encrypt
        this account's log groups with it (both services use the key on the account's behalf)."""
        if self.key is None:
            return
        stack = cdk.Stack.of(self)
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublishToEncryptedTopics",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsEncryptLogGroups",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.{stack.url_suffix}")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"
                        )
                    }
                },
            )
        )

    def allow_cdk_asset_publishing(self, *, qualifier: str, prefix: str) -> None:
        """Let `cdk deploy` stage files under `prefix` with the roles `cdk bootstrap` made.

        The file-publishing role uploads (and checks what is there); the deploy role reads the
        templates CloudFormation is given. Both are named by the bootstrap qualifier.
        """
        publisher = iam.ArnPrincipal(bootstrap_role_arn(self, "file-publishing-role", qualifier))
        deployer = iam.ArnPrincipal(bootstrap_role_arn(self, "deploy-role", qualifier))
        objects = self.bucket.arn_for_objects(f"{prefix}*")
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CdkAssetPublishingWrite",
                principals=[publisher],
                actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[objects],
            )
        )
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CdkAssetPublishingList",
                principals=[publisher],
                actions=["s3:ListBucket", "s3:GetBucketLocation", "s3:GetEncryptionConfiguration"],
                resources=[self.bucket.bucket_arn],
            )
        )
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CdkDeployReadTemplates", principals=[deployer], actions=["s3:GetObject"], resources=[objects]
            )
        )
        if self.key is not None:
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="CdkAssetPublishingEncrypt",
                    principals=[publisher],
                    actions=["kms:Encrypt", "kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"],
                    resources=["*"],
                    conditions={
                        "StringEquals": {
                            "kms:ViaService": f"s3.{cdk.Stack.of(self).region}.{cdk.Stack.of(self).url_suffix}"
                        }
                    },
                )
            )
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="CdkDeployDecryptTemplates",
                    principals=[deployer],
                    actions=["kms:Decrypt"],
                    resources=["*"],
                    conditions={
                        "StringEquals": {
                            "kms:ViaService": f"s3.{cdk.Stack.of(self).region}.{cdk.Stack.of(self).url_suffix}"
                        }
                    },
                )
            )

    def grant_read(self, grantee: iam.IGrantable, prefix: str) -> None:
        """Read (and decrypt) the objects under `prefix`, nothing else."""
        for statement in read_prefix_statements(
            bucket_arn=self.bucket.bucket_arn, prefix=prefix, kms_key_arn=self.key.key_arn if self.key else None
        ):
            grantee.grant_principal.add_to_principal_policy(statement)
