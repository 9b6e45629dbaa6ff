"""Hand-written cloud assemblies and a command-line runner for the change-review tests."""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llm_hosting.commands.review import register
from llm_hosting.review import Review, review_assemblies


def write_assembly(directory: Path, templates: Mapping[str, dict[str, Any]]) -> Path:
    """A minimal cloud assembly in the shape `cdk synth` writes: manifest.json plus one template per stack."""
    directory.mkdir(parents=True, exist_ok=True)
    artifacts: dict[str, Any] = {}
    for name, template in templates.items():
        (directory / f"{name}.template.json").write_text(json.dumps(template, indent=1))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": "aws://unknown-account/unknown-region",
            "properties": {"templateFile": f"{name}.template.json"},
        }
    (directory / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    return directory


def review_pair(tmp_path: Path, old: Mapping[str, dict[str, Any]], new: Mapping[str, dict[str, Any]]) -> Review:
    return review_assemblies(write_assembly(tmp_path / "old", old), write_assembly(tmp_path / "new", new))


def run_cli(*argv: str | Path) -> int:
    """`python -m llm_hosting review ...` through the command's own `register`, as cli.py wires it."""
    parser = argparse.ArgumentParser(prog="python -m llm_hosting")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["review", *map(str, argv)])
    code: int = args.run(args)
    return code


def rules_of(review: Review) -> list[str]:
    return [finding.rule for finding in review.findings]


def action_of(review: Review, stack: str, logical_id: str) -> str:
    resource = review.change.stack(stack).resource(logical_id)
    return resource.action if resource is not None else "unchanged"


def cdk_metadata(path: str) -> dict[str, Any]:
    return {"aws:cdk:path": path}


def endpoint_stack(
    *,
    endpoint_name: str = "chat",
    instance_type: str = "ml.g5.2xlarge",
    image: str = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.32.0-lmi14.0.0-cu126",
    archive_key: str = "0f1e2d.tar.gz",
    scaling_resource_id: Any = "endpoint/chat/variant/AllTraffic",
) -> dict[str, Any]:
    """A single-model endpoint stack shaped like the synthesized one (role, model, config, endpoint, scaling)."""
    resources: dict[str, Any] = {
        "ChatRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Action": "sts:AssumeRole",
                            "Effect": "Allow",
                            "Principal": {"Service": "sagemaker.amazonaws.com"},
                        }
                    ],
                    "Version": "2012-10-17",
                }
            },
            "Metadata": cdk_metadata("chat/Role/Resource"),
        },
        "ChatModel": {
            "Type": "AWS::SageMaker::Model",
            "Properties": {
                "ExecutionRoleArn": {"Fn::GetAtt": ["ChatRole", "Arn"]},
                "PrimaryContainer": {
                    "Image": image,
                    "Mode": "SingleModel",
                    "ModelDataUrl": {
                        "Fn::Sub": f"s3://cdk-hnb659fds-assets-${{AWS::AccountId}}-${{AWS::Region}}/{archive_key}"
                    },
                },
            },
            "Metadata": cdk_metadata("chat/Model"),
        },
        "ChatConfig": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ProductionVariants": [
                    {
                        "InitialInstanceCount": 1,
                        "InstanceType": instance_type,
                        "ModelName": {"Fn::GetAtt": ["ChatModel", "ModelName"]},
                        "VariantName": "AllTraffic",
                    }
                ]
            },
            "Metadata": cdk_metadata("chat/Config"),
        },
        "Chat": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {
                "EndpointConfigName": {"Fn::GetAtt": ["ChatConfig", "EndpointConfigName"]},
                "EndpointName": endpoint_name,
            },
            "Metadata": cdk_metadata("chat/Resource"),
        },
        "CDKMetadata": {
            "Type": "AWS::CDK::Metadata",
            "Properties": {"Analytics": "v2:deflate64:H4sIAAAAAAAA/0"},
            "Metadata": cdk_metadata("chat/CDKMetadata/Default"),
        },
    }
    if scaling_resource_id is not None:
        resources["ChatScalingTarget"] = {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": {
                "MaxCapacity": 2,
                "MinCapacity": 1,
                "ResourceId": scaling_resource_id,
                "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "ServiceNamespace": "sagemaker",
            },
            "DependsOn": ["Chat"],
        }
    return {
        "Resources": resources,
        "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>"}},
        "Rules": {"CheckBootstrapVersion": {"Assertions": []}},
    }


def artifacts_stack() -> dict[str, Any]:
    """A bucket encrypted with a retained customer-managed key, like the artifacts stack."""
    return {
        "Resources": {
            "ArtifactsKey": {
                "Type": "AWS::KMS::Key",
                "Properties": {"EnableKeyRotation": True, "KeyPolicy": {"Statement": [], "Version": "2012-10-17"}},
                "UpdateReplacePolicy": "Retain",
                "DeletionPolicy": "Retain",
            },
            "ArtifactsBucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {
                                "ServerSideEncryptionByDefault": {
                                    "KMSMasterKeyID": {"Fn::GetAtt": ["ArtifactsKey", "Arn"]},
                                    "SSEAlgorithm": "aws:kms",
                                }
                            }
                        ]
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
                },
                "UpdateReplacePolicy": "Retain",
                "DeletionPolicy": "Retain",
            },
        }
    }


def edited(template: dict[str, Any]) -> dict[str, Any]:
    """A deep copy to edit, so the original stays as it was."""
    return copy.deepcopy(template)
