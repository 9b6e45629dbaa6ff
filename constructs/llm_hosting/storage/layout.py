"""Where things live in the artifact bucket. Plain strings, no CDK: the CLI uses them too.

s3://<project>-artifacts-<account>-<region>/
    assets/<endpoint>/<sha256>.tar.gz   model archives (and templates) staged by `cdk deploy`
    <endpoint>/<model>.tar.gz           multi-model endpoint models, added by `publish`
"""

from __future__ import annotations

ASSETS_PREFIX = "assets/"
BUCKET_SUFFIX = "-artifacts"
MAX_PROJECT_LENGTH = 25
"""63 (S3's limit) - len("-artifacts-") - 12 (account) - 1 - 14 (longest region name)."""


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
    """Prefix a multi-model endpoint loads its models from: `<endpoint>/`."""
    return f"{endpoint_name}/"
