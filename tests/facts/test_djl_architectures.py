"""Which DJL engine version loads which model_type: both sides of every boundary, and every fact cited."""

from __future__ import annotations

import pytest

from llm_hosting.facts.djl import (
    UnknownEngineVersion,
    architecture_problem,
    first_version_loading,
    selected_path,
    support,
)
from llm_hosting.facts.djl.architecture_data import PATHS, VLLM_PIN_SOURCES, VLLM_PINS
from llm_hosting.facts.djl.sources import REFS
from llm_hosting.facts.images import ENGINES

FT_PYTHON = {"engine": "Python", "option.entryPoint": "djl_python.fastertransformer"}


def test_every_serving_path_cites_a_file_at_a_pinned_ref() -> None:
    for path in PATHS:
        assert path.sources, path
        for source in path.sources:
            assert source.repo and source.ref and len(source.commit) >= 8 and source.path and source.shows
        assert path.runtime


@pytest.mark.parametrize("engine", ["fastertransformer", "lmi", "tensorrt-llm"])
def test_every_image_version_has_its_serving_paths_and_a_cited_ref(engine: str) -> None:
    for version in ENGINES[engine].versions:
        assert version in REFS
        assert any(p.engine == engine and version in p.versions for p in PATHS), version


def test_lmi_vllm_pins_are_cited_for_every_lmi_version() -> None:
    assert set(VLLM_PINS) == set(ENGINES["lmi"].versions) == set(VLLM_PIN_SOURCES)
    assert VLLM_PINS["0.32.0"].startswith("vLLM 0.7.3") and VLLM_PINS["0.33.0"] == "vLLM 0.8.4"


def test_llama_on_fastertransformer_0_23_is_refused_and_0_24_on_the_python_engine_loads_it() -> None:
    problem = architecture_problem("fastertransformer", "0.23.0", "llama", properties=FT_PYTHON)
    assert problem is not None and "cannot load llama" in problem
    assert (
        "fastertransformer 0.24.0 loads it with engine=Python and option.entryPoint=djl_python.fastertransformer"
        in problem
    )
    assert architecture_problem("fastertransformer", "0.24.0", "llama", properties=FT_PYTHON) is None


def test_codegen_pinned_on_0_21_is_told_the_version_and_settings_that_load_it() -> None:
    problem = architecture_problem("fastertransformer", "0.21.0", "llama", properties={"engine": "FasterTransformer"})
    assert problem is not None
    assert problem.startswith("fastertransformer 0.21.0 (FasterTransformer path")
    assert "it loads bloom, gpt2, opt, t5" in problem
    assert "option.trust_remote_code=true" in problem and "\n" not in problem


def test_llama_is_not_loaded_by_the_direct_fastertransformer_engine_even_on_0_24() -> None:
    problem = architecture_problem("fastertransformer", "0.24.0", "llama", properties={"engine": "FasterTransformer"})
    assert problem is not None and "loads it with engine=Python" in problem and "instead" in problem


def test_without_an_engine_property_fastertransformer_means_the_direct_path() -> None:
    assert selected_path("fastertransformer", "0.24.0", {}) == "FasterTransformer"
    assert architecture_problem("fastertransformer", "0.21.0", "t5", properties={}) is None


def test_gpt_neox_joins_the_direct_path_at_0_23() -> None:
    assert architecture_problem("fastertransformer", "0.22.1", "gpt_neox", properties={}) is not None
    assert architecture_problem("fastertransformer", "0.23.0", "gpt_neox", properties={}) is None


def test_the_python_engine_has_no_fastertransformer_path_before_0_23() -> None:
    problem = architecture_problem("fastertransformer", "0.22.1", "gptj", properties=FT_PYTHON)
    assert problem is not None and "has no 'Python' path" in problem
    assert architecture_problem("fastertransformer", "0.23.0", "gptj", properties=FT_PYTHON) is None


def test_unconfirmed_entries_load_but_say_so() -> None:
    found = support("fastertransformer", "0.23.0", "t5", properties=FT_PYTHON)
    assert found is not None and found.loads and not found.confirmed
    confirmed = support("fastertransformer", "0.24.0", "llama", properties=FT_PYTHON)
    assert confirmed is not None and confirmed.confirmed


def test_an_unknown_architecture_is_a_problem_that_lists_the_known_ones() -> None:
    problem = architecture_problem("tensorrt-llm", "0.33.0", "made_up_model", properties={})
    assert problem is not None and "cannot load made_up_model" in problem and "llama" in problem
    assert "no tensorrt-llm version known to this library loads made_up_model" in problem


def test_a_misspelt_rolling_batch_has_no_path() -> None:
    problem = architecture_problem("lmi", "0.32.0", "llama", properties={"option.rolling_batch": "vlm"})
    assert problem is not None and "no 'vlm' path" in problem and "option.rolling_batch=vllm" in problem


def test_codellama_on_lmi_0_32_vllm_loads() -> None:
    assert architecture_problem("lmi", "0.32.0", "llama", properties={"option.rolling_batch": "vllm"}) is None


def test_t5_loads_on_lmi_dist_until_0_32_and_not_on_vllm_from_0_33() -> None:
    assert architecture_problem("lmi", "0.32.0", "t5", properties={"option.rolling_batch": "lmi-dist"}) is None
    problem = architecture_problem("lmi", "0.33.0", "t5", properties={})
    assert problem is not None and "lmi 0.32.0 is the last version that loads it" in problem


def test_auto_at_0_28_sends_unlisted_model_types_to_the_scheduler() -> None:
    assert selected_path("lmi", "0.28.0", {}, "llama") == "lmi-dist"
    # LmiConfigRecommender@v0.28.0 spells it gpt-neox, so gpt_neox falls through to the scheduler.
    assert selected_path("lmi", "0.28.0", {}, "gpt_neox") == "scheduler"
    assert selected_path("lmi", "0.30.0", {}, "gpt_neox") == "lmi-dist"
    assert selected_path("lmi", "0.33.0", {}, "gpt_neox") == "vllm"
    assert selected_path("lmi", "0.33.0", {"batch_size": "8"}, "llama") == "disable"


@pytest.mark.parametrize(
    ("architecture", "last_refused", "first_loading"),
    [("llama", None, "0.25.0"), ("mistral", "0.25.0", "0.26.0"), ("phi", "0.26.0", "0.27.0"),
     ("gemma", "0.27.0", "0.28.0"), ("t5", "0.29.0", "0.30.0")],
)  # fmt: skip
def test_tensorrt_llm_boundaries(architecture: str, last_refused: str | None, first_loading: str) -> None:
    assert first_version_loading("tensorrt-llm", architecture) == first_loading
    assert architecture_problem("tensorrt-llm", first_loading, architecture, properties={}) is None
    if last_refused is not None:
        problem = architecture_problem("tensorrt-llm", last_refused, architecture, properties={})
        assert problem is not None and f"tensorrt-llm {first_loading} loads it" in problem


def test_first_version_loading() -> None:
    assert first_version_loading("fastertransformer", "llama") == "0.24.0"
    assert first_version_loading("fastertransformer", "t5") == "0.21.0"
    assert first_version_loading("lmi", "llama") == "0.28.0"
    assert first_version_loading("fastertransformer", "mistral") is None


def test_engines_and_versions_outside_the_facts_are_refused() -> None:
    with pytest.raises(UnknownEngineVersion, match="not a DJL engine"):
        architecture_problem("triton", "24.09", "llama", properties={})
    with pytest.raises(UnknownEngineVersion, match=r"no image version '0\.31\.0'"):
        architecture_problem("tensorrt-llm", "0.31.0", "llama", properties={})
