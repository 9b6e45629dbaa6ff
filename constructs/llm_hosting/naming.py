"""Names shared by the app, the constructs and the command line, without importing any CDK code.

s3://<project>-artifacts-<account>-<region>/     the artifact bucket (stack <project>-artifacts)
    assets/<endpoint>/<sha256>.tar.gz            files `cdk deploy` stages: archives, templates
    <endpoint>/<model>.tar.gz                    multi-model endpoint models, added by `publish`
"""

from __future__ import annotations

DEFAULT_CATALOG = "catalog.yaml"
"""The catalog the app and the command line read unless told otherwise (context/argument)."""

ASSETS_PREFIX = "assets/"
BUCKET_SUFFIX = "-artifacts"
MAX_PROJECT_LENGTH = 25
"""63 (S3's limit) - len("-artifacts-") - 12 (account) - 1 - 14 (longest region name)."""

ARTIFACT_BUCKET_OUTPUT = "ArtifactBucketName"
"""CloudFormation output of the artifacts stack that holds the artifact bucket's name."""


def artifacts_stack_name(project: str) -> str:
    """The stack that holds the artifact bucket: `<project>-artifacts`."""
    return f"{project}{BUCKET_SUFFIX}"


def bucket_name(project: str, account: str, region: str) -> str:
    """The artifact bucket's name: deterministic, so stacks can stage files into it at synthesis."""
    return f"{project}{BUCKET_SUFFIX}-{account}-{region}"


def bucket_name_template(project: str) -> str:
    """The bucket name with CloudFormation placeholders, as CDK asset manifests take it."""
    return bucket_name(project, "${AWS::AccountId}", "${AWS::Region}")


def asset_prefix(endpoint_name: str) -> str:
    """Prefix of the files CDK stages for one endpoint's stacks: `assets/<endpoint>/`."""
    return f"{ASSETS_PREFIX}{endpoint_name}/"


def model_prefix(endpoint_name: str) -> str:
    """The S3 prefix a multi-model endpoint loads its models from: `<endpoint name>/`."""
    return f"{endpoint_name}/"
