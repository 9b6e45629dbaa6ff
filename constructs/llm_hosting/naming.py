"""Names shared by the app, the constructs and the command line, without importing any CDK code.

s3://<project>-artifacts-<account>-<region>/     the artifact bucket (stack <project>-artifacts)
    assets/<endpoint>/<sha256>.tar.gz            files `cdk deploy` stages: archives, templates
    <endpoint>/<model>.tar.gz                    multi-model endpoint models, added by `publish`
    weights/<endpoint>[/<component>]/            DJL models' weights, added by `stage --endpoint`
"""

from __future__ import annotations

import re
from collections.abc import Callable

DEFAULT_CATALOG = "catalog.yaml"
"""The catalog the app and the command line read unless told otherwise (context/argument)."""

ASSETS_PREFIX = "assets/"
WEIGHTS_PREFIX = "weights/"
BUCKET_SUFFIX = "-artifacts"
S3_BUCKET_NAME_MAX = 63
LONGEST_REGION = 15
"""`us-isof-south-1`: the longest region name that publishes serving images (facts/sdk_images.json;
tests/test_facts.py pins it)."""
MAX_PROJECT_LENGTH = S3_BUCKET_NAME_MAX - len(f"{BUCKET_SUFFIX}-") - 12 - 1 - LONGEST_REGION
"""24: the artifact bucket `<project>-artifacts-<12-digit account>-<region>` fits S3's 63 in every region."""
PROJECT_PATTERN = rf"^[a-z]([a-z0-9-]{{0,{MAX_PROJECT_LENGTH - 2}}}[a-z0-9])?$"

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


def weights_prefix(endpoint_name: str, component: str | None = None) -> str:
    """Where `stage --endpoint` puts weights in the artifact bucket: `weights/<endpoint>[/<component>]/`."""
    return f"{WEIGHTS_PREFIX}{endpoint_name}/" + (f"{component}/" if component else "")


SAGEMAKER_NAME_RE = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*")
"""Endpoint, variant and inference-component names (the API's pattern)."""
SAGEMAKER_NAME_MAX = 63


def sagemaker_name_problem(value: str, shown: Callable[[str], str] = repr) -> str | None:
    """What is wrong with `value` as an endpoint, variant or inference-component name, with the fix
    (`shown` renders the value in the message)."""
    if len(value) > SAGEMAKER_NAME_MAX:
        return (
            f"{shown(value)} is {len(value)} characters long; SageMaker names allow at most "
            f"{SAGEMAKER_NAME_MAX}, shorten it"
        )
    if not SAGEMAKER_NAME_RE.fullmatch(value):
        return (
            f"{shown(value)} is not a valid SageMaker name; use letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    return None
