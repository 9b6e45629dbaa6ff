"""Inference components in hand-written templates: each risk alone, without the rest of a synthesized stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.review.helpers import action_of, edited, review_pair, rules_of, run_cli, write_assembly

STACK = "llm-codegen"


def component(name: str, *, image: str = "djl-inference:0.32.0", copies: int = 1) -> dict[str, Any]:
    return {
        "Type": "AWS::SageMaker::InferenceComponent",
        "Properties": {
            "EndpointName": {"Fn::GetAtt": ["Codegen", "EndpointName"]},
            "InferenceComponentName": name,
            "VariantName": "AllTraffic",
            "Specification": {
                "Container": {"Image": image},
                "ComputeResourceRequirements": {
                    "MinMemoryRequiredInMb": 32768,
                    "NumberOfAcceleratorDevicesRequired": 2,
                },
            },
            "RuntimeConfig": {"CopyCount": copies},
        },
    }


def codegen_stack(**components: dict[str, Any]) -> dict[str, Any]:
    """An inference-component endpoint (config without ModelName) hosting `components` by logical ID."""
    return {
        "Resources": {
            "CodegenConfig": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {
                    "ExecutionRoleArn": "arn:aws:iam::111122223333:role/sagemaker",
                    "ProductionVariants": [
                        {"InitialInstanceCount": 1, "InstanceType": "ml.p4d.24xlarge", "VariantName": "AllTraffic"}
                    ],
                },
            },
            "Codegen": {
                "Type": "AWS::SageMaker::Endpoint",
                "Properties": {
                    "EndpointConfigName": {"Fn::GetAtt": ["CodegenConfig", "EndpointConfigName"]},
                    "EndpointName": "codegen",
                },
            },
            **components,
        }
    }


BASE = codegen_stack(Blockgen=component("codegen-blockgen"), Inline=component("codegen-inline"))


def test_a_removed_inference_component_is_flagged_because_its_model_stops_serving(tmp_path: Path) -> None:
    review = review_pair(tmp_path, {STACK: BASE}, {STACK: codegen_stack(Inline=component("codegen-inline"))})
    assert action_of(review, STACK, "Blockgen") == "removed"
    (finding,) = review.findings
    assert finding.id == f"inference-component-removed:{STACK}/Blockgen"
    assert "'codegen-blockgen' on endpoint 'codegen' is deleted" in finding.message
    assert "stops serving" in finding.message


def test_a_renamed_inference_component_is_replaced_and_flagged(tmp_path: Path) -> None:
    new = codegen_stack(Blockgen=component("codegen-blockgen-v2"), Inline=component("codegen-inline"))
    review = review_pair(tmp_path, {STACK: BASE}, {STACK: new})
    resource = review.change.stack(STACK).resource("Blockgen")
    assert resource is not None
    assert resource.action == "replaced"
    assert resource.reasons == ("its name InferenceComponentName changes",)
    (finding,) = review.findings
    assert finding.id == f"inference-component-replaced:{STACK}/Blockgen"
    assert "'codegen-blockgen' is deleted and 'codegen-blockgen-v2' created" in finding.message


def test_a_new_image_or_copy_count_updates_a_component_in_place_without_risk(tmp_path: Path) -> None:
    new = codegen_stack(
        Blockgen=component("codegen-blockgen", image="djl-inference:0.33.0", copies=2),
        Inline=component("codegen-inline"),
    )
    review = review_pair(tmp_path, {STACK: BASE}, {STACK: new})
    resource = review.change.stack(STACK).resource("Blockgen")
    assert resource is not None
    assert resource.action == "modified"
    assert [c.label for c in resource.changes] == ["RuntimeConfig.CopyCount", "Specification.Container.Image"]
    assert review.findings == ()


def test_a_component_removed_with_its_whole_endpoint_flags_both(tmp_path: Path) -> None:
    endpoint_only = edited(BASE)
    del endpoint_only["Resources"]["Codegen"]
    del endpoint_only["Resources"]["CodegenConfig"]
    del endpoint_only["Resources"]["Inline"]
    review = review_pair(tmp_path, {STACK: BASE}, {STACK: endpoint_only})
    assert rules_of(review) == ["endpoint-removed", "inference-component-removed"]


def test_acknowledging_one_component_leaves_the_other_flagged(tmp_path: Path) -> None:
    old = write_assembly(tmp_path / "old", {STACK: BASE})
    new = write_assembly(tmp_path / "new", {STACK: codegen_stack()})
    ack = f"inference-component-removed:{STACK}/Blockgen"
    assert run_cli(old, new, "--acknowledge", ack) == 2
    assert run_cli(old, new, "--acknowledge", ack, "--acknowledge", f"inference-component-removed:{STACK}/Inline") == 0


def scaled(name: str) -> dict[str, Any]:
    return {
        "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
        "Properties": {
            "ResourceId": f"inference-component/{name}",
            "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
            "ServiceNamespace": "sagemaker",
            "MinCapacity": 1,
            "MaxCapacity": 4,
        },
    }


SCALED = codegen_stack(
    Blockgen=component("codegen-blockgen"),
    Inline=component("codegen-inline"),
    BlockgenScaling=scaled("codegen-blockgen"),
)


def test_a_new_image_for_an_autoscaled_component_is_flagged_because_copies_may_reset(tmp_path: Path) -> None:
    new = edited(SCALED)
    new["Resources"]["Blockgen"] = component("codegen-blockgen", image="djl-inference:0.33.0")
    review = review_pair(tmp_path, {STACK: SCALED}, {STACK: new})
    (finding,) = review.findings
    assert finding.id == f"autoscaled-copies-may-reset:{STACK}/Blockgen"
    assert "'codegen-blockgen' is updated in place while Application Auto Scaling manages its copies" in finding.message
    assert "template's CopyCount (1)" in finding.message


def test_a_component_without_scaling_or_with_only_a_new_copy_count_is_not_flagged(tmp_path: Path) -> None:
    new = edited(SCALED)
    new["Resources"]["Inline"] = component("codegen-inline", image="djl-inference:0.33.0")  # not autoscaled
    new["Resources"]["Blockgen"] = component("codegen-blockgen", copies=2)  # the copy count is the change
    review = review_pair(tmp_path, {STACK: SCALED}, {STACK: new})
    assert review.findings == ()
