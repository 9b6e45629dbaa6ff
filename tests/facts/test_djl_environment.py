"""DJL options as environment variables: which versions read them and how each key is spelt."""

from __future__ import annotations

import pytest

from llm_hosting.facts.djl import environment_configuration_problem, environment_for_properties
from llm_hosting.facts.djl.environment import SOURCES

VLLM = {"option.model_id": "s3://weights/codellama-13b/", "option.rolling_batch": "vllm", "option.dtype": "fp16"}


def test_every_convention_is_cited() -> None:
    assert all(s.path.endswith((".java",)) and s.ref for s in SOURCES.values())


def test_fastertransformer_0_23_has_no_environment_form_and_0_24_has() -> None:
    problem = environment_configuration_problem("fastertransformer", "0.23.0", {"option.model_id": "s3://w/"})
    assert problem is not None and "came with 0.24.0" in problem
    assert environment_configuration_problem("fastertransformer", "0.24.0", {"option.model_id": "s3://w/"}) is None


def test_lmi_properties_become_sorted_option_variables_and_hf_model_id() -> None:
    env = environment_for_properties(
        "lmi", "0.32.0", {**VLLM, "option.tensor_parallel_degree": "2", "batch_size": "4", "engine": "Python"}
    )
    assert env == {
        "HF_MODEL_ID": "s3://weights/codellama-13b/",
        "OPTION_DTYPE": "fp16",
        "OPTION_ENGINE": "Python",
        "OPTION_ROLLING_BATCH": "vllm",
        "OPTION_TENSOR_PARALLEL_DEGREE": "2",
        "SERVING_BATCH_SIZE": "4",
    }
    assert list(env) == sorted(env)


def test_the_engine_key_has_an_environment_form_only_from_0_27() -> None:
    problem = environment_configuration_problem("tensorrt-llm", "0.26.0", {**VLLM, "engine": "MPI"})
    assert problem is not None and "OPTION_ENGINE sets engine from 0.27.0" in problem
    assert environment_configuration_problem("tensorrt-llm", "0.27.0", {**VLLM, "engine": "MPI"}) is None


def test_entry_point_is_spelt_back_in_camel_case() -> None:
    env = environment_for_properties(
        "fastertransformer",
        "0.24.0",
        {"option.model_id": "s3://w/", "option.entryPoint": "djl_python.fastertransformer"},
    )
    assert env["OPTION_ENTRYPOINT"] == "djl_python.fastertransformer"


def test_other_camel_case_options_keep_their_case_only_from_0_28() -> None:
    props = {**VLLM, "option.pythonExecutable": "/usr/bin/python3"}
    problem = environment_configuration_problem("tensorrt-llm", "0.27.0", props)
    assert problem is not None and "option.pythonExecutable has no environment form" in problem
    assert environment_for_properties("lmi", "0.28.0", props)["OPTION_pythonExecutable"] == "/usr/bin/python3"


def test_s3url_becomes_hf_model_id_and_both_together_are_refused() -> None:
    env = environment_for_properties("fastertransformer", "0.24.0", {"option.s3url": "s3://w/"})
    assert env == {"HF_MODEL_ID": "s3://w/"}
    problem = environment_configuration_problem("lmi", "0.30.0", {"option.s3url": "s3://w/", "option.model_id": "x"})
    assert problem is not None and "both set" in problem


def test_keys_without_an_environment_form_are_named() -> None:
    problem = environment_configuration_problem("lmi", "0.33.0", {**VLLM, "gpu.maxWorkers": "1", "minWorkers": "1"})
    assert problem == (
        "gpu.maxWorkers has no environment form in DJL 0.33.0; ship a serving.properties file; "
        "minWorkers has no environment form in DJL 0.33.0; ship a serving.properties file"
    )


def test_a_model_location_is_required() -> None:
    problem = environment_configuration_problem("lmi", "0.33.0", {"option.rolling_batch": "vllm"})
    assert problem is not None and "HF_MODEL_ID" in problem


def test_refused_configurations_produce_no_environment() -> None:
    with pytest.raises(ValueError, match=r"fastertransformer 0\.21\.0: .*came with 0\.24\.0"):
        environment_for_properties("fastertransformer", "0.21.0", {"option.model_id": "s3://w/"})
