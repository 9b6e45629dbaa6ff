#!/usr/bin/env python3
"""A plain CDK app that hosts LLMs with the llm_hosting constructs directly: no catalog file.

- a shared endpoint on one ml.g5.12xlarge fleet with two inference components: a chat model that
  keeps a copy and scales on concurrency, with a LoRA adapter fine-tuned for customer support, and
  a summarizer that scales to zero when idle;
- a dedicated endpoint for a larger model, scaling its instances on GPU memory;
- an alarm on the chat component's latency, notifying an encrypted topic;
- a role for a Lambda function, allowed to invoke the chat component and the dedicated endpoint.

    cd examples && npx cdk synth --app "python app.py"      (with the repository's venv active)
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
    aws_cloudwatch_actions as actions,
    aws_iam as iam,
    aws_kms as kms,
    aws_sns as sns,
)
from constructs import Construct

from llm_hosting import (
    ComputeRequirements,
    EndpointDeployment,
    InferenceComponentEndpoint,
    ModelDefinition,
    ProductionVariant,
    ServingImage,
    SingleModelEndpoint,
)
from llm_hosting.compliance import acknowledge_shared

WEIGHTS = "s3://example-weights"


class LlmServingStack(cdk.Stack):
    """Two endpoints, their scaling, an alarm and a caller's role."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        key = kms.Key(self, "AlarmKey", enable_key_rotation=True, description="Encrypts the alarm topic")
        key.grant_encrypt_decrypt(iam.ServicePrincipal("cloudwatch.amazonaws.com"))
        self.topic = sns.Topic(self, "Alarms", master_key=key, enforce_ssl=True)
        lmi = ServingImage.lmi("0.32.0")

        shared = InferenceComponentEndpoint(
            self,
            "Shared",
            endpoint_name="shared-llms",
            variant=ProductionVariant(
                instance_type="ml.g5.12xlarge", initial_instance_count=1, routing="least-outstanding-requests"
            ),
            min_instance_count=1,
            max_instance_count=2,
            alarm_topic=self.topic,
        )
        self.chat = shared.add_component(
            "Chat",
            component_name="chat-8b",
            model=ModelDefinition(
                image=lmi,
                weights=f"{WEIGHTS}/llama-3-8b/",
                tensor_parallel_degree=1,
                serving_properties={
                    "option.rolling_batch": "vllm",
                    "option.max_rolling_batch_size": 32,
                    "option.enable_lora": "true",
                },
            ),
            compute=ComputeRequirements(memory_mb=32768, cpu_cores=4),
        )
        self.chat.auto_scale_copy_count(min_copies=1, max_copies=4).scale_on_concurrency(per_copy=8)
        self.support = self.chat.add_adapter(
            "Support", adapter_name="chat-8b-support", weights=f"{WEIGHTS}/adapters/llama-3-8b/support.tar.gz"
        )
        summarize = shared.add_component(
            "Summarize",
            component_name="summarize-8b",
            model=ModelDefinition(image=lmi, weights=f"{WEIGHTS}/summarizer-8b/", tensor_parallel_degree=1),
            compute=ComputeRequirements(memory_mb=32768, cpu_cores=4),
        )
        summarize.auto_scale_copy_count(min_copies=0, max_copies=2).scale_on_invocations(per_copy=5)

        self.dedicated = SingleModelEndpoint(
            self,
            "Dedicated",
            endpoint_name="dedicated-13b",
            model=ModelDefinition(image=lmi, weights=f"{WEIGHTS}/codellama-13b/", tensor_parallel_degree=4),
            variant=ProductionVariant(instance_type="ml.g5.12xlarge", initial_instance_count=1),
            deployment=EndpointDeployment(),
            alarm_topic=self.topic,
        )
        self.dedicated.auto_scale_instance_count(min_capacity=1, max_capacity=3).scale_on_gpu_memory(percent=80)

        self.latency_alarm = cloudwatch.Alarm(
            self,
            "ChatLatency",
            alarm_description="chat-8b: p90 model latency above 2 s for 3 minutes",
            metric=self.chat.metric_model_latency(),
            threshold=2_000_000,  # microseconds
            evaluation_periods=3,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.latency_alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.latency_alarm.add_ok_action(actions.SnsAction(self.topic))

        self.caller = iam.Role(
            self,
            "ChatFunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="A function that calls the chat component and the dedicated endpoint",
        )
        self.chat.grant_invoke(self.caller)
        self.dedicated.grant_invoke(self.caller)
        # CDK writes grants into the role's default (inline) policy; say why that is acceptable here.
        acknowledge_shared(
            self.caller,
            "IAMNoInlinePolicy",
            "The role's only inline policy is the invoke grant CDK's grant_invoke writes: two actions on two "
            "named resources, reviewed with this stack.",
        )


def build(app: cdk.App) -> LlmServingStack:
    return LlmServingStack(app, "llm-hosting-example")


if __name__ == "__main__":
    app = cdk.App()
    build(app)
    app.synth()
