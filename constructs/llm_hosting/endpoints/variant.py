"""ProductionVariant settings every endpoint type shares."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_sagemaker as sagemaker

from llm_hosting.catalog.schema import StartupTimeouts, Vpc
from llm_hosting.compliance import acknowledge_shared

ROUTING = {"least-outstanding-requests": "LEAST_OUTSTANDING_REQUESTS", "random": "RANDOM"}


def variant_options(
    *,
    startup: StartupTimeouts | None = None,
    volume_size_gb: int | None = None,
    routing: str | None = None,
    inference_ami_version: str | None = None,
) -> dict[str, Any]:
    """ProductionVariant keyword arguments shared by every endpoint type."""
    options: dict[str, Any] = {}
    if startup is not None and startup.download_timeout_s is not None:
        options["model_data_download_timeout_in_seconds"] = startup.download_timeout_s
    if startup is not None and startup.health_check_timeout_s is not None:
        options["container_startup_health_check_timeout_in_seconds"] = startup.health_check_timeout_s
    if volume_size_gb is not None:
        options["volume_size_in_gb"] = volume_size_gb
    if routing is not None:
        options["routing_config"] = sagemaker.CfnEndpointConfig.RoutingConfigProperty(routing_strategy=ROUTING[routing])
    if inference_ami_version is not None:
        options["inference_ami_version"] = inference_ami_version
    return options


def model_vpc_config(vpc: Vpc | None) -> sagemaker.CfnModel.VpcConfigProperty | None:
    if vpc is None:
        return None
    return sagemaker.CfnModel.VpcConfigProperty(
        subnets=list(vpc.subnet_ids), security_group_ids=list(vpc.security_group_ids)
    )


def endpoint_config_vpc_config(vpc: Vpc | None) -> sagemaker.CfnEndpointConfig.VpcConfigProperty | None:
    """Inference-component endpoints carry the VPC on the endpoint config (there is no model)."""
    if vpc is None:
        return None
    return sagemaker.CfnEndpointConfig.VpcConfigProperty(
        subnets=list(vpc.subnet_ids), security_group_ids=list(vpc.security_group_ids)
    )


def acknowledge_local_storage(config: sagemaker.CfnEndpointConfig, instance_type: str) -> None:
    """No endpoint-config KMS key on NVMe instance types: acknowledged for HIPAA/NIST, with the reason."""
    acknowledge_shared(
        config,
        "SageMakerEndpointConfigurationKMSKeyConfigured",
        f"{instance_type} stores data on its NVMe instance store, which the hardware encrypts; SageMaker "
        "attaches no EBS volume there and refuses an endpoint-config KmsKeyId for such instance types.",
    )
