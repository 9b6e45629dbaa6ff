"""Values CloudFormation resolves while deploying are skipped; what is literal around them is still checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llm_hosting.preflight.values import REPRESENTATIVE_REGION, Env, known_text, render_text
from tests.preflight.stacks import components_stack, edited, line, problem_lines, single_model_stack


def props(resources: dict[str, Any], logical_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = resources[logical_id]["Properties"]
    return properties


def test_intrinsic_valued_properties_are_skipped_not_reported(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        variant = props(resources, "Config")["ProductionVariants"][0]
        variant["InstanceType"] = {"Ref": "InstanceType"}
        variant["InitialInstanceCount"] = {"Ref": "InstanceCount"}
        variant["ManagedInstanceScaling"] = {"Fn::If": ["Managed", {"Ref": "Scaling"}, {"Ref": "AWS::NoValue"}]}
        props(resources, "Endpoint")["EndpointName"] = {"Ref": "EndpointName"}
        component = props(resources, "Component")
        component["EndpointName"] = {"Ref": "EndpointName"}
        component["Specification"]["Container"]["Image"] = {"Fn::GetAtt": ["Repository", "RepositoryUri"]}
        component["Specification"]["Container"]["Environment"] = {"Fn::GetAtt": ["Settings", "Environment"]}
        component["Specification"]["ComputeResourceRequirements"]["MinMemoryRequiredInMb"] = {"Ref": "Memory"}
        component["RuntimeConfig"] = {"CopyCount": {"Ref": "Copies"}}
        component["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"] = {"Fn::Split": [",", {"Ref": "Alarms"}]}
        component["Tags"] = {"Fn::ImportValue": "shared-tags"}
        props(resources, "Target")["ResourceId"] = {"Fn::Join": ["/", ["inference-component", {"Ref": "Name"}]]}
        props(resources, "Policy")["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] = {"Ref": "Target"}

    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == []


def test_both_branches_of_a_condition_are_checked(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        variant = props(resources, "Config")["ProductionVariants"][0]
        variant["ModelDataDownloadTimeoutInSeconds"] = {"Fn::If": ["Fast", 30, 600]}

    assert problem_lines(tmp_path, {"M": edited(single_model_stack(), change)}) == [
        line(
            tmp_path,
            "M",
            "Config",
            "ProductionVariants[0].ModelDataDownloadTimeoutInSeconds",
            "30 is under the minimum of 60 "
            "(botocore sagemaker CreateEndpointConfig shape ProductionVariantModelDataDownloadTimeoutInSeconds)",
        )
    ]


def test_a_required_member_removed_by_no_value_is_missing(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        requirements = props(resources, "Component")["Specification"]["ComputeResourceRequirements"]
        requirements["MinMemoryRequiredInMb"] = {"Ref": "AWS::NoValue"}

    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == [
        line(
            tmp_path,
            "C",
            "Component",
            "Specification.ComputeResourceRequirements.MinMemoryRequiredInMb",
            "missing; the API requires it "
            "(botocore sagemaker CreateInferenceComponent shape InferenceComponentComputeResourceRequirements)",
        )
    ]


def test_the_literal_parts_of_a_joined_image_count_towards_its_length(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        image = {"Fn::Join": ["", [{"Ref": "Registry"}, "/djl-inference:" + "t" * 250]]}
        props(resources, "Component")["Specification"]["Container"]["Image"] = image

    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == [
        line(
            tmp_path,
            "C",
            "Component",
            "Specification.Container.Image",
            "at least 265 characters from its literal parts alone, over the maximum of 255 "
            "(botocore sagemaker CreateInferenceComponent shape ContainerImage)",
        )
    ]


def test_a_sub_with_pseudo_parameters_is_built_for_a_representative_region(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        url = {"Fn::Sub": "s3://artifacts-${AWS::AccountId}-${AWS::Region}/chat/model.tar"}
        props(resources, "Component")["Specification"]["Container"]["ArtifactUrl"] = url

    built = f"s3://artifacts-123456789012-{REPRESENTATIVE_REGION}/chat/model.tar"
    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == [
        line(
            tmp_path,
            "C",
            "Component",
            "Specification.Container.ArtifactUrl",
            f"'{built}' (as built for {REPRESENTATIVE_REGION}) is not a .tar.gz archive; the API takes a single "
            "gzip-compressed tar (botocore sagemaker InferenceComponentContainerSpecification.ArtifactUrl documentation)",
        )
    ]


def test_the_representative_region_is_the_longest_known_one() -> None:
    # Length checks err on the long side: no region the project knows builds a longer string.
    from llm_hosting.facts import REGISTRY_ACCOUNTS

    assert all(len(region) <= len(REPRESENTATIVE_REGION) for region in REGISTRY_ACCOUNTS)


def test_a_suffix_after_a_deploy_time_value_is_still_checked(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        url = {"Fn::Sub": "s3://${Artifacts}/chat/model.zip"}
        props(resources, "Component")["Specification"]["Container"]["ArtifactUrl"] = url

    assert problem_lines(tmp_path, {"C": edited(components_stack(), change)}) == [
        line(
            tmp_path,
            "C",
            "Component",
            "Specification.Container.ArtifactUrl",
            "a URL ending in '/chat/model.zip' is not a .tar.gz archive; the API takes a single gzip-compressed tar "
            "(botocore sagemaker InferenceComponentContainerSpecification.ArtifactUrl documentation)",
        )
    ]


def test_a_region_mapping_is_checked_for_every_region_it_lists(tmp_path: Path) -> None:
    template = components_stack()
    template["Mappings"] = {
        "Registries": {
            "us-east-1": {"Host": "763104351884.dkr.ecr.us-east-1.amazonaws.com"},
            "xx-long-1": {"Host": "registry." + "r" * 250},
        }
    }
    image = {"Fn::Join": ["", [{"Fn::FindInMap": ["Registries", {"Ref": "AWS::Region"}, "Host"]}, "/djl:0.32.0"]]}
    template["Resources"]["Component"]["Properties"]["Specification"]["Container"]["Image"] = image
    assert problem_lines(tmp_path, {"C": template}) == [
        line(
            tmp_path,
            "C",
            "Component",
            "Specification.Container.Image",
            f"'registry.{'r' * 50}…' (as built for xx-long-1) is 270 characters, over the maximum of 255 "
            "(botocore sagemaker CreateInferenceComponent shape ContainerImage)",
        )
    ]


def test_the_stack_name_pseudo_parameter_is_the_stacks_real_name(tmp_path: Path) -> None:
    stack = "s" * 60

    def change(resources: dict[str, Any]) -> None:
        props(resources, "Endpoint")["EndpointName"] = {"Fn::Sub": "${AWS::StackName}-flan"}
        props(resources, "Target")["ResourceId"] = {"Fn::Sub": "endpoint/${AWS::StackName}-flan/variant/AllTraffic"}

    assert problem_lines(tmp_path, {stack: edited(single_model_stack(), change)}) == [
        line(
            tmp_path,
            stack,
            "Endpoint",
            "EndpointName",
            f"'{'s' * 59}…' is 65 characters, over the maximum of 63 (botocore sagemaker CreateEndpoint shape EndpointName)",
        )
    ]


def test_numbers_written_as_strings_are_numbers(tmp_path: Path) -> None:
    def change(resources: dict[str, Any]) -> None:
        variant = props(resources, "Config")["ProductionVariants"][0]
        variant["ModelDataDownloadTimeoutInSeconds"] = "600"
        variant["InitialInstanceCount"] = "2"

    assert problem_lines(tmp_path, {"M": edited(single_model_stack(), change)}) == []


def test_find_in_map_select_and_split_resolve_to_literals() -> None:
    env = Env("S", {"Images": {"us-east-1": {"Tags": "a,b,c"}}})
    value = {"Fn::Select": [1, {"Fn::Split": [",", {"Fn::FindInMap": ["Images", "us-east-1", "Tags"]}]}]}
    assert known_text(value, env) == "b"


def test_a_region_free_value_is_built_once() -> None:
    texts = render_text({"Fn::Join": ["-", ["llm", {"Ref": "AWS::AccountId"}]]}, Env("S"))
    assert [(text.known, text.region) for text in texts] == [("llm-123456789012", None)]
