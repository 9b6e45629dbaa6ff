"""`ModelEndpoint`: one SageMaker model behind one endpoint, with safe updates and instance scaling.

The part single-model and multi-model endpoints share: the model, the endpoint config, the
endpoint, rollback alarms and `auto_scale_instance_count`. Model and endpoint-config names are left
to CloudFormation, because both are replaced on every change; the endpoint name is explicit
because clients address it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import aws_ec2 as ec2, aws_iam as iam, aws_sagemaker as sagemaker, aws_sns as sns
from constructs import Construct

from llm_hosting.endpoints.base import Endpoint
from llm_hosting.endpoints.deployment import RollbackAlarms, endpoint_deployment_config
from llm_hosting.endpoints.images import ImageReference
from llm_hosting.endpoints.scaling import InstanceCountScaling
from llm_hosting.endpoints.settings import EndpointDeployment
from llm_hosting.endpoints.validation import check
from llm_hosting.endpoints.variant import ProductionVariant, model_vpc_config
from llm_hosting.monitoring.dashboards import Graph, variant_graphs


class ModelEndpoint(Endpoint):
    """One model on one endpoint; see `SingleModelEndpoint` and `MultiModelEndpoint`."""

    serves_many_models = False
    """A multi-model endpoint's metrics are per variant only (no per-model concurrency)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        endpoint_name: str,
        variant: ProductionVariant,
        image: ImageReference,
        mode: str,
        model_data_url: str | None,
        environment: Mapping[str, str] | None,
        multi_model_cache: bool | None,
        role: iam.IRole | None,
        vpc_subnets: Sequence[ec2.ISubnet],
        security_groups: Sequence[ec2.ISecurityGroup],
        network_isolation: bool,
        deployment: EndpointDeployment | None,
        alarm_topic: sns.ITopic | None,
    ) -> None:
        """Check the props first (`endpoint_problems`), then bind the image and model data."""
        super().__init__(
            scope,
            construct_id,
            endpoint_name=endpoint_name,
            variant=variant,
            role=role,
            alarm_topic=alarm_topic,
            log_group_names=[f"/aws/sagemaker/Endpoints/{endpoint_name}"],
            role_description=f"SageMaker execution role of endpoint {endpoint_name}",
        )
        self.image = image
        self.allow_image(image)
        self.model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=self.role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=image.uri,
                mode=mode,
                model_data_url=model_data_url,
                multi_model_config=(
                    sagemaker.CfnModel.MultiModelConfigProperty(
                        model_cache_setting="Enabled" if multi_model_cache else "Disabled"
                    )
                    if multi_model_cache is not None
                    else None
                ),
                environment=dict(environment) if environment else None,
            ),
            enable_network_isolation=network_isolation or None,
            vpc_config=model_vpc_config(vpc_subnets, security_groups),
        )
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            production_variants=[variant.property(model_name=self.model.attr_model_name, initial_variant_weight=1.0)],
        )
        variant.endpoint_config_key(self.endpoint_config)

        self.deployment = deployment
        self.rollback_alarms: RollbackAlarms | None = None
        if deployment is not None:
            self.rollback_alarms = RollbackAlarms(
                self,
                "Rollback",
                metrics=self.metrics,
                thresholds=deployment.rollback,
                subject=f"Endpoint {endpoint_name}",
                notify=self.alarm_actions,
            )
        self.resource = self._create_endpoint(
            self.endpoint_config, deployment_config=self._deployment_config(variant.initial_instance_count)
        )
        self.scaling: InstanceCountScaling | None = None

    def _deployment_config(self, min_instances: int) -> sagemaker.CfnEndpoint.DeploymentConfigProperty | None:
        """Canary by default when the variant always keeps 2+ instances (a canary is at most half)."""
        if self.deployment is None or self.rollback_alarms is None:
            return None
        return endpoint_deployment_config(
            self.deployment,
            strategy=self.deployment.strategy_for(min_instances),
            alarm_names=self.rollback_alarms.alarm_names,
        )

    def dashboard_graphs(self) -> list[Graph]:
        """Traffic, latency, GPUs (against a GPU-memory scaling target) and instances serving; for a
        multi-model endpoint also loaded models, cache hits, load times and the warm-up results."""
        return variant_graphs(
            self.metrics,
            gpus=self.variant.gpus or 0,
            gpu_memory_target=self.scaling.gpu_memory_target if self.scaling is not None else None,
            models=self.serves_many_models,
        )

    def auto_scale_instance_count(self, *, min_capacity: int, max_capacity: int) -> InstanceCountScaling:
        """Scale the variant's instance count between `min_capacity` and `max_capacity`; add the metrics
        to track with `scale_on_invocations`, `scale_on_concurrency` or `scale_on_gpu_memory`.

        Updates then keep the instance count autoscaling chose (RetainAllVariantProperties), and the
        default deployment strategy is sized by `min_capacity`, the instances the variant always keeps.
        """
        problems = []
        if self.scaling is not None:
            problems.append("auto_scale_instance_count was already called; call it once and add scale_on_* to it")
        facts = self.variant.facts
        if facts is not None and facts.is_burstable:
            problems.append(
                f"{facts.name} is a burstable (ml.t*) type, which SageMaker cannot autoscale; choose another type"
            )
        if self.deployment is not None:
            problems += [message for _, message in self.deployment.problems(min_capacity)]
        check(self, problems)
        self.scaling = InstanceCountScaling(
            self,
            "Scaling",
            metrics=self.metrics,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            gpus=self.variant.gpus,
            multi_model=self.serves_many_models,
        )
        # The target names the endpoint by string, so CloudFormation needs the order spelled out.
        self.scaling.target.add_resource_dependency(self.resource)
        self.resource.retain_all_variant_properties = True
        self.resource.deployment_config = self._deployment_config(min_capacity)
        return self.scaling
