"""Which API request each CloudFormation resource becomes, so its properties meet botocore's shapes.

The resource providers pass a resource's properties to the service almost unchanged: the property
names are the API member names (compared against cfn-lint's CloudFormation schemas). The exceptions
are spelled out here: properties sent with an update call rather than the create call, required
members CloudFormation supplies itself, and the scalable target's tags (a list in CloudFormation, a
map in the API). Properties the API does not have (`EndpointArn`, read-only attributes, a scalable
target's `ScheduledActions`, which become separate `PutScheduledAction` calls) are left to cfn-lint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from llm_hosting.preflight.shapes import Operation


def _tags_as_map(properties: dict[str, Any]) -> dict[str, Any]:
    """RegisterScalableTarget takes `Tags` as a map; CloudFormation writes a list of Key/Value."""
    tags = properties.get("Tags")
    if not isinstance(tags, list):
        return properties
    adapted = {name: value for name, value in properties.items() if name != "Tags"}
    if all(isinstance(tag, dict) and isinstance(tag.get("Key"), str) for tag in tags):
        adapted["Tags"] = {tag["Key"]: tag.get("Value") for tag in tags}
    return adapted


@dataclass(frozen=True)
class ApiRequest:
    """One API call a resource's properties go into."""

    operation: Operation
    properties: frozenset[str] | None = None
    """The CloudFormation properties this call carries; None: every one the input shape has."""
    supplied: frozenset[str] = frozenset()
    """Required members CloudFormation fills in itself (it generates the name when none is given)."""
    supplied_by: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Required members that a property, when present, supplies (a policy's ScalingTargetId)."""
    check_required: bool = True
    """False for an update call that carries only some properties: its required members come from the create."""
    adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def request(self, properties: dict[str, Any]) -> dict[str, Any]:
        chosen = {
            name: value for name, value in properties.items() if self.properties is None or name in self.properties
        }
        return self.adapt(chosen) if self.adapt is not None else chosen

    def supplied_for(self, properties: dict[str, Any]) -> frozenset[str]:
        extra = [members for name, members in self.supplied_by.items() if name in properties]
        return self.supplied.union(*extra)


_SAGEMAKER = "sagemaker"
_AAS = "application-autoscaling"

REQUESTS: Mapping[str, tuple[ApiRequest, ...]] = {
    "AWS::SageMaker::Model": (ApiRequest(Operation(_SAGEMAKER, "CreateModel"), supplied=frozenset({"ModelName"})),),
    "AWS::SageMaker::EndpointConfig": (
        ApiRequest(Operation(_SAGEMAKER, "CreateEndpointConfig"), supplied=frozenset({"EndpointConfigName"})),
    ),
    "AWS::SageMaker::Endpoint": (
        ApiRequest(Operation(_SAGEMAKER, "CreateEndpoint"), supplied=frozenset({"EndpointName"})),
        # Written only on update (aws-facts.md A.3: write-only properties of UpdateEndpointInput).
        ApiRequest(
            Operation(_SAGEMAKER, "UpdateEndpoint"),
            properties=frozenset(
                {"RetainAllVariantProperties", "ExcludeRetainedVariantProperties", "RetainDeploymentConfig"}
            ),
            check_required=False,
        ),
    ),
    "AWS::SageMaker::InferenceComponent": (
        # InferenceComponentName is required by the API and not generated (aws-facts.md A.4), so it is checked.
        ApiRequest(Operation(_SAGEMAKER, "CreateInferenceComponent")),
        # CreateInferenceComponent has no DeploymentConfig: it is how UpdateInferenceComponent rolls.
        ApiRequest(
            Operation(_SAGEMAKER, "UpdateInferenceComponent"),
            properties=frozenset({"DeploymentConfig"}),
            check_required=False,
        ),
    ),
    "AWS::ApplicationAutoScaling::ScalableTarget": (
        ApiRequest(Operation(_AAS, "RegisterScalableTarget"), adapt=_tags_as_map),
    ),
    "AWS::ApplicationAutoScaling::ScalingPolicy": (
        ApiRequest(
            Operation(_AAS, "PutScalingPolicy"),
            supplied_by={"ScalingTargetId": frozenset({"ResourceId", "ScalableDimension", "ServiceNamespace"})},
        ),
    ),
    "AWS::CloudWatch::Alarm": (
        ApiRequest(Operation("cloudwatch", "PutMetricAlarm"), supplied=frozenset({"AlarmName"})),
    ),
}

CHECKED_TYPES = frozenset(REQUESTS)
"""The CloudFormation resource types preflight checks."""
