"""Hand-built stacks that pass preflight, for the tests to break one property at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from llm_hosting.assembly import StackTemplate
from llm_hosting.preflight import Problem, check_stacks, preflight
from tests.review.helpers import write_assembly

Template = dict[str, Any]

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.32.0-lmi14.0.0-cu126"


def components_stack(
    *, endpoint: str = "chat", component: str = "chat-llm", instance_type: str = "ml.g5.12xlarge"
) -> Template:
    """An inference-component endpoint: config, endpoint, one component rolling with two alarms, scaling."""
    return {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
            "Config": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {
                    "ExecutionRoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                    "ProductionVariants": [
                        {
                            "VariantName": "AllTraffic",
                            "InstanceType": instance_type,
                            "InitialInstanceCount": 1,
                            "ManagedInstanceScaling": {
                                "Status": "ENABLED",
                                "MinInstanceCount": 1,
                                "MaxInstanceCount": 2,
                            },
                            "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
                        }
                    ],
                },
            },
            "Endpoint": {
                "Type": "AWS::SageMaker::Endpoint",
                "Properties": {
                    "EndpointName": endpoint,
                    "EndpointConfigName": {"Fn::GetAtt": ["Config", "EndpointConfigName"]},
                },
            },
            "Errors": _alarm({"Name": "InferenceComponentName", "Value": component}),
            "Latency": _alarm({"Name": "InferenceComponentName", "Value": component}),
            "Component": {
                "Type": "AWS::SageMaker::InferenceComponent",
                "Properties": {
                    "EndpointName": endpoint,
                    "VariantName": "AllTraffic",
                    "InferenceComponentName": component,
                    "Specification": {
                        "Container": {
                            "Image": IMAGE,
                            "ArtifactUrl": "s3://artifacts-bucket/chat/model.tar.gz",
                            "Environment": {"OPTION_ROLLING_BATCH": "auto"},
                        },
                        "ComputeResourceRequirements": {
                            "NumberOfAcceleratorDevicesRequired": 1,
                            "NumberOfCpuCoresRequired": 4,
                            "MinMemoryRequiredInMb": 16384,
                        },
                        "StartupParameters": {
                            "ModelDataDownloadTimeoutInSeconds": 600,
                            "ContainerStartupHealthCheckTimeoutInSeconds": 600,
                        },
                    },
                    "RuntimeConfig": {"CopyCount": 2},
                    "DeploymentConfig": {
                        "RollingUpdatePolicy": {
                            "MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1},
                            "WaitIntervalInSeconds": 120,
                        },
                        "AutoRollbackConfiguration": {
                            "Alarms": [{"AlarmName": {"Ref": "Errors"}}, {"AlarmName": {"Ref": "Latency"}}]
                        },
                    },
                    "Tags": [{"Key": "project", "Value": "llm-hosting"}],
                },
            },
            "Target": {
                "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
                "Properties": {
                    "ResourceId": f"inference-component/{component}",
                    "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
                    "ServiceNamespace": "sagemaker",
                    "MinCapacity": 1,
                    "MaxCapacity": 4,
                    "Tags": [{"Key": "project", "Value": "llm-hosting"}],
                },
            },
            "Policy": {
                "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
                "Properties": {
                    "PolicyName": f"{component}-invocations-per-copy",
                    "PolicyType": "TargetTrackingScaling",
                    "ScalingTargetId": {"Ref": "Target"},
                    "TargetTrackingScalingPolicyConfiguration": {
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"
                        },
                        "TargetValue": 10,
                    },
                },
            },
        }
    }


def single_model_stack(*, endpoint: str = "flan", instance_type: str = "ml.g5.12xlarge") -> Template:
    """A single-model endpoint: model, config with two instances, a canary deployment, scaling."""
    return {
        "Resources": {
            "Model": {
                "Type": "AWS::SageMaker::Model",
                "Properties": {
                    "ExecutionRoleArn": "arn:aws:iam::123456789012:role/sagemaker-execution",
                    "PrimaryContainer": {
                        "Image": IMAGE,
                        "Mode": "SingleModel",
                        "ModelDataUrl": "s3://artifacts-bucket/flan/model.tar.gz",
                        "Environment": {"HF_MODEL_ID": "/opt/ml/model"},
                    },
                },
            },
            "Config": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {
                    "ProductionVariants": [
                        {
                            "VariantName": "AllTraffic",
                            "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
                            "InstanceType": instance_type,
                            "InitialInstanceCount": 2,
                            "ModelDataDownloadTimeoutInSeconds": 600,
                            "ContainerStartupHealthCheckTimeoutInSeconds": 600,
                        }
                    ]
                },
            },
            "Errors": _alarm(
                {"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}
            ),
            "Endpoint": {
                "Type": "AWS::SageMaker::Endpoint",
                "Properties": {
                    "EndpointName": endpoint,
                    "EndpointConfigName": {"Fn::GetAtt": ["Config", "EndpointConfigName"]},
                    "RetainAllVariantProperties": True,
                    "DeploymentConfig": {
                        "BlueGreenUpdatePolicy": {
                            "TrafficRoutingConfiguration": {
                                "Type": "CANARY",
                                "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1},
                                "WaitIntervalInSeconds": 600,
                            },
                            "TerminationWaitInSeconds": 300,
                        },
                        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": {"Ref": "Errors"}}]},
                    },
                },
            },
            "Target": {
                "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
                "Properties": {
                    "ResourceId": f"endpoint/{endpoint}/variant/AllTraffic",
                    "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                    "ServiceNamespace": "sagemaker",
                    "MinCapacity": 2,
                    "MaxCapacity": 4,
                },
            },
            "Policy": {
                "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
                "Properties": {
                    "PolicyName": f"{endpoint}-invocations-per-instance",
                    "PolicyType": "TargetTrackingScaling",
                    "ScalingTargetId": {"Ref": "Target"},
                    "TargetTrackingScalingPolicyConfiguration": {
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                        },
                        "TargetValue": 100,
                    },
                },
            },
        }
    }


def _alarm(*dimensions: dict[str, str]) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "MetricName": "Invocation5XXErrors",
            "Namespace": "AWS/SageMaker",
            "Dimensions": list(dimensions),
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 2,
            "DatapointsToAlarm": 2,
            "Threshold": 5,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
        },
    }


def edited(template: Template, change: Callable[[dict[str, Any]], object]) -> Template:
    """A deep copy of `template` with `change` applied to its Resources."""
    copied = copy.deepcopy(template)
    change(copied["Resources"])
    return copied


def problem_lines(directory: Path, templates: Mapping[str, Template]) -> list[str]:
    """Preflight's lines for an assembly written to `directory`, the way `cdk synth` lays one out."""
    return [str(problem) for problem in preflight(write_assembly(directory, templates))]


def line(directory: Path, stack: str, logical_id: str, path: str, message: str) -> str:
    """The line preflight prints for one problem of stack `stack` in the assembly at `directory`."""
    return f"{directory / f'{stack}.template.json'}: {stack}/{logical_id} {path}: {message}"


def check_in_memory(template: Template, name: str = "S") -> list[Problem]:
    """Preflight one template without writing files (for property tests that run it thousands of times)."""
    return check_stacks([StackTemplate(name=name, path=Path(f"{name}.template.json"), template=template)])
