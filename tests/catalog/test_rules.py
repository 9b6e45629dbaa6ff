"""Cross-field rules: each mistake gives one line naming the file, the field and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm_hosting.catalog import rules
from llm_hosting.catalog.schema import SingleModelEndpointSpec
from tests.catalog.helpers import base, errors, load, single_error


def test_the_base_catalog_is_valid(tmp_path: Path) -> None:
    assert errors(tmp_path, base()) == []


def test_min_greater_than_initial_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["instance_count"] = {"initial": 1, "min": 2, "max": 4}
    assert single_error(tmp_path, data) == (
        f"{tmp_path / 'catalog.yaml'}: endpoints[0].instance_count.min: min (2) is greater than initial (1); "
        "lower min or raise initial (line 8)"
    )


def test_initial_greater_than_max_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["instance_count"] = {"initial": 5, "min": 2, "max": 4}
    assert "endpoints[0].instance_count.max: max (4) is less than initial (5) instances; raise max" in single_error(
        tmp_path, data
    )


def test_tensor_parallel_degree_larger_than_gpu_count_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"]["tensor_parallel_degree"] = 8
    data["endpoints"][0]["model"]["code"] = None
    line = single_error(tmp_path, data)
    assert line.startswith(f"{tmp_path / 'catalog.yaml'}: endpoints[0].model.tensor_parallel_degree: ")
    assert "8 needs 8 GPUs but ml.g5.12xlarge has 4" in line


@pytest.mark.parametrize("volume", [{"size_gb": 100}, {"kms": True}, {"kms": False}])
def test_volume_settings_are_refused_on_nvme_instance_types(tmp_path: Path, volume: dict[str, object]) -> None:
    data = base()
    data["endpoints"][0]["volume"] = volume
    line = single_error(tmp_path, data)
    assert "endpoints[0].volume: ml.g5.12xlarge has local NVMe storage" in line
    assert "remove `volume`" in line


@pytest.mark.parametrize(
    ("field", "value", "fix"),
    [
        ("download_timeout_s", 30, "use 60 or more"),
        ("health_check_timeout_s", 3601, "use 3600 or less"),
    ],
)
def test_startup_timeouts_outside_60_to_3600_are_rejected(tmp_path: Path, field: str, value: int, fix: str) -> None:
    data = base()
    data["endpoints"][0]["startup"][field] = value
    assert f"endpoints[0].startup.{field}: {value} is too" in (line := single_error(tmp_path, data))
    assert fix in line


def test_a_name_longer_than_63_characters_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["name"] = "a" * 64
    line = single_error(tmp_path, data)
    assert "endpoints[0].name: " in line and "is 64 characters long; SageMaker names allow at most 63" in line


@pytest.mark.parametrize("name", ["-flan", "flan-", "flan_t5", "flan.t5", "flän"])
def test_a_name_outside_the_sagemaker_pattern_is_rejected(tmp_path: Path, name: str) -> None:
    data = base()
    data["endpoints"][0]["name"] = name
    assert "is not a valid SageMaker name; use letters, digits and hyphens" in single_error(tmp_path, data)


def test_burstable_instances_cannot_autoscale(tmp_path: Path) -> None:
    data = base()
    data["instance_types"] = {
        "ml.t2.medium": {"gpus": 0, "gpu_memory_mib": 0, "vcpus": 2, "memory_mib": 4096, "nvme": False}
    }
    endpoint = data["endpoints"][0]
    endpoint["instance_type"] = "ml.t2.medium"
    endpoint["model"] = {"engine": "custom", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/echo:1"}
    line = single_error(tmp_path, data)
    assert (
        "endpoints[0].instance_type: ml.t2.medium is a burstable (ml.t*) type, which SageMaker cannot autoscale" in line
    )


def test_duplicate_endpoint_names_are_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"].append(data["endpoints"][0])
    line = single_error(tmp_path, data)
    assert "endpoints[1].name: 'flan' is already the name of endpoints[0]; endpoint names must be unique" in line


def test_an_unknown_instance_type_names_the_known_ones(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["instance_type"] = "ml.g9.huge"
    line = single_error(tmp_path, data)
    assert "endpoints[0].instance_type: 'ml.g9.huge' is not a known instance type; use one of" in line
    assert "ml.g5.12xlarge" in line and "or describe it under instance_types" in line


def test_an_instance_type_can_be_described_in_the_catalog(tmp_path: Path) -> None:
    data = base()
    data["instance_types"] = {
        "ml.g9.huge": {"gpus": 4, "gpu_memory_mib": 4 * 49152, "vcpus": 48, "memory_mib": 196608, "nvme": True}
    }
    data["endpoints"][0]["instance_type"] = "ml.g9.huge"
    catalog = load(tmp_path, data)
    assert catalog.instance_types["ml.g9.huge"].gpus == 4
    assert catalog.endpoints[0].instance is catalog.instance_types["ml.g9.huge"]


def test_a_partial_description_of_an_unknown_type_asks_for_the_rest(tmp_path: Path) -> None:
    data = base()
    data["instance_types"] = {"ml.g9.huge": {"gpus": 4}}
    line = single_error(tmp_path, data)
    assert "instance_types.ml.g9.huge: ml.g9.huge is not a known type, so describe it fully; add gpu_memory_mib" in line


def test_a_catalog_can_correct_an_unconfirmed_fact(tmp_path: Path) -> None:
    data = base()
    data["instance_types"] = {"ml.g6e.12xlarge": {"memory_mib": 400000}}
    fact = load(tmp_path, data).instance_types["ml.g6e.12xlarge"]
    assert (fact.memory_mib, fact.gpus, fact.confirmed) == (400000, 4, True)


def test_scaling_without_room_between_min_and_max_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["instance_count"] = {"initial": 2, "min": 2, "max": 2}
    line = single_error(tmp_path, data)
    assert "endpoints[0].instance_count.max: scaling needs room to move but min and max are both 2" in line


def test_scaling_must_name_a_target(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["scaling"] = {"scale_in_cooldown_s": 300}
    assert "endpoints[0].scaling: names no target; add invocations_per_instance" in single_error(tmp_path, data)


def test_single_model_endpoints_cannot_scale_to_zero(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["instance_count"] = {"initial": 1, "min": 0, "max": 2}
    data["endpoints"][0]["deployment"] = {"strategy": "all-at-once"}
    line = single_error(tmp_path, data)
    assert "endpoints[0].instance_count.min: only endpoints with inference components can scale to zero" in line


def test_a_canary_larger_than_half_the_fleet_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["instance_count"] = {"initial": 1, "min": 1, "max": 2}
    data["endpoints"][0]["deployment"] = {"strategy": "canary"}
    line = single_error(tmp_path, data)
    assert "endpoints[0].deployment.canary_instances: a canary of 1 instance(s) is more than half" in line
    assert "or use strategy: all-at-once" in line


def test_a_rolling_batch_larger_than_half_the_fleet_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["deployment"] = {"strategy": "rolling", "rolling_batch_instances": 2}
    assert "deployment.rolling_batch_instances: a rolling batch of 2 instance(s)" in single_error(tmp_path, data)


def test_an_unknown_engine_version_lists_the_known_ones(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"]["version"] = "0.99.0"
    line = single_error(tmp_path, data)
    assert "endpoints[0].model.version: fastertransformer has no image version '0.99.0'; use one of 0.24.0" in line


def test_an_image_not_published_in_the_catalog_region_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["environment"] = {"region": "us-gov-west-1"}
    line = single_error(tmp_path, data)
    assert "endpoints[0].model.version: fastertransformer 0.21.0 is not published in us-gov-west-1" in line


def test_a_region_with_no_images_is_rejected(tmp_path: Path) -> None:
    line = single_error(tmp_path, base(), region="xx-nowhere-1")
    assert "environment.region: no SageMaker serving images are published in 'xx-nowhere-1'" in line


def test_the_default_version_is_the_newest_known(tmp_path: Path) -> None:
    from llm_hosting.facts import find_image

    assert find_image("fastertransformer").version == "0.24.0"
    assert find_image("triton").version == "26.05"


def test_a_missing_code_directory_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"]["code"] = "model_artifacts/nope"
    line = single_error(tmp_path, data)
    assert "endpoints[0].model.code: 'model_artifacts/nope' is not a directory" in line
    assert "paths are relative to the catalog file" in line


def test_a_missing_code_directory_is_the_one_problem_of_what_its_serving_properties_would_select(
    tmp_path: Path,
) -> None:
    # Only the code's serving.properties (engine=Python) makes FasterTransformer 0.24.0 load llama.
    data = base()
    model = data["endpoints"][0]["model"]
    model.update(version="0.24.0", code="model_artifacts/nope", architecture="llama")
    line = single_error(tmp_path, data)
    assert "endpoints[0].model.code: 'model_artifacts/nope' is not a directory" in line


def test_serving_properties_that_disagree_with_the_catalog_are_rejected(tmp_path: Path) -> None:
    code = tmp_path / "pinned"
    code.mkdir()
    (code / "serving.properties").write_text("engine=FasterTransformer\noption.s3url=s3://example-weights/flan/\n")
    data = base()
    data["endpoints"][0]["model"]["code"] = str(code)
    data["endpoints"][0]["model"]["weights"] = "s3://other-bucket/flan/"
    line = single_error(tmp_path, data)
    assert "endpoints[0].model: serving.properties in " in line
    assert "sets option.s3url=s3://example-weights/flan/ but the catalog gives s3://other-bucket/flan/" in line


def test_one_code_directory_serves_catalog_entries_at_different_tensor_parallel_degrees(tmp_path: Path) -> None:
    xxl = base()["endpoints"][0]
    large = {**xxl, "name": "flan-t5-large", "instance_type": "ml.g5.2xlarge"}
    large["model"] = {**xxl["model"], "weights": "s3://example-weights/flan-t5-large/", "tensor_parallel_degree": 1}
    large["instance_count"] = {"initial": 2, "min": 2, "max": 4}
    data = {**base(), "endpoints": [xxl, large]}
    loaded = load(tmp_path, data)
    assert [e.spec_as(SingleModelEndpointSpec).model.tensor_parallel_degree for e in loaded.endpoints] == [4, 1]


def test_custom_engines_need_an_image_and_others_refuse_one(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"] = {"engine": "custom", "code": data["endpoints"][0]["model"]["code"]}
    assert "endpoints[0].model.image: engine: custom needs the container image URI" in single_error(tmp_path, data)
    data = base()
    data["endpoints"][0]["model"]["image"] = "example.com/mine:1"
    assert "endpoints[0].model.image: only engine: custom takes an image" in single_error(tmp_path, data)


def test_network_isolation_with_s3_weights_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["network_isolation"] = True
    assert "endpoints[0].network_isolation: the container downloads its weights" in single_error(tmp_path, data)


def test_environment_over_the_model_limit_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"]["environment"] = {f"VAR_{i}": "x" for i in range(101)}
    assert "endpoints[0].model.environment: has 101 entries; SageMaker allows 100 here" in single_error(tmp_path, data)


def test_too_many_tags_counting_the_catalog_wide_ones_are_rejected(tmp_path: Path) -> None:
    data = base()
    data["tags"] = {f"t{i}": "x" for i in range(30)}
    data["endpoints"][0]["tags"] = {f"e{i}": "x" for i in range(21)}
    assert "endpoints[0].tags: with the catalog's tags this makes 51 tags" in single_error(tmp_path, data)


def test_endpoint_types_without_rules_are_refused_not_checked_by_another_types_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "ENDPOINT_RULES", {})
    line = single_error(tmp_path, base())
    assert "endpoints[0].type: 'single-model' endpoints are not supported yet" in line


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["instance_count"] = {"initial": 1, "min": 2, "max": 4}
    data["endpoints"][0]["model"]["tensor_parallel_degree"] = 8
    data["endpoints"][0]["model"]["code"] = None
    assert len(errors(tmp_path, data)) == 2


def test_counts_default_from_each_other() -> None:
    from llm_hosting.catalog.resolve import Counts, copy_counts, instance_counts
    from llm_hosting.catalog.schema import CopyCount, InstanceCount

    assert instance_counts(InstanceCount()) == Counts(1, 1, 1)
    assert instance_counts(InstanceCount(min=2)) == Counts(2, 2, 2)
    assert instance_counts(InstanceCount(initial=1, max=3)) == Counts(1, 1, 3)
    assert copy_counts(CopyCount(min=0, max=2)) == Counts(1, 0, 2)


def test_what_the_rules_cannot_check_is_listed_not_refused(tmp_path: Path) -> None:
    data = base()
    model = data["endpoints"][0]["model"]
    model["code"] = None
    model["unchecked_properties"] = {"option.my_handler_setting": 3}
    loaded = load(tmp_path, data)
    assert [n.split(": ", 1)[1] for n in loaded.notices] == [
        "endpoints[0].model.unchecked_properties.option.my_handler_setting: not checked: "
        "option.my_handler_setting is passed on to DJL Serving as given (line 20)",
        "endpoints[0].model.architecture: not checked: whether fastertransformer 0.21.0 loads the model; give the "
        "model_type from its config.json as architecture (line 13)",
    ]


def test_an_image_newer_than_the_engine_facts_is_listed_as_not_checked(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"] = {"engine": "lmi", "weights": "s3://example-weights/m/", "architecture": "llama"}
    (notice,) = load(tmp_path, data).notices
    assert "endpoints[0].model.version: not checked: lmi 0.38.0 is newer than the djl-serving sources" in notice


def test_validate_prints_what_it_did_not_check_and_still_succeeds(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.catalog.helpers import write

    data = base()
    data["endpoints"][0]["model"]["unchecked_properties"] = {"option.my_handler_setting": 3}
    path = write(tmp_path, data)
    result = subprocess.run(
        [sys.executable, "-m", "llm_hosting", "validate", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "unchecked_properties.option.my_handler_setting: not checked:" in result.stderr
    assert ": valid: project" in result.stdout
