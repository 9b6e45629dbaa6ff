"""Can a DJL engine version serve LoRA adapters as SageMaker inference-component adapters?

SageMaker names the adapter of a request in the `X-Amzn-SageMaker-Adapter-Identifier` header; LMI
reads it from 0.31.0 (LMI v13), for the vLLM and lmi-dist backends with `option.enable_lora=true`.
"""

from __future__ import annotations

from collections.abc import Mapping

from llm_hosting.facts.djl.architectures import check_version, selected_path
from llm_hosting.facts.djl.sources import Source, djl, version_key

ADAPTER_HEADERS_FROM = "0.31.0"
ASYNC_ADAPTERS_FROM = "0.34.0"

SOURCES: Mapping[str, Source] = {
    "headers": djl(
        "0.31.0",
        "engines/python/setup/djl_python/input_parser.py",
        "reads X-Amzn-SageMaker-Adapter-Identifier / -Alias (absent at 0.30.0-dlc)",
    ),
    "enable_lora": djl(
        "0.28.0",
        "engines/python/setup/djl_python/properties_manager/vllm_rb_properties.py",
        "enable_lora (default false), max_loras, max_lora_rank, max_cpu_loras, lora_extra_vocab_size",
    ),
    "backends_031": djl("0.31.0", "serving/docs/adapters.md", "Backend Support: LMI-Dist, vLLM"),
    "backends_033": djl("0.33.0", "serving/docs/adapters.md", "vLLM is the only backend that supports LoRA adapters"),
    "async_handler": djl(
        "0.35.0",
        "engines/python/src/main/java/ai/djl/python/engine/PyModel.java",
        "with SERVING_FEATURES=vllm (the LMI image) and option.async_mode=true the entry point is "
        "djl_python.lmi_vllm.vllm_async_service; LmiConfigRecommender sets rolling_batch=disable with it",
    ),
    "async": djl(
        "0.34.0",
        "serving/docs/lmi/release_notes.md",
        "async vLLM handler supports multi-adapter (LoRA) serving (commit d0f8566b)",
    ),
}

_FIX = f"serve it on lmi {ADAPTER_HEADERS_FROM} or later with option.rolling_batch=vllm and option.enable_lora=true"


def adapter_problem(engine: str, version: str, *, properties: Mapping[str, str]) -> str | None:
    """None when `engine` `version` (with `properties`) serves inference-component adapters; else the fix."""
    check_version(engine, version)
    if engine != "lmi":
        return f"{engine} {version} cannot serve LoRA adapters as inference-component adapters; {_FIX}"
    if version_key(version) < version_key(ADAPTER_HEADERS_FROM):
        return f"lmi {version} does not read SageMaker's adapter headers (from {ADAPTER_HEADERS_FROM}); {_FIX}"
    backend = selected_path(engine, version, properties)
    backends = ("vllm", "lmi-dist") if version_key(version) < version_key("0.33.0") else ("vllm",)
    async_mode = properties.get("option.async_mode", "false").lower() == "true"
    # With async mode on, rolling_batch=disable runs the async vLLM handler (the "async_handler" source).
    async_vllm = async_mode and backend == "disable" and version_key(version) >= version_key(ASYNC_ADAPTERS_FROM)
    if backend not in backends and not async_vllm:
        return f"lmi {version} serves adapters with option.rolling_batch {' or '.join(backends)}, not {backend}; {_FIX}"
    if properties.get("option.enable_lora", "false").lower() != "true":
        return f"lmi {version} loads adapters only with option.enable_lora=true; add it"
    if async_mode and version_key(version) < version_key(ASYNC_ADAPTERS_FROM):
        return (
            f"lmi {version}'s async vLLM handler has no adapter support (from {ASYNC_ADAPTERS_FROM}); "
            "drop option.async_mode"
        )
    return None
