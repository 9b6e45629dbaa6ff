"""Which DJL engine versions serve LoRA adapters as SageMaker inference-component adapters."""

from __future__ import annotations

from llm_hosting.facts.djl import adapter_problem
from llm_hosting.facts.djl.adapters import SOURCES

LORA = {"option.rolling_batch": "vllm", "option.enable_lora": "true"}


def test_every_adapter_fact_is_cited() -> None:
    assert all(s.path and s.ref and s.shows for s in SOURCES.values())


def test_sagemaker_adapter_headers_arrive_with_lmi_0_31() -> None:
    problem = adapter_problem("lmi", "0.30.0", properties=LORA)
    assert problem is not None and "adapter headers (from 0.31.0)" in problem
    assert adapter_problem("lmi", "0.31.0", properties=LORA) is None


def test_adapters_need_enable_lora() -> None:
    problem = adapter_problem("lmi", "0.32.0", properties={"option.rolling_batch": "vllm"})
    assert problem == "lmi 0.32.0 loads adapters only with option.enable_lora=true; add it"


def test_lmi_dist_serves_adapters_until_0_32_only() -> None:
    props = {"option.rolling_batch": "lmi-dist", "option.enable_lora": "true"}
    assert adapter_problem("lmi", "0.32.0", properties=props) is None
    problem = adapter_problem("lmi", "0.33.0", properties=props)
    assert problem is not None and "option.rolling_batch vllm, not lmi-dist" in problem


def test_the_async_vllm_handler_serves_adapters_from_0_34() -> None:
    props = {**LORA, "option.async_mode": "true"}
    problem = adapter_problem("lmi", "0.33.0", properties=props)
    assert problem is not None and "from 0.34.0" in problem
    assert adapter_problem("lmi", "0.34.0", properties=props) is None


def test_fastertransformer_and_tensorrt_llm_name_the_lmi_fix() -> None:
    for engine, version in (("fastertransformer", "0.24.0"), ("tensorrt-llm", "0.33.0")):
        problem = adapter_problem(engine, version, properties={})
        assert problem is not None and "lmi 0.31.0 or later with option.rolling_batch=vllm" in problem
