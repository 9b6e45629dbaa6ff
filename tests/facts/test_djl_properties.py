"""serving.properties keys and values per DJL engine version: every enumerated value, and near misses."""

from __future__ import annotations

import pytest

from llm_hosting.facts.djl import PropertyProblem, known_property_keys, property_problems
from llm_hosting.facts.djl.property_data import ALLOWED, KEY_SETS, LMI_OPTION_KEYS, TRT_OPTION_KEYS
from llm_hosting.facts.images import ENGINES
from llm_hosting.packaging.serving_properties import parse_properties
from tests.synth import ROOT


def test_every_key_set_and_enumeration_is_cited() -> None:
    for item in (*KEY_SETS, *ALLOWED):
        assert item.source.path and item.source.ref and item.source.shows
    for table in (LMI_OPTION_KEYS, TRT_OPTION_KEYS):
        for _, source in table.values():
            assert source.path and source.ref


@pytest.mark.parametrize("engine", ["fastertransformer", "lmi", "tensorrt-llm"])
def test_every_version_knows_djls_own_keys(engine: str) -> None:
    for version in ENGINES[engine].versions:
        keys = known_property_keys(engine, version)
        assert {"engine", "batch_size", "max_batch_delay", "minWorkers", "gpu.maxWorkers"} <= keys
        assert {"option.tensor_parallel_degree", "option.entryPoint"} <= keys


@pytest.mark.parametrize("allowed", ALLOWED, ids=lambda a: f"{a.key}-{min(a.versions)}-{'/'.join(sorted(a.engines))}")
def test_each_enumerated_value_is_accepted_and_a_near_miss_is_refused(allowed: object) -> None:
    from llm_hosting.facts.djl.property_data import Allowed

    assert isinstance(allowed, Allowed)
    for engine in sorted(allowed.engines):
        for version in sorted(set(allowed.versions) & set(ENGINES[engine].versions)):
            for value in allowed.values:
                assert property_problems(engine, version, {allowed.key: value}) == [], (engine, version, value)
            value = sorted(allowed.values)[0]
            near_miss = value[:-1] + ("x" if value[-1] != "x" else "y")
            if near_miss in allowed.values or (allowed.case_insensitive and near_miss.lower() in allowed.values):
                continue
            (problem,) = property_problems(engine, version, {allowed.key: near_miss})
            assert problem.key == allowed.key and "use one of" in problem.message, problem


def test_a_misspelt_rolling_batch_names_the_allowed_values_and_the_fix() -> None:
    (problem,) = property_problems("lmi", "0.32.0", {"option.rolling_batch": "vlm"})
    assert problem == PropertyProblem(
        "option.rolling_batch",
        "option.rolling_batch=vlm is not accepted by lmi 0.32.0: use one of auto, disable, lmi-dist, scheduler, vllm; "
        "did you mean vllm?",
    )


def test_lmi_dist_is_accepted_until_0_32_and_refused_from_0_33() -> None:
    assert property_problems("lmi", "0.32.0", {"option.rolling_batch": "lmi-dist"}) == []
    (problem,) = property_problems("lmi", "0.33.0", {"option.rolling_batch": "lmi-dist"})
    assert "use one of auto, disable, vllm" in problem.message


def test_a_misspelt_key_gets_the_close_match() -> None:
    (problem,) = property_problems("fastertransformer", "0.21.0", {"option.tensor_paralel_degree": "2"})
    assert problem.message == (
        "fastertransformer 0.21.0 does not read 'option.tensor_paralel_degree'; did you mean option.tensor_parallel_degree?"
    )


def test_an_unknown_key_without_a_close_match_lists_the_known_ones() -> None:
    (problem,) = property_problems("fastertransformer", "0.21.0", {"option.zzz": "1"})
    assert "known keys: option.dtype, option.entryPoint" in problem.message


def test_from_0_32_unknown_vllm_options_are_named_as_unchecked_pass_through() -> None:
    (before,) = property_problems("lmi", "0.31.0", {"option.swap_space": "4", "option.rolling_batch": "vllm"})
    assert "known keys:" in before.message
    (after,) = property_problems("lmi", "0.32.0", {"option.swap_space": "4", "option.rolling_batch": "vllm"})
    assert "passes it to vLLM as an engine argument" in after.message


def test_trust_remote_code_reaches_fastertransformer_only_from_0_24() -> None:
    (problem,) = property_problems("fastertransformer", "0.23.0", {"option.trust_remote_code": "true"})
    assert "does not read 'option.trust_remote_code'" in problem.message
    assert property_problems("fastertransformer", "0.24.0", {"option.trust_remote_code": "true"}) == []


def test_tensor_parallel_max_needs_0_24() -> None:
    (problem,) = property_problems("fastertransformer", "0.23.0", {"option.tensor_parallel_degree": "max"})
    assert "'max' needs 0.24.0 or later" in problem.message
    assert property_problems("fastertransformer", "0.24.0", {"option.tensor_parallel_degree": "max"}) == []
    assert property_problems("lmi", "0.28.0", {"option.tensor_parallel_degree": "1"}) == []
    assert len(property_problems("lmi", "0.28.0", {"option.tensor_parallel_degree": "0"})) == 1


def test_integer_keys_refuse_words() -> None:
    assert property_problems("lmi", "0.28.0", {"batch_size": "64", "max_batch_delay": "100"}) == []
    (problem,) = property_problems("lmi", "0.28.0", {"batch_size": "sixty"})
    assert problem.message == "batch_size=sixty is not a whole number; DJL parses it as an integer"


def test_engine_values_follow_each_image() -> None:
    assert property_problems("fastertransformer", "0.24.0", {"engine": "MPI"}) == []
    (problem,) = property_problems("fastertransformer", "0.22.1", {"engine": "MPI"})
    assert "use one of FasterTransformer, Python" in problem.message
    (problem,) = property_problems("lmi", "0.28.0", {"engine": "FasterTransformer"})
    assert "use one of MPI, Python" in problem.message


@pytest.mark.parametrize(
    ("directory", "engine", "version", "handler_keys"),
    [("flan-t5-xxl", "fastertransformer", "0.21.0", set()),
     ("codegen", "fastertransformer", "0.21.0", {"option.default_max_new_tokens"})],
)  # fmt: skip
def test_the_shipped_serving_properties_check_clean_with_their_handler_keys(
    directory: str, engine: str, version: str, handler_keys: set[str]
) -> None:
    props = parse_properties((ROOT / "model_artifacts" / directory / "serving.properties").read_text())
    known = known_property_keys(engine, version) | handler_keys
    assert set(props) <= known
    assert property_problems(engine, version, {k: v for k, v in props.items() if k not in handler_keys}) == []


def test_codegen_properties_for_0_24_check_clean() -> None:
    props = {"engine": "Python", "option.entryPoint": "model.py", "option.dtype": "fp16",
             "option.trust_remote_code": "true", "option.tensor_parallel_degree": "2",
             "option.s3url": "s3://example-weights/codegen25-7b-blockgen/", "batch_size": "64",
             "max_batch_delay": "100"}  # fmt: skip
    assert property_problems("fastertransformer", "0.24.0", props) == []
