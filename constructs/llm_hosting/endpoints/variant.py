"""`ProductionVariant`: the fleet behind an endpoint (instance type and count, routing, timeouts, storage),
and the settings every endpoint type writes the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_ec2 as ec2, aws_kms as kms, aws_sagemaker as sagemaker

from llm_hosting.compliance import acknowledge_shared
from llm_hosting.endpoints.settings import VARIANT_NAME, Routing, StartupTimeouts
from llm_hosting.facts.instances import INSTANCE_TYPES, InstanceType

ROUTING = {"least-outstanding-requests": "LEAST_OUTSTANDING_REQUESTS", "random": "RANDOM"}
MAX_INSTANCE_POOLS = 5
"""InstancePools: 1-5 (botocore's sagemaker ProductionVariant)."""


@dataclass(frozen=True, kw_only=True)
class ProductionVariant:
    """The instances behind an endpoint, in SageMaker's terms (one production variant)."""

    instance_type: str
    """For example `ml.g5.12xlarge`."""
    initial_instance_count: int = 1
    variant_name: str = VARIANT_NAME
    routing: Routing | None = None
    """How requests are spread over instances (and copies). Default: SageMaker's (random); inference-
    component endpoints default to least outstanding requests."""
    startup: StartupTimeouts | None = None
    """Download and health-check timeouts of new containers. Default: SageMaker's."""
    volume_size_gb: int | None = None
    """An EBS volume (1-512 GB); not on instance types with local NVMe storage. Default: none."""
    volume_key: kms.IKey | None = None
    """Encrypts the EBS volume (the endpoint config's KmsKeyId); not on NVMe instance types. Default: none."""
    inference_ami_version: str | None = None
    """The instances' AMI, e.g. `al2-ami-sagemaker-inference-gpu-3-1`. Default: SageMaker's."""
    instance: InstanceType | None = None
    """What the library needs to know of `instance_type` (GPUs, memory, vCPUs, NVMe). Default: the
    library's facts for it; give it for a type the library does not know."""
    instance_pools: Sequence[str] = ()
    """Fallback instance types after `instance_type`, in priority order (InstancePools; 2-5 types in
    all): SageMaker provisions `instance_type` first, and the next pool's type when capacity is short,
    at creation and at scale-out; it releases the fallbacks first. Default: `instance_type` only."""
    provision_timeout_s: int | None = None
    """How long SageMaker tries for capacity (across the pools) before it gives up (300-3600 s).
    Default: SageMaker's."""
    capacity_reservation_arn: str | None = None
    """Launch instances only into this ML capacity reservation (a training plan for endpoints;
    CapacityReservationPreference capacity-reservations-only). Default: on-demand capacity."""

    @property
    def facts(self) -> InstanceType | None:
        return self.instance or INSTANCE_TYPES.get(self.instance_type)

    @property
    def gpus(self) -> int | None:
        facts = self.facts
        return facts.gpus if facts is not None else None

    @property
    def pool_types(self) -> tuple[str, ...]:
        """Every type the variant may run on, in priority order."""
        return (self.instance_type, *self.instance_pools)

    @property
    def pool_facts(self) -> tuple[tuple[str, InstanceType | None], ...]:
        """Every type the variant may run on, in priority order, with what the library knows of it."""
        return ((self.instance_type, self.facts), *((name, INSTANCE_TYPES.get(name)) for name in self.instance_pools))

    def problems(self) -> list[str]:
        problems: list[str] = []
        if len(self.pool_types) > MAX_INSTANCE_POOLS or len(set(self.pool_types)) < len(self.pool_types):
            problems.append(
                f"instance_pools: {', '.join(self.pool_types)} must be at most {MAX_INSTANCE_POOLS} different types "
                "in all, instance_type included"
            )
        storage = {facts.nvme for _, facts in self.pool_facts if facts is not None}
        if len(storage) > 1:
            problems.append(
                f"instance_pools: {', '.join(self.pool_types)} mix local NVMe and EBS storage, but the variant's "
                "volume settings apply to every pool; choose types alike"
            )
        if self.provision_timeout_s is not None and not 300 <= self.provision_timeout_s <= 3600:
            problems.append(f"provision_timeout_s is {self.provision_timeout_s}; SageMaker takes 300-3600")
        if self.initial_instance_count < 1:
            problems.append(
                f"initial_instance_count is {self.initial_instance_count}; an endpoint starts with at least 1 instance"
            )
        facts = self.facts
        if facts is not None and facts.nvme and (self.volume_size_gb is not None or self.volume_key is not None):
            problems.append(
                f"{facts.name} has local NVMe storage: SageMaker attaches no EBS volume and refuses a volume size "
                "or an endpoint-config KMS key there; remove volume_size_gb and volume_key"
            )
        return problems

    def property(
        self,
        *,
        model_name: str | None = None,
        initial_variant_weight: float | None = None,
        managed_instance_scaling: sagemaker.CfnEndpointConfig.ManagedInstanceScalingProperty | None = None,
        with_startup: bool = True,
    ) -> sagemaker.CfnEndpointConfig.ProductionVariantProperty:
        """The endpoint config's ProductionVariant, with what only some endpoint types set
        (`with_startup=False`: the timeouts belong to the components, not the variant)."""
        options: dict[str, Any] = {}
        startup = self.startup if with_startup else None
        if startup is not None and startup.download_timeout_s is not None:
            options["model_data_download_timeout_in_seconds"] = startup.download_timeout_s
        if startup is not None and startup.health_check_timeout_s is not None:
            options["container_startup_health_check_timeout_in_seconds"] = startup.health_check_timeout_s
        if self.volume_size_gb is not None:
            options["volume_size_in_gb"] = self.volume_size_gb
        if self.routing is not None:
            options["routing_config"] = sagemaker.CfnEndpointConfig.RoutingConfigProperty(
                routing_strategy=ROUTING[self.routing]
            )
        if self.inference_ami_version is not None:
            options["inference_ami_version"] = self.inference_ami_version
        if self.instance_pools:
            options["instance_pools"] = [
                sagemaker.CfnEndpointConfig.InstancePoolProperty(instance_type=name, priority=priority)
                for priority, name in enumerate(self.pool_types, start=1)
            ]
        if self.provision_timeout_s is not None:
            options["variant_instance_provision_timeout_in_seconds"] = self.provision_timeout_s
        if self.capacity_reservation_arn is not None:
            options["capacity_reservation_config"] = sagemaker.CfnEndpointConfig.CapacityReservationConfigProperty(
                capacity_reservation_preference="capacity-reservations-only",
                ml_reservation_arn=self.capacity_reservation_arn,
            )
        return sagemaker.CfnEndpointConfig.ProductionVariantProperty(
            variant_name=self.variant_name,
            model_name=model_name,
            # With pools the types are the pools' (the API takes one or the other).
            instance_type=None if self.instance_pools else self.instance_type,
            initial_instance_count=self.initial_instance_count,
            initial_variant_weight=initial_variant_weight,
            managed_instance_scaling=managed_instance_scaling,
            **options,
        )

    def endpoint_config_key(self, config: sagemaker.CfnEndpointConfig) -> None:
        """Set the config's KmsKeyId to the volume key; with none on an NVMe type, say why to the checks."""
        if self.volume_key is not None:
            config.kms_key_id = self.volume_key.key_arn
            return
        facts = self.facts
        if facts is not None and facts.nvme:
            acknowledge_shared(
                config,
                "SageMakerEndpointConfigurationKMSKeyConfigured",
                f"{self.instance_type} stores data on its NVMe instance store, which the hardware encrypts; "
                "SageMaker attaches no EBS volume there and refuses an endpoint-config KmsKeyId for such "
                "instance types.",
            )


def subnet_ids(subnets: Sequence[ec2.ISubnet]) -> list[str]:
    return [subnet.subnet_id for subnet in subnets]


def security_group_ids(groups: Sequence[ec2.ISecurityGroup]) -> list[str]:
    return [group.security_group_id for group in groups]


def vpc_problems(subnets: Sequence[ec2.ISubnet], groups: Sequence[ec2.ISecurityGroup]) -> list[str]:
    """SageMaker takes 1-16 subnets and 1-5 security groups, both or neither."""
    if not subnets and not groups:
        return []
    problems = []
    if not 1 <= len(subnets) <= 16:
        problems.append(f"vpc_subnets has {len(subnets)} subnets; SageMaker takes 1-16")
    if not 1 <= len(groups) <= 5:
        problems.append(f"security_groups has {len(groups)} groups; SageMaker takes 1-5")
    return problems


def model_vpc_config(
    subnets: Sequence[ec2.ISubnet], groups: Sequence[ec2.ISecurityGroup]
) -> sagemaker.CfnModel.VpcConfigProperty | None:
    if not subnets:
        return None
    return sagemaker.CfnModel.VpcConfigProperty(
        subnets=subnet_ids(subnets), security_group_ids=security_group_ids(groups)
    )


def endpoint_config_vpc_config(
    subnets: Sequence[ec2.ISubnet], groups: Sequence[ec2.ISecurityGroup]
) -> sagemaker.CfnEndpointConfig.VpcConfigProperty | None:
    """Inference-component endpoints carry the VPC on the endpoint config (there is no model)."""
    if not subnets:
        return None
    return sagemaker.CfnEndpointConfig.VpcConfigProperty(
        subnets=subnet_ids(subnets), security_group_ids=security_group_ids(groups)
    )
