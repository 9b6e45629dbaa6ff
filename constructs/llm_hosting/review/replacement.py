"""Which property changes make CloudFormation replace a resource instead of updating it.

The answer comes from the resource type's registry schema (`createOnlyProperties`), read from the
copy cfn-lint bundles. cfn-lint is a development tool, not a dependency of this library, so when it
is missing or does not know a type, `FALLBACK_CREATE_ONLY` answers for the types this project
synthesizes (copied from those schemas, us-east-1, June 2026: the AWS facts reference, sections A.1-A.4 and B).

A second cause of replacement: a changed explicit physical name (`NAME_PROPERTIES`). For most types
the name is create-only anyway; for `AWS::SageMaker::InferenceComponent` the schema lists nothing as
create-only, but the SageMaker API cannot rename a component, so a new name means a new component.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from llm_hosting.review.values import Path, PathPart

SCHEMA_REGION = "us-east-1"
"""Registry schemas differ little between regions for these types; one region keeps answers stable."""

FALLBACK_CREATE_ONLY: dict[str, tuple[str, ...]] = {
    "AWS::SageMaker::Model": (
        "ExecutionRoleArn",
        "EnableNetworkIsolation",
        "InferenceExecutionConfig",
        "PrimaryContainer",
        "ModelName",
        "VpcConfig",
        "Containers",
    ),
    # Everything but Tags: any change to an endpoint config is a new endpoint config.
    "AWS::SageMaker::EndpointConfig": (
        "KmsKeyId",
        "AsyncInferenceConfig",
        "ExecutionRoleArn",
        "ShadowProductionVariants",
        "EnableNetworkIsolation",
        "ProductionVariants",
        "DataCaptureConfig",
        "ExplainerConfig",
        "MetricsConfig",
        "EndpointConfigName",
        "VpcConfig",
    ),
    # A new EndpointConfigName is an in-place UpdateEndpoint (a new fleet), not a replacement.
    "AWS::SageMaker::Endpoint": ("EndpointName",),
    "AWS::SageMaker::InferenceComponent": (),
    "AWS::ApplicationAutoScaling::ScalableTarget": ("ResourceId", "ScalableDimension", "ServiceNamespace"),
    "AWS::ApplicationAutoScaling::ScalingPolicy": (
        "PolicyName",
        "ServiceNamespace",
        "ResourceId",
        "ScalableDimension",
        "ScalingTargetId",
    ),
    "AWS::S3::Bucket": ("BucketName", "BucketNamePrefix", "BucketNamespace"),
    "AWS::S3::BucketPolicy": ("Bucket",),
    "AWS::KMS::Key": (),
    "AWS::KMS::Alias": ("AliasName",),
    "AWS::IAM::Role": ("Path", "RoleName"),
    "AWS::IAM::Policy": (),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName", "Description", "Path"),
    "AWS::CloudWatch::Alarm": ("AlarmName",),
    "AWS::CloudWatch::Dashboard": ("DashboardName",),
    "AWS::Lambda::Function": ("FunctionName", "PackageType", "TenancyConfig"),
    "AWS::Lambda::Permission": (
        "FunctionName",
        "FunctionUrlAuthType",
        "InvokedViaFunctionUrl",
        "SourceAccount",
        "SourceArn",
        "Principal",
        "PrincipalOrgID",
        "Action",
        "EventSourceToken",
    ),
    "AWS::Events::Rule": ("Name",),
    "AWS::Logs::LogGroup": ("LogGroupName",),
}
"""Create-only properties by type, for when cfn-lint cannot answer (nested paths as `A/B`)."""

NAME_PROPERTIES: dict[str, str] = {
    "AWS::SageMaker::Model": "ModelName",
    "AWS::SageMaker::EndpointConfig": "EndpointConfigName",
    "AWS::SageMaker::Endpoint": "EndpointName",
    "AWS::SageMaker::InferenceComponent": "InferenceComponentName",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "PolicyName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Events::Rule": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
}
"""The property that holds a resource's explicit physical name, where the type has one."""


@dataclass(frozen=True)
class TypeRules:
    """What replaces a resource of one type."""

    resource_type: str
    create_only: tuple[Path, ...]
    """Property paths; `"*"` stands for any item of a list."""
    name_property: str | None
    source: Literal["cfn-lint", "fallback", "unknown"]
    """Where `create_only` comes from; `unknown` means no create-only properties are known."""

    def is_create_only(self, path: Path) -> bool:
        """Does a change at `path` (inside Properties) touch a create-only property?

        A change below a create-only path counts, and so does a change of a whole object that
        contains one (a `VpcConfig` added where `VpcConfig/Subnets` is create-only).
        """
        return any(_overlaps(pointer, path) for pointer in self.create_only)


def _overlaps(pointer: Path, path: Path) -> bool:
    for expected, actual in zip(pointer, path, strict=False):
        if expected == "*":
            continue
        if expected != actual:
            return False
    return True


@cache
def type_rules(resource_type: str) -> TypeRules:
    """Create-only properties and name property of `resource_type` (cfn-lint first, then the table)."""
    name_property = NAME_PROPERTIES.get(resource_type)
    pointers = _schema_create_only(resource_type)
    if pointers is not None:
        return TypeRules(resource_type, tuple(_parse(p) for p in pointers), name_property, "cfn-lint")
    fallback = FALLBACK_CREATE_ONLY.get(resource_type)
    if fallback is not None:
        paths = tuple(tuple(_part(part) for part in item.split("/")) for item in fallback)
        return TypeRules(resource_type, paths, name_property, "fallback")
    return TypeRules(resource_type, (), name_property, "unknown")


def _schema_create_only(resource_type: str) -> list[str] | None:
    """`createOnlyProperties` JSON pointers from cfn-lint's bundled schema, or None if unavailable."""
    try:
        # Imported by name: cfn-lint is optional here and ships no type information.
        schema_module: Any = importlib.import_module("cfnlint.schema")
    except ImportError:
        return None
    try:
        schema = schema_module.PROVIDER_SCHEMA_MANAGER.get_resource_schema(SCHEMA_REGION, resource_type).schema
    except Exception:
        # Unknown types raise ResourceNotFoundError; any other failure inside cfn-lint is no reason to
        # stop a review when the fallback table can answer.
        return None
    pointers = schema.get("createOnlyProperties", []) if isinstance(schema, dict) else None
    if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
        return None
    return list(pointers)


def _parse(pointer: str) -> Path:
    """`/properties/ProductionVariants/*/InstanceType` -> `("ProductionVariants", "*", "InstanceType")`."""
    parts = pointer.split("/")[1:]
    if parts and parts[0] == "properties":
        parts = parts[1:]
    return tuple(_part(part.replace("~1", "/").replace("~0", "~")) for part in parts)


def _part(text: str) -> PathPart:
    return int(text) if text.isdigit() else text
