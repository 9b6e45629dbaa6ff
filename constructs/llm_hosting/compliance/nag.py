"""The cdk-nag findings this project cannot fix, acknowledged on the resource they concern with the
reason they cannot be fixed (the packs themselves are in `packs.py`).

Acknowledgments go through CDK's own `Validations.of(construct).acknowledge(...)`. Wildcard
findings (AwsSolutions-IAM5) are acknowledged by an aspect on each policy this project writes
(`acknowledge_wildcards`) that reads the policy the way cdk-nag does and acknowledges only the
wildcard shapes written on purpose, each with its reason; any other wildcard stays a finding and
stops synthesis.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import IConstruct

# Rules whose id is the same name in the HIPAA and NIST packs.
_SHARED_RULE_PREFIXES = ("HIPAA.Security", "NIST.800.53.R5")


def acknowledge_wildcards(policy: IConstruct) -> None:
    """Acknowledge, on `policy` (an IAM policy construct, or a role whose default policy it is), the
    wildcards this project writes on purpose (`wildcard_reason`), once its statements are final.

    The check runs as an aspect on the policy alone: an aspect on the whole app would call back into
    Python for every construct (thousands with hundreds of components), for the few that are policies.
    """
    cdk.Aspects.of(policy).add(_wildcard_acknowledgements())


def acknowledge(scope: IConstruct, rules: Iterable[str], reason: str) -> None:
    """Acknowledge `rules` (full cdk-nag ids) on `scope` and everything under it."""
    acknowledge_each(scope, [(rule, reason) for rule in rules])


def acknowledge_each(scope: IConstruct, reasons: Iterable[tuple[str, str]]) -> None:
    """Acknowledge each (rule, reason) on `scope` and everything under it, in one kernel call."""
    acknowledgments = []
    for rule, reason in reasons:
        if not reason.strip():
            raise ValueError("an acknowledgment needs its reason")
        acknowledgments.append(cdk.Acknowledgment(id=rule, reason=reason))
    cdk.Validations.of(scope).acknowledge(*acknowledgments)


def acknowledge_shared(scope: IConstruct, rule: str, reason: str, *, aws_solutions: str | None = None) -> None:
    """Acknowledge a rule the HIPAA and NIST packs share (`S3BucketReplicationEnabled`), and its
    AwsSolutions counterpart if it has one (`AwsSolutions-S1`)."""
    ids = [f"{prefix}-{rule}" for prefix in _SHARED_RULE_PREFIXES]
    if aws_solutions is not None:
        ids.append(aws_solutions)
    acknowledge(scope, ids, reason)


def flatten_reference(value: Any) -> str:
    """A resolved CloudFormation value as one string, exactly as cdk-nag writes it in finding ids."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        if "Fn::Join" in value:
            delimiter, items = value["Fn::Join"]
            return str(delimiter).join(flatten_reference(item) for item in items)
        if "Fn::Sub" in value:
            return flatten_reference(value["Fn::Sub"])
        if "Fn::GetAtt" in value:
            resource, attribute = value["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in value:
            return flatten_reference(value["Fn::ImportValue"])
        if "Ref" in value:
            return f"<{flatten_reference(value['Ref'])}>"
    return json.dumps(value, separators=(",", ":"))


_UNSCOPABLE_ACTIONS = {
    "ecr:GetAuthorizationToken": "ECR issues registry tokens per account",
    "cloudwatch:PutMetricData": "metrics have no resource ARN (the statement is held to SageMaker's namespaces)",
    **dict.fromkeys(
        (
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
        ),
        "Lambda creates a VPC function's network interfaces before they have ARNs "
        "(AWSLambdaVPCAccessExecutionRole grants the same on *)",
    ),
}
_WILDCARD_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r":log-group:[^*]+:log-stream:\*$|:log-group:[^*]+:\*$"),
        "Log stream names are chosen at runtime (per instance or invocation); the grant is held to one log group.",
    ),
    (
        re.compile(r":log-group:/aws/sagemaker/InferenceComponents/\*(:log-stream:\*)?$"),
        "Inference components log to groups named after themselves; listing each would grow the endpoint "
        "role with every component, so the grant is held to SageMaker's component log-group prefix.",
    ),
    (
        # The partition is a token in environment-agnostic stacks and literal in pinned ones.
        re.compile(r"^arn:(<AWS::Partition>|aws[a-z-]*):s3:::[^/*]+/.+/\*$"),
        "Models are addressed by prefix: the role reads the objects under its own prefix only.",
    ),
    (
        re.compile(r"^arn:(<AWS::Partition>|aws[a-z-]*):s3:::[^/*]+/\*$"),
        "The catalog's weights sit at the root of this bucket, or under more prefixes than one policy should "
        "list (over 8) with no folder in common, so the role reads this one bucket's objects.",
    ),
)


def wildcard_reason(finding: str, statement: Mapping[str, Any]) -> str | None:
    """Why a wildcard this project writes is needed, or None if it is not one of them."""
    kind, _, subject = finding.partition("::")
    if kind != "Resource":
        return None
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else list(actions)
    if subject == "*" and actions and all(a in _UNSCOPABLE_ACTIONS for a in actions):
        why = "; ".join(dict.fromkeys(_UNSCOPABLE_ACTIONS[a] for a in actions))
        return f"IAM cannot scope these actions to a resource: {why}."
    for pattern, reason in _WILDCARD_REASONS:
        if pattern.search(subject):
            return reason
    return None


def wildcard_findings(document: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(finding id suffix, statement) for every wildcard cdk-nag's IAM5 reports in `document`."""
    found: list[tuple[str, dict[str, Any]]] = []
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        for action in [actions] if isinstance(actions, str) else actions:
            if "*" in action:
                found.append((f"Action::{action}", statement))
        resources = statement.get("Resource", [])
        for resource in resources if isinstance(resources, list) else [resources]:
            flat = flatten_reference(resource)
            if "*" in flat:
                found.append((f"Resource::{flat}", statement))
    return found


@functools.cache
def _wildcard_acknowledgements() -> WildcardAcknowledgements:
    """One aspect object for every policy (it keeps no state): made in the kernel once."""
    return WildcardAcknowledgements()


@jsii.implements(cdk.IAspect)
class WildcardAcknowledgements:
    """Acknowledges AwsSolutions-IAM5 on policies for the wildcards listed in `_WILDCARD_REASONS`."""

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, (iam.CfnPolicy, iam.CfnManagedPolicy)):
            return
        document = cdk.Stack.of(node).resolve(node.policy_document)
        if not isinstance(document, dict):
            return
        by_reason: dict[str, list[str]] = {}
        for finding, statement in wildcard_findings(document):
            reason = wildcard_reason(finding, statement)
            if reason is not None:
                by_reason.setdefault(reason, []).append(f"AwsSolutions-IAM5[{finding}]")
        if by_reason:  # one kernel call, however many findings and reasons
            acknowledge_each(node, [(rule, reason) for reason, rules in by_reason.items() for rule in rules])
