"""Rules of inference-component endpoints: placement, copies, scaling to zero, rolling batches."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.helpers import errors, load, single_error

COMPONENT: dict[str, Any] = {
    "name": "coder",
    "model": {
        "engine": "lmi",
        "version": "0.32.0",
        "weights": "s3://example-weights/coder/",
        "tensor_parallel_degree": 2,
    },
    "accelerators": 2,
    "memory_mb": 65536,
    "cpu_cores": 8,
    "copies": {"initial": 1, "min": 1, "max": 2},
    "scaling": {"invocations_per_copy": 10},
}


def endpoint(*components: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "project": "t",
        "endpoints": [
            {
                "name": "shared",
                "type": "inference-components",
                "instance_type": "ml.p4d.24xlarge",
                "instance_count": {"initial": 1, "min": 1, "max": 2},
                "components": [copy.deepcopy(c) for c in components] or [copy.deepcopy(COMPONENT)],
                **fields,
            }
        ],
    }


def component(name: str, **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(COMPONENT), "name": name, **changes}


def test_a_valid_shared_endpoint_loads(tmp_path: Path) -> None:
    assert errors(tmp_path, endpoint()) == []


def test_initial_copies_that_need_more_instances_are_named_with_the_count(tmp_path: Path) -> None:
    data = endpoint(*(component(f"m{i}", copies={"initial": 2, "min": 1, "max": 2}) for i in range(3)))
    line = single_error(tmp_path, data)
    assert (
        "endpoints[0].instance_count.initial: the initial copies of all components need 2 instances of "
        "ml.p4d.24xlarge but instance_count.initial is 1; raise it to 2"
    ) in line


def test_an_omitted_initial_count_is_the_planners(tmp_path: Path) -> None:
    data = endpoint(*(component(f"m{i}", copies={"initial": 2, "min": 1, "max": 2}) for i in range(3)))
    data["endpoints"][0]["instance_count"] = {"min": 1, "max": 3}
    (resolved,) = load(tmp_path, data).endpoints
    assert resolved.instances.initial == 2  # 12 GPUs on 8-GPU hosts


def test_initial_copies_beyond_the_maximum_instances_are_named(tmp_path: Path) -> None:
    data = endpoint(*(component(f"m{i}", copies={"initial": 2, "min": 1, "max": 2}) for i in range(5)))
    data["endpoints"][0]["instance_count"] = {"min": 1, "max": 2}
    line = single_error(tmp_path, data)
    assert "endpoints[0].instance_count.max: the initial copies of all components need 3 instances" in line


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("accelerators", 16, "16 GPUs per copy but ml.p4d.24xlarge has 8"),
        ("memory_mb", 2_000_000, "2000000 MB per copy but ml.p4d.24xlarge has 1179648 MB of host memory"),
        ("cpu_cores", 200, "200 cores per copy but ml.p4d.24xlarge has 96 vCPUs"),
    ],
)
def test_a_component_larger_than_one_instance_is_named(tmp_path: Path, field: str, value: int, message: str) -> None:
    data = endpoint(component("big", **{field: value}, model={**COMPONENT["model"], "tensor_parallel_degree": 1}))
    assert f"endpoints[0].components[0].{field}: {message}" in single_error(tmp_path, data)


def test_tensor_parallel_degree_beyond_the_components_accelerators_is_rejected(tmp_path: Path) -> None:
    data = endpoint(component("c", accelerators=1))
    line = single_error(tmp_path, data)
    assert (
        "components[0].model.tensor_parallel_degree: 2 needs 2 GPUs but the component reserves 1; lower it or raise the component's accelerators"
        in line
    )


def test_component_names_are_unique_across_endpoints(tmp_path: Path) -> None:
    data = endpoint()
    second = copy.deepcopy(data["endpoints"][0])
    second["name"] = "other"
    data["endpoints"].append(second)
    line = single_error(tmp_path, data)
    assert "endpoints[1].components[0].name: 'coder' is already the name of endpoints[0].components[0]" in line


def test_scaling_to_zero_copies_needs_scaling(tmp_path: Path) -> None:
    data = endpoint(component("idle", copies={"initial": 1, "min": 0, "max": 1}, scaling=None))
    line = single_error(tmp_path, data)
    assert "components[0].scaling: copies.min is 0 (scale to zero) but there is no scaling to bring copies back" in line


def test_zero_instances_need_every_component_able_to_reach_zero_copies(tmp_path: Path) -> None:
    data = endpoint(component("floor"), instance_count={"initial": 1, "min": 0, "max": 2})
    line = single_error(tmp_path, data)
    assert "endpoints[0].instance_count.min: 0 instances cannot hold the copies that floor always keep" in line


def test_copy_scaling_takes_exactly_one_target(tmp_path: Path) -> None:
    data = endpoint(component("two", scaling={"invocations_per_copy": 1, "concurrent_requests_per_copy": 2}))
    assert "components[0].scaling: give exactly one target" in single_error(tmp_path, data)


def test_a_rolling_batch_of_copies_must_be_at_most_half_the_floor(tmp_path: Path) -> None:
    data = endpoint(component("c", deployment={"batch_copies": 1}))
    line = single_error(tmp_path, data)
    assert (
        "components[0].deployment.batch_copies: a batch of 1 copy is more than half of the 1 the component keeps"
        in line
    )
    assert "use batch_percent instead" in line


@pytest.mark.parametrize(("own", "ok"), [(13, True), (14, False)])
def test_a_component_environment_holds_at_most_16_entries_with_its_serving_options(
    tmp_path: Path, own: int, ok: bool
) -> None:
    # HF_MODEL_ID, OPTION_ENGINE and OPTION_TENSOR_PARALLEL_DEGREE carry the model's serving options (no code)
    data = endpoint(component("c", model={**COMPONENT["model"], "environment": {f"V{i}": "x" for i in range(own)}}))
    if ok:
        load(tmp_path, data)
    else:
        assert (
            "components[0].model.environment: has 17 entries (3 made from the serving options); SageMaker allows 16 "
            "here, remove 1" in single_error(tmp_path, data)
        )


def test_an_environment_variable_that_repeats_a_serving_option_is_refused(tmp_path: Path) -> None:
    data = endpoint(component("c", model={**COMPONENT["model"], "environment": {"OPTION_TENSOR_PARALLEL_DEGREE": "4"}}))
    assert (
        "components[0].model.environment.OPTION_TENSOR_PARALLEL_DEGREE: is also made from the serving options (2); "
        "give the option once, under properties" in single_error(tmp_path, data)
    )


def test_copies_out_of_order_are_rejected(tmp_path: Path) -> None:
    data = endpoint(component("c", copies={"initial": 3, "min": 1, "max": 2}))
    assert "components[0].copies.max: max (2) is less than initial (3) copies" in single_error(tmp_path, data)
