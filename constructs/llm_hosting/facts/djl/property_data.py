"""serving.properties keys and values each DJL engine version reads, with the source of each; data only.

`properties.py` checks a model's properties against these. Option keys are what the engine's Java
side (PyModel.java, ModelInfo.java, LmiUtils.java), its Python properties classes
(djl_python/properties_manager/*.py), its handler (djl_python/fastertransformer.py) and its LMI
documentation read or name at the ref cited for that version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from llm_hosting.facts.djl.sources import REFS, Source, djl, version_key

_VERSIONS = tuple(sorted(REFS, key=version_key))
"""Every image version whose source was read, oldest first."""


def between(first: str, last: str | None = None) -> frozenset[str]:
    """Every known image version from `first` to `last` (inclusive; open-ended when None)."""
    return frozenset(
        v
        for v in _VERSIONS
        if version_key(first) <= version_key(v) and (last is None or version_key(v) <= version_key(last))
    )


@dataclass(frozen=True)
class KeySet:
    """Keys one reader reads, in the versions it reads them."""

    keys: frozenset[str]
    versions: frozenset[str]
    engines: frozenset[str]
    source: Source


_ALL = frozenset({"fastertransformer", "lmi", "tensorrt-llm"})
_FT = frozenset({"fastertransformer"})
_LMI = frozenset({"lmi"})
_TRT = frozenset({"tensorrt-llm"})
_LMI_TRT = _LMI | _TRT

_MODEL_KEYS_DOC = frozenset(
    {"engine", "load_on_devices", "translatorFactory", "job_queue_size", "batch_size", "max_batch_delay",
     "max_idle_time", "metrics_aggregation", "minWorkers", "maxWorkers", "gpu.minWorkers", "gpu.maxWorkers",
     "cpu.minWorkers", "cpu.maxWorkers", "required_memory_mb", "gpu.required_memory_mb", "reserved_memory_mb",
     "gpu.reserved_memory_mb"}
)  # fmt: skip

KEY_SETS: tuple[KeySet, ...] = (
    # Keys DJL itself reads for every model (not `option.*`).
    KeySet(
        _MODEL_KEYS_DOC | {"log_model_metric", "retry_threshold"},
        between("0.21.0", "0.24.0"),
        _ALL,
        djl(
            "0.21.0",
            "serving/docs/modes.md",
            "serving.properties model properties (same list to 0.24.0); ModelInfo.java reads retry_threshold",
        ),
    ),
    KeySet(
        _MODEL_KEYS_DOC | {"log_model_metric", "retry_threshold"},
        between("0.25.0", "0.26.0"),
        _ALL,
        djl("0.25.0", "serving/docs/configurations_model.md", "model properties; log_model_metric until 0.26.0"),
    ),
    KeySet(
        _MODEL_KEYS_DOC | {"log_request_metric", "max_dynamic_batch_size", "retry_threshold"},
        between("0.27.0"),
        _ALL,
        djl(
            "0.27.0",
            "serving/docs/configurations_model.md",
            "log_request_metric replaces log_model_metric; "
            "ModelInfo.java reads max_dynamic_batch_size (an alias of batch_size) and retry_threshold",
        ),
    ),
    # Python engine options (PyModel.java `switch (key)`), every DJL Python-family engine.
    KeySet(
        frozenset(
            {
                "option.pythonExecutable",
                "option.env",
                "option.predict_timeout",
                "option.model_loading_timeout",
                "option.entryPoint",
                "option.parallel_loading",
                "option.tensor_parallel_degree",
                "option.handler",
                "option.modelName",
                "option.s3url",
            }
        ),
        between("0.21.0"),
        _ALL,
        djl(
            "0.21.0",
            "engines/python/src/main/java/ai/djl/python/engine/PyModel.java",
            "options read by the Python engine; option.s3url downloaded by PyModel (0.21.0) / ModelInfo (0.22.1+); "
            "option.modelName by ModelInfo.inferEngine",
        ),
    ),
    KeySet(
        frozenset({"option.enable_venv"}),
        between("0.23.0"),
        _ALL,
        djl("0.23.0", "engines/python/src/main/java/ai/djl/python/engine/PyModel.java", 'case "enable_venv"'),
    ),
    KeySet(
        frozenset({"option.mpi_mode"}),
        between("0.24.0"),
        _ALL,
        djl("0.24.0", "engines/python/src/main/java/ai/djl/python/engine/PyModel.java", 'case "mpi_mode"'),
    ),
    KeySet(
        frozenset({"option.pipeline_parallel_degree"}),
        between("0.29.0"),
        _LMI_TRT,
        djl(
            "0.29.0",
            "engines/python/src/main/java/ai/djl/python/engine/PyModel.java",
            'case "pipeline_parallel_degree"',
        ),
    ),
    KeySet(
        frozenset({"option.async_mode"}),
        between("0.33.0"),
        _LMI_TRT,
        djl("0.33.0", "engines/python/src/main/java/ai/djl/python/engine/PyModel.java", 'case "async_mode"'),
    ),
    KeySet(
        frozenset({"option.model_id"}),
        between("0.22.1"),
        _ALL,
        djl(
            "0.22.1",
            "wlm/src/main/java/ai/djl/serving/wlm/ModelInfo.java",
            "downloadS3 reads option.model_id (s3:// ids are downloaded)",
        ),
    ),
    # djl_python/fastertransformer.py reads these from the properties.
    KeySet(
        frozenset({"option.pipeline_parallel_degree", "option.dtype"}),
        frozenset(("0.21.0", "0.22.1", "0.23.0", "0.24.0")),
        _FT,
        djl(
            "0.21.0",
            "engines/python/setup/djl_python/fastertransformer.py",
            "tensor_parallel_degree, pipeline_parallel_degree, dtype, model_id",
        ),
    ),
    KeySet(
        frozenset({"option.save_mp_checkpoint_path"}),
        frozenset(("0.22.1", "0.23.0", "0.24.0")),
        _FT,
        djl(
            "0.22.1",
            "engines/python/setup/djl_python/fastertransformer.py",
            "partition() reads save_mp_checkpoint_path",
        ),
    ),
    KeySet(
        frozenset({"option.data_type", "option.enable_streaming"}),
        frozenset(("0.23.0", "0.24.0")),
        _FT,
        djl("0.23.0", "engines/python/setup/djl_python/fastertransformer.py", "data_type, enable_streaming"),
    ),
    KeySet(
        frozenset({"option.trust_remote_code"}),
        frozenset(("0.24.0",)),
        _FT,
        djl("0.24.0", "engines/python/setup/djl_python/fastertransformer.py", "trust_remote_code"),
    ),
)

# LMI and TensorRT-LLM option keys: djl_python/properties_manager/*.py fields (pydantic) plus the LMI
# guides' `option.*` names (deployment_guide/configurations.md and the backend user guides).
_LMI_BASE = frozenset(
    {"model_id", "revision", "rolling_batch", "max_rolling_batch_size", "dtype", "trust_remote_code",
     "enable_streaming", "output_formatter", "waiting_steps", "tgi_compat", "draft_model_id", "spec_length", "task",
     "device_map", "disable_flash_attn", "load_in_4bit", "load_in_8bit", "low_cpu_mem_usage", "quantize", "data_type",
     "enable_lora", "max_loras", "max_lora_rank", "max_cpu_loras", "lora_extra_vocab_size", "enforce_eager",
     "gpu_memory_utilization", "load_format", "max_model_len", "max_rolling_batch_prefill_tokens",
     "speculative_draft_model", "speculative_length", "draft_model_tp_size", "record_acceptance_rate",
     "decoding_strategy", "max_sparsity", "max_splits", "multi_gpu"}
)  # fmt: skip
_LMI_029 = _LMI_BASE | {
    "bedrock_compat",
    "input_formatter",
    "cpu_offload_gb_per_gpu",
    "enable_chunked_prefill",
    "enable_prefix_caching",
    "max_logprobs",
    "speculative_telemetry",
    "image_placeholder_token",
}
_LMI_030 = _LMI_029 | {
    "disable_sliding_window",
    "limit_mm_per_prompt",
    "tokenizer_mode",
    "use_passive_workers",
    "disable_logprobs_during_spec_decoding",
    "ngram_prompt_lookup_max",
    "ngram_prompt_lookup_min",
    "num_speculative_tokens",
    "qlora_adapter_name_or_path",
    "spec_decoding_acceptance_method",
    "speculative_disable_by_batch_size",
    "speculative_draft_tensor_parallel_size",
    "speculative_max_model_len",
    "speculative_model",
    "speculative_model_quantization",
    "typical_acceptance_sampler_posterior_alpha",
    "typical_acceptance_sampler_posterior_threshold",
    "use_v2_block_manager",
}
_LMI_031 = _LMI_030 | {"fully_sharded_loras", "generation_config", "long_lora_scaling_factors", "lora_dtype"}
_LMI_032 = _LMI_031 | {
    "chat_template",
    "chat_template_content_format",
    "cpu_offload_gb",
    "enable_auto_tool_choice",
    "enable_reasoning",
    "max_num_batched_tokens",
    "quantization",
    "reasoning_parser",
    "tool_call_parser",
}
_LMI_033 = _LMI_032 | {"speculative_config"}
_LMI_036 = _LMI_033 | {"lmcache_auto_config", "normalize"}

LMI_OPTION_KEYS: Mapping[str, tuple[frozenset[str], Source]] = {
    "0.28.0": (
        _LMI_BASE,
        djl(
            "0.28.0",
            "engines/python/setup/djl_python/properties_manager/",
            "properties.py, "
            "hf_properties.py, vllm_rb_properties.py, lmi_dist_rb_properties.py, scheduler_rb_properties.py fields",
        ),
    ),
    "0.29.0": (_LMI_029, djl("0.29.0", "engines/python/setup/djl_python/properties_manager/", "fields")),
    "0.30.0": (_LMI_030, djl("0.30.0", "engines/python/setup/djl_python/properties_manager/", "fields")),
    "0.31.0": (_LMI_031, djl("0.31.0", "engines/python/setup/djl_python/properties_manager/", "fields")),
    "0.32.0": (_LMI_032, djl("0.32.0", "engines/python/setup/djl_python/properties_manager/", "fields")),
    "0.33.0": (
        _LMI_033,
        djl("0.33.0", "serving/docs/lmi/deployment_guide/configurations.md", "adds speculative_config"),
    ),
    "0.34.0": (_LMI_033, djl("0.34.0", "engines/python/setup/djl_python/properties_manager/", "fields")),
    "0.35.0": (_LMI_033, djl("0.35.0", "engines/python/setup/djl_python/properties_manager/", "fields")),
    "0.36.0": (
        _LMI_036,
        djl(
            "0.36.0",
            "engines/python/setup/djl_python/properties_manager/properties.py",
            "adds lmcache_auto_config; vllm_rb_properties.py adds normalize",
        ),
    ),
}

VLLM_EXTRA_OPTIONS_FROM = "0.32.0"
VLLM_EXTRA_OPTIONS_SOURCE = djl(
    "0.32.0",
    "engines/python/setup/djl_python/properties_manager/vllm_rb_properties.py",
    "model_config = ConfigDict(extra='allow'): unknown option.* keys go to vLLM as engine arguments",
)

_TRT_BASE = frozenset(
    {"model_id", "revision", "rolling_batch", "max_rolling_batch_size", "dtype", "trust_remote_code",
     "enable_streaming", "output_formatter", "quantize", "max_input_len", "max_output_len", "max_num_sequences",
     "batch_scheduler_policy", "enable_trt_overlap", "kv_cache_free_gpu_mem_fraction", "multi_query_mode",
     "smoothquant_alpha", "smoothquant_per_channel", "smoothquant_per_token", "tokens_per_block",
     "use_custom_all_reduce", "paged_attention", "waiting_steps"}
)  # fmt: skip
_TRT_026 = _TRT_BASE | {
    "awq_calib_size",
    "awq_format",
    "baichuan_model_version",
    "chatglm_model_version",
    "enable_kv_cache_reuse",
    "gpt_model_version",
    "multi_block_mode",
    "rotary_base",
    "rotary_dim",
    "rotary_scaling_factor",
    "rotary_scaling_type",
    "use_fused_mlp",
}
_TRT_028 = _TRT_026 | {"max_num_tokens", "calib_size", "q_format"}
_TRT_029 = _TRT_028 | {
    "calib_batch_size",
    "load_by_shard",
    "logits_dtype",
    "trtllm_checkpoint_path",
    "use_fp8_context_fmha",
    "bedrock_compat",
    "input_formatter",
}
_TRT_030 = _TRT_029 | {"awq_block_size", "num_checkpoint_workers", "num_engine_workers"}
_TRT_033 = _TRT_030 | {
    "auto_parallel",
    "auto_parallel_world_size",
    "backend",
    "batching_type",
    "context_parallel_size",
    "embedding_parallel_mode",
    "enable_attention_dp",
    "enable_build_cache",
    "enable_chunked_prefill",
    "extended_runtime_perf_knob_config",
    "fast_build",
    "gather_generation_logits",
    "guided_decoding_backend",
    "iter_stats_max_iterations",
    "load_format",
    "max_batch_size",
    "max_beam_width",
    "max_seq_len",
    "moe_expert_parallel_size",
    "moe_tensor_parallel_size",
    "normalize_log_probs",
    "pipeline_parallel_size",
    "request_stats_max_iterations",
    "skip_tokenizer_init",
    "tokenizer",
    "tokenizer_mode",
    "tokenizer_revision",
}

TRT_OPTION_KEYS: Mapping[str, tuple[frozenset[str], Source]] = {
    "0.25.0": (
        _TRT_BASE,
        djl("0.25.0", "serving/docs/configurations_large_model_inference_containers.md", "TensorRT-LLM options"),
    ),
    "0.26.0": (
        _TRT_026,
        djl("0.26.0", "serving/docs/lmi/configurations_large_model_inference_containers.md", "TensorRT-LLM options"),
    ),
    "0.27.0": (_TRT_026, djl("0.27.0", "serving/docs/lmi/user_guides/trt_llm_user_guide.md", "options")),
    "0.28.0": (_TRT_028, djl("0.28.0", "serving/docs/lmi/user_guides/trt_llm_user_guide.md", "options")),
    "0.29.0": (_TRT_029, djl("0.29.0", "serving/docs/lmi/user_guides/trt_llm_user_guide.md", "options")),
    "0.30.0": (_TRT_030, djl("0.30.0", "serving/docs/lmi/user_guides/trt_llm_user_guide.md", "options")),
    "0.32.0": (_TRT_030, djl("0.32.0", "serving/docs/lmi/user_guides/trt_llm_user_guide.md", "options")),
    "0.33.0": (
        _TRT_033,
        djl(
            "0.33.0",
            "engines/python/setup/djl_python/properties_manager/trt_properties.py",
            "TensorRT-LLM 0.21 LLM-API fields",
        ),
    ),
}


@dataclass(frozen=True)
class Allowed:
    """The values one key accepts in some versions of one engine."""

    key: str
    values: frozenset[str]
    versions: frozenset[str]
    engines: frozenset[str]
    source: Source
    case_insensitive: bool = False


_BOOL = frozenset({"true", "false"})

ALLOWED: tuple[Allowed, ...] = (
    Allowed(
        "engine",
        frozenset({"FasterTransformer", "Python"}),
        between("0.21.0", "0.22.1"),
        _FT,
        djl(
            "0.21.0",
            "engines/python/src/main/java/ai/djl/python/engine/DsEngineProvider.java",
            "Python-family engines: Python, DeepSpeed, FasterTransformer (DeepSpeed is not in the image)",
        ),
    ),
    Allowed(
        "engine",
        frozenset({"FasterTransformer", "Python", "MPI"}),
        between("0.23.0", "0.24.0"),
        _FT,
        djl(
            "0.23.0",
            "engines/python/src/main/java/ai/djl/python/engine/MpiEngineProvider.java",
            "MPI, FasterTransformer, DeepSpeed and Python (DeepSpeed is not in the image)",
        ),
    ),
    Allowed(
        "engine",
        frozenset({"Python", "MPI"}),
        between("0.25.0"),
        _LMI_TRT,
        djl(
            "0.28.0",
            "engines/python/src/main/java/ai/djl/python/engine/MpiEngineProvider.java",
            "MPI and Python (DeepSpeed until 0.27.0, not in these images)",
        ),
    ),
    Allowed(
        "option.rolling_batch",
        frozenset({"auto", "vllm", "lmi-dist", "scheduler", "disable"}),
        between("0.28.0", "0.32.0"),
        _LMI,
        djl(
            "0.28.0",
            "engines/python/setup/djl_python/properties_manager/properties.py",
            "RollingBatchEnum vllm, tnx, lmi-dist, scheduler, auto, disable, trtllm; the LMI image has "
            "SERVING_FEATURES=vllm,lmi-dist (tnx is for Neuron, trtllm for the TensorRT-LLM image)",
        ),
    ),
    Allowed(
        "option.rolling_batch",
        frozenset({"auto", "vllm", "disable"}),
        between("0.33.0"),
        _LMI,
        djl(
            "0.33.0",
            "serving/docker/lmi.Dockerfile",
            "SERVING_FEATURES=vllm: lmi-dist removed in 0.33.0 (scheduler gone from RollingBatchEnum)",
        ),
    ),
    Allowed(
        "option.rolling_batch",
        frozenset({"auto", "trtllm", "disable"}),
        between("0.25.0"),
        _TRT,
        djl(
            "0.25.0",
            "engines/python/setup/djl_python/properties_manager/properties.py",
            "RollingBatchEnum trtllm (the TensorRT-LLM image)",
        ),
    ),
    Allowed(
        "option.dtype",
        frozenset({"fp32", "fp16", "bf16", "int8"}),
        between("0.21.0", "0.24.0"),
        _FT,
        Source(
            repo="rohithkrn/FasterTransformer",
            ref="nalrohit_dev",
            commit="8622699f669981ac33cd7122220cfb5818ef2e12",
            path="python/fastertransformer/ftmodel.py",
            shows="set_data_type accepts fp16, int8, fp32, bf16 (the 0.23.0 wheel's believed source)",
        ),
    ),
    Allowed(
        "option.dtype",
        frozenset({"auto", "fp32", "fp16", "bf16", "int8"}),
        between("0.28.0", "0.31.0"),
        _LMI,
        djl(
            "0.28.0",
            "serving/docs/lmi/deployment_guide/configurations.md",
            "fp32, fp16 (default), bf16, int8 (lmi-dist only); hf_properties.py also accepts auto",
        ),
    ),
    Allowed(
        "option.dtype",
        frozenset({"auto", "fp32", "fp16", "bf16", "float32", "float16", "bfloat16", "int8"}),
        between("0.32.0"),
        _LMI,
        djl(
            "0.32.0",
            "engines/python/setup/djl_python/properties_manager/vllm_rb_properties.py",
            "DTYPE_MAPPER float32, fp32, float16, fp16, bfloat16, bf16, auto (int8: Hugging Face path)",
        ),
    ),
    Allowed(
        "option.dtype",
        frozenset({"fp32", "fp16", "bf16"}),
        between("0.25.0"),
        _TRT,
        djl("0.28.0", "serving/docs/lmi/deployment_guide/configurations.md", "fp32, fp16, bf16"),
    ),
    Allowed(
        "option.quantize",
        frozenset({"awq", "gptq", "squeezellm", "deepspeedfp"}),
        frozenset(("0.28.0",)),
        _LMI,
        djl(
            "0.28.0",
            "engines/python/setup/djl_python/properties_manager/vllm_rb_properties.py",
            "VllmQuantizeMethods (LmiDistQuantizeMethods is the same); later versions pass any value to vLLM",
        ),
    ),
    Allowed(
        "option.quantize",
        frozenset(
            {
                "awq",
                "deepspeedfp",
                "fp8",
                "fbgemm_fp8",
                "gptq",
                "gptq_marlin",
                "gptq_marlin_24",
                "awq_marlin",
                "marlin",
                "squeezellm",
            }
        ),
        frozenset(("0.29.0", "0.30.0")),
        _LMI,
        djl(
            "0.29.0", "engines/python/setup/djl_python/properties_manager/vllm_rb_properties.py", "VllmQuantizeMethods"
        ),
    ),
    *(
        Allowed(key, _BOOL, versions, engines, source, case_insensitive=True)
        for key, versions, engines, source in (
            (
                "option.trust_remote_code",
                between("0.24.0"),
                _ALL,
                djl("0.24.0", "engines/python/setup/djl_python/fastertransformer.py", '.lower() == "true"'),
            ),
            (
                "option.parallel_loading",
                between("0.21.0"),
                _ALL,
                djl("0.21.0", "engines/python/src/main/java/ai/djl/python/engine/PyModel.java", "Boolean.parseBoolean"),
            ),
            (
                "option.enable_venv",
                between("0.23.0"),
                _ALL,
                djl("0.23.0", "engines/python/src/main/java/ai/djl/python/engine/PyModel.java", "Boolean.parseBoolean"),
            ),
            (
                "option.mpi_mode",
                between("0.24.0"),
                _ALL,
                djl("0.24.0", "engines/python/src/main/java/ai/djl/python/engine/PyModel.java", "Boolean.parseBoolean"),
            ),
            (
                "option.enable_streaming",
                between("0.23.0", "0.24.0"),
                _FT,
                djl(
                    "0.23.0",
                    "engines/python/setup/djl_python/fastertransformer.py",
                    "any value but 'false' turns streaming on (and needs engine=Python)",
                ),
            ),
            (
                "option.enable_lora",
                between("0.28.0"),
                _LMI,
                djl("0.28.0", "engines/python/setup/djl_python/properties_manager/vllm_rb_properties.py", "bool"),
            ),
            (
                "option.enforce_eager",
                between("0.28.0"),
                _LMI,
                djl("0.28.0", "engines/python/setup/djl_python/properties_manager/vllm_rb_properties.py", "bool"),
            ),
            (
                "option.enable_prefix_caching",
                between("0.29.0"),
                _LMI,
                djl("0.29.0", "engines/python/setup/djl_python/properties_manager/vllm_rb_properties.py", "bool"),
            ),
            (
                "option.async_mode",
                between("0.33.0"),
                _LMI_TRT,
                djl("0.33.0", "engines/python/src/main/java/ai/djl/python/engine/PyModel.java", "Boolean.parseBoolean"),
            ),
            (
                "log_model_metric",
                between("0.21.0", "0.26.0"),
                _ALL,
                djl("0.24.0", "wlm/src/main/java/ai/djl/serving/wlm/ModelInfo.java", "Boolean.parseBoolean"),
            ),
            (
                "log_request_metric",
                between("0.27.0"),
                _ALL,
                djl("0.27.0", "wlm/src/main/java/ai/djl/serving/wlm/ModelInfo.java", "Boolean.parseBoolean"),
            ),
        )
    ),
)

_INT_SOURCE = djl("0.21.0", "wlm/src/main/java/ai/djl/serving/wlm/ModelInfo.java", "intValue(prop, key, default)")
_INTEGER_KEYS = (
    "batch_size", "max_batch_delay", "max_idle_time", "job_queue_size", "minWorkers", "maxWorkers",
    "gpu.minWorkers", "gpu.maxWorkers", "cpu.minWorkers", "cpu.maxWorkers", "required_memory_mb",
    "gpu.required_memory_mb", "reserved_memory_mb", "gpu.reserved_memory_mb", "max_dynamic_batch_size",
    "option.max_rolling_batch_size", "option.pipeline_parallel_degree",
)  # fmt: skip
INTEGER_KEYS: Mapping[str, Source] = dict.fromkeys(_INTEGER_KEYS, _INT_SOURCE)
"""Keys whose value DJL parses as an integer (Integer.parseInt in ModelInfo/PyModel, int in djl_python)."""

TENSOR_PARALLEL_MAX_FROM = "0.24.0"
TENSOR_PARALLEL_MAX_SOURCE = djl(
    "0.24.0",
    "engines/python/src/main/java/ai/djl/python/engine/PyModel.java",
    'tensor_parallel_degree "max" = every GPU (before 0.24.0: Integer.parseInt only)',
)
