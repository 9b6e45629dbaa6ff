"""The least an app can do to make a given number of resources: inference-component scaling triples.

Context `resources` is how many resources to make besides the stacks' `AWS::CDK::Metadata` and
`stacks` how many stacks to spread them over (both read from the app's assembly, so the two have
the same number of resources, metadata included, in the same number of stacks). Each triple is a
`CfnInferenceComponent`, its `CfnScalableTarget` (the component's name in its resource id, and a
`DependsOn` on it) and a target-tracking `CfnScalingPolicy` on that target (a `Ref`); when `resources`
is not a multiple of 3, one or two more lone components make up the count. Nothing else: no
assets, no roles, no alarms, no construct scopes, no aspects, literal property values.

    cdk synth --app "python l1_minimal.py" -c resources=7076 -c stacks=19
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling, aws_sagemaker as sagemaker

IC = sagemaker.CfnInferenceComponent
Policy = appscaling.CfnScalingPolicy


def _component(stack: cdk.Stack, index: int) -> IC:
    name = f"model-{index:04d}"
    return IC(
        stack,
        f"Component{index}",
        endpoint_name="shared",
        variant_name="AllTraffic",
        inference_component_name=name,
        runtime_config={"copyCount": 0},
        specification={
            "modelName": name,
            "computeResourceRequirements": {
                "numberOfAcceleratorDevicesRequired": 1,
                "minMemoryRequiredInMb": 4096,
                "numberOfCpuCoresRequired": 1,
            },
        },
    )


def _triple(stack: cdk.Stack, index: int) -> None:
    component = _component(stack, index)
    target = appscaling.CfnScalableTarget(
        stack,
        f"Target{index}",
        service_namespace="sagemaker",
        scalable_dimension="sagemaker:inference-component:DesiredCopyCount",
        resource_id=f"inference-component/model-{index:04d}",
        min_capacity=0,
        max_capacity=2,
    )
    target.add_resource_dependency(component)
    Policy(
        stack,
        f"Policy{index}",
        policy_name=f"model-{index:04d}-invocations-per-copy",
        policy_type="TargetTrackingScaling",
        scaling_target_id=target.ref,
        target_tracking_scaling_policy_configuration={
            "targetValue": 5,
            "predefinedMetricSpecification": {"predefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"},
        },
    )


def build(app: cdk.App, resources: int, stacks: int) -> list[cdk.Stack]:
    """`resources` resources (triples, then 0-2 lone components) spread evenly over `stacks` stacks."""
    if resources < 0 or stacks < 1:
        raise ValueError(f"resources must be 0 or more and stacks 1 or more (got {resources} and {stacks})")
    triples, lone = divmod(resources, 3)
    made = [cdk.Stack(app, f"minimal-{number + 1}") for number in range(stacks)]
    for index in range(triples):
        _triple(made[index % stacks], index)
    for index in range(triples, triples + lone):
        _component(made[index % stacks], index)
    return made


def main() -> None:
    app = cdk.App()
    build(app, int(app.node.get_context("resources")), int(app.node.get_context("stacks")))
    app.synth()


if __name__ == "__main__":
    main()
