"""Which Hugging Face `model_type`s each DJL engine version loads, per serving path, with the source of each list.

Data only; `architectures.py` reads it. A path lists `confirmed` model types (the cited djl-serving
code, integration tests or documentation name them for that version) and `unconfirmed` ones (carried
from an older version's list or from a wheel whose exact source is not public): those are believed
to load but could not be pinned down from sources. DJL's documentation names architectures by
display name ("GPT BigCode", "LLaMA & LLaMA-2"); `DISPLAY_NAMES` is this library's mapping of those
names to the `model_type` in the named example checkpoints' config.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from llm_hosting.facts.djl.sources import FT_WHEEL_FORK, Source, djl, dlc


@dataclass(frozen=True)
class ServingPath:
    """One way an engine version serves a model: the settings that select it and what it loads."""

    engine: str
    """Catalog engine: fastertransformer, lmi or tensorrt-llm."""
    versions: tuple[str, ...]
    path: str
    """`FasterTransformer`, `Python` (FasterTransformer's Triton path), or an `option.rolling_batch` backend."""
    settings: Mapping[str, str]
    """serving.properties entries that select this path."""
    confirmed: frozenset[str]
    unconfirmed: frozenset[str] = frozenset()
    any_transformers_model: bool = False
    """The path runs Hugging Face transformers itself (rolling_batch disable/scheduler): no fixed list."""
    sources: tuple[Source, ...] = ()
    runtime: str = ""
    """The library that does the loading, with its pinned version."""
    note: str = ""


DISPLAY_NAMES: Mapping[str, str] = {
    "Aquila & Aquila2": "aquila",
    "Arctic": "arctic",
    "Baichuan & Baichuan2": "baichuan",
    "BLOOM": "bloom",
    "Chameleon": "chameleon",
    "ChatGLM": "chatglm",
    "Command-R": "cohere",
    "DBRX": "dbrx",
    "DeciLM": "deci",
    "Falcon": "falcon",
    "Fuyu": "fuyu",
    "Gemma": "gemma",
    "Gemma2": "gemma2",
    "GPT-2": "gpt2",
    "GPT BigCode": "gpt_bigcode",
    "GPT-J": "gptj",
    "GPT-NeoX": "gpt_neox",
    "InternLM": "internlm",
    "InternLM2": "internlm2",
    "Jais": "jais",
    "Jamba": "jamba",
    "LLaMA": "llama",
    "LlaVA-1.5": "llava",
    "LlaVA-NeXT": "llava_next",
    "MiniCPM": "minicpm",
    "Mistral": "mistral",
    "Mixtral": "mixtral",
    "MPT": "mpt",
    "OLMo": "olmo",
    "OPT": "opt",
    "Orion": "orion",
    "PaliGemma": "paligemma",
    "Phi": "phi",
    "Phi-3": "phi3",
    "Phi-3-Vision": "phi3_v",
    "Qwen": "qwen",
    "Qwen2": "qwen2",
    "Qwen2MoE": "qwen2_moe",
    "StableLM": "stablelm",
    "Starcoder2": "starcoder2",
    "T5": "t5",
    "Xverse": "xverse",
    "Llama3.2 11b (vision)": "mllama",
    "Qwen1.5": "qwen2",
    "Yi": "llama",
    "Codellama / Codestral": "llama",
}
"""DJL's display names -> Hugging Face model_type (this library's mapping, see the module docstring)."""

# --- FasterTransformer (0.21.0-0.24.0; removed in 0.25.0) ---------------------------------------

_FT_TESTS_021 = djl(
    "0.21.0",
    "tests/integration/llm/prepare.py",
    "ft_model_list: t5-small, gpt2-xl, facebook/opt-6.7b, bigscience/bloom-3b, flan-t5-xxl, "
    "all engine=FasterTransformer",
)
_FT_WHEEL_021 = dlc(
    "0.21.0",
    "serving/docker/fastertransformer.Dockerfile",
    "ft_wheel fastertransformer-0.5.3-py3-none-any.whl (the v0.21.0 tag: fastertransformer-nightly)",
)
_FT_AUTO_0221 = djl(
    "0.22.1", "wlm/src/main/java/ai/djl/serving/wlm/LmiUtils.java", 'FASTERTRANSFORMER_MODELS = List.of("t5")'
)
_FT_TESTS_0221 = djl(
    "0.22.1",
    "tests/integration/llm/prepare.py",
    "ft_handler_list: bloom-3b, flan-t5-xxl; ft_model_list: t5-small, gpt2-xl, opt-6.7b, bloom-3b, flan-t5-xxl",
)
_FT_AUTO_023 = djl(
    "0.23.0",
    "wlm/src/main/java/ai/djl/serving/wlm/LmiUtils.java",
    'FASTERTRANSFORMER_MODELS = List.of("bloom", "gpt_neox", "gpt2", "t5", "opt"); TRITON_MODELS = List.of("gptj") '
    "-> engine=Python with option.entryPoint=djl_python.fastertransformer",
)
_FT_HANDLER_023 = djl(
    "0.23.0",
    "engines/python/setup/djl_python/fastertransformer.py",
    'use_triton = properties.get("engine", "Python") == "Python"; ft.init_inference(..., use_triton=...)',
)
_FT_TESTS_023 = djl(
    "0.23.0",
    "tests/integration/llm/prepare.py",
    "ft_handler_list adds EleutherAI/pythia-2.8b (gpt_neox), t5-base-lora; ft_model_list adds nomic-ai/gpt4all-j "
    "(gptj, engine chosen by LmiUtils)",
)
_FT_WHEEL_023 = Source(
    repo=FT_WHEEL_FORK,
    ref="nalrohit_dev",
    commit="8622699f669981ac33cd7122220cfb5818ef2e12",
    path="python/fastertransformer/__init__.py",
    shows="SUPPORTED_MODEL_TYPES t5, gpt2, gptj, opt, gpt_neox, bloom; python/version.txt 0.23.0; triton/all_models "
    "has configs for bloom, gpt, gpt_neox, gptj, t5. Believed to be the source of the fastertransformer-0.23.0 wheel "
    "(not published with it)",
)
_FT_AUTO_024 = djl(
    "0.24.0",
    "wlm/src/main/java/ai/djl/serving/wlm/LmiUtils.java",
    "same lists as 0.23.0 (no llama in the automatic choice)",
)
_FT_LLAMA_024 = djl(
    "0.24.0",
    "tests/integration/llm/prepare.py",
    'ft_handler_list "llama2-7b": engine=Python, option.entryPoint=djl_python.fastertransformer, '
    "option.trust_remote_code=true (commit 265ed5dc first tested Salesforce/xgen-7b-8k-base, a llama model with a "
    "tiktoken tokenizer in remote code, like CodeGen 2.5)",
)
_FT_WHEEL_024 = djl(
    "0.24.0",
    "serving/docker/fastertransformer.Dockerfile",
    'ft_version="llama", ft_wheel fastertransformer-0.24.0-py3-none-any.whl, tiktoken installed '
    "(commits 1e488f52 'Install FasterTransformer libs with llama support', 4895d388 'update ft python wheel with "
    "llama support')",
)
_FT_TRUST_024 = djl(
    "0.24.0",
    "engines/python/setup/djl_python/fastertransformer.py",
    'trust_remote_code = properties.get("trust_remote_code", "false").lower() == "true", passed to '
    "AutoConfig.from_pretrained and ft.init_inference (not read before 0.24.0)",
)

_FT_TRITON_UNCONFIRMED = frozenset({"bloom", "gpt2", "gpt_neox", "opt", "t5"})

FASTERTRANSFORMER_PATHS: tuple[ServingPath, ...] = (
    ServingPath(
        engine="fastertransformer",
        versions=("0.21.0",),
        path="FasterTransformer",
        settings={"engine": "FasterTransformer"},
        confirmed=frozenset({"bloom", "gpt2", "opt", "t5"}),
        sources=(_FT_TESTS_021, _FT_WHEEL_021),
        runtime="fastertransformer wheel 0.5.3, FasterTransformer release/v5.3_tag",
        note="no automatic engine choice before 0.22.1 (LmiUtils.java does not exist at v0.21.0)",
    ),
    ServingPath(
        engine="fastertransformer",
        versions=("0.22.1",),
        path="FasterTransformer",
        settings={"engine": "FasterTransformer"},
        confirmed=frozenset({"bloom", "gpt2", "opt", "t5"}),
        sources=(_FT_AUTO_0221, _FT_TESTS_0221),
        runtime="fastertransformer nightly wheel, FasterTransformer release/v5.3_tag",
    ),
    ServingPath(
        engine="fastertransformer",
        versions=("0.23.0", "0.24.0"),
        path="FasterTransformer",
        settings={"engine": "FasterTransformer"},
        confirmed=frozenset({"bloom", "gpt2", "gpt_neox", "opt", "t5"}),
        sources=(_FT_AUTO_023, _FT_TESTS_023, _FT_AUTO_024),
        runtime="fastertransformer wheel 0.23.0 / 0.24.0",
    ),
    ServingPath(
        engine="fastertransformer",
        versions=("0.23.0",),
        path="Python",
        settings={"engine": "Python", "option.entryPoint": "djl_python.fastertransformer"},
        confirmed=frozenset({"gptj"}),
        unconfirmed=_FT_TRITON_UNCONFIRMED,
        sources=(_FT_AUTO_023, _FT_HANDLER_023, _FT_TESTS_023, _FT_WHEEL_023),
        runtime="fastertransformer wheel 0.23.0 through tritontoolkit r23.04 (the Triton path)",
    ),
    ServingPath(
        engine="fastertransformer",
        versions=("0.24.0",),
        path="Python",
        settings={"engine": "Python", "option.entryPoint": "djl_python.fastertransformer"},
        confirmed=frozenset({"gptj", "llama"}),
        unconfirmed=_FT_TRITON_UNCONFIRMED,
        sources=(_FT_AUTO_024, _FT_LLAMA_024, _FT_WHEEL_024, _FT_TRUST_024, _FT_WHEEL_023),
        runtime="fastertransformer wheel 0.24.0 (llama) through tritontoolkit r23.04 (the Triton path)",
        note="the 0.24.0 wheel's source is not public; llama is confirmed by the integration test only",
    ),
)

# --- LMI (vLLM, lmi-dist, Hugging Face accelerate) -----------------------------------------------

_VLLM_PINS: Mapping[str, tuple[str, Source]] = {
    "0.28.0": (
        "vLLM 0.4.2",
        djl("0.28.0", "serving/docker/lmi.Dockerfile", "vllm_wheel vllm-0.4.2+cu124, lmi_dist_wheel lmi_dist-10.0.0"),
    ),
    "0.29.0": (
        "vLLM 0.5.3.post1",
        djl(
            "0.29.0",
            "serving/docker/lmi.Dockerfile",
            "vllm_wheel vllm-0.5.3.post1+cu124, lmi_dist_wheel lmi_dist-11.0.0",
        ),
    ),
    "0.30.0": (
        "vLLM 0.6.2",
        djl("0.30.0", "serving/docker/lmi.Dockerfile", "vllm_wheel vllm-0.6.2+cu124, lmi_dist_wheel lmi_dist-12.0.0"),
    ),
    "0.31.0": (
        "vLLM 0.6.3.post1",
        djl(
            "0.31.0",
            "serving/docker/lmi.Dockerfile",
            "vllm_wheel vllm-0.6.3.post1+cu124, lmi_dist_wheel lmi_dist-13.0.0+nightly",
        ),
    ),
    "0.32.0": (
        "vLLM 0.7.3 (lmi-dist 13.0.0+nightly on vLLM 0.6.3.post1)",
        djl(
            "0.32.0",
            "serving/docker/requirements-vllm.txt, requirements-lmi.txt",
            "vllm==0.7.3 in /opt/djl/vllm_venv; vllm-0.6.3.post1 and lmi_dist-13.0.0+nightly in /opt/djl/lmi_dist_venv",
        ),
    ),
    "0.33.0": (
        "vLLM 0.8.4",
        djl("0.33.0", "serving/docker/lmi-container-requirements.txt", "vllm==0.8.4; SERVING_FEATURES=vllm"),
    ),
    "0.34.0": (
        "vLLM 0.10.2",
        djl("0.34.0", "serving/docker/lmi-container-requirements.txt", "vllm==0.10.2"),
    ),
    "0.35.0": (
        "vLLM 0.11.1",
        djl(
            "0.35.0",
            "serving/docs/lmi/release_notes.md",
            "'vLLM has been upgraded to 0.11.1' (requirements install vllm_extensions_package-1.0.0; commit aec43933 "
            "pinned vllm==0.11.1 before 7d740dc9 swapped in that package)",
        ),
    ),
    "0.36.0": (
        "vLLM 0.23.1.dev4+gcd87ce883",
        djl(
            "0.36.0",
            "serving/docker/lmi-container-requirements.txt",
            "vllm-0.23.1.dev4+gcd87ce883.gemma426blora wheel",
        ),
    ),
}
"""The vLLM (and lmi-dist) each LMI image pins, with where."""


def _names(*names: str) -> frozenset[str]:
    return frozenset(DISPLAY_NAMES[n] for n in names)


_VLLM_DOC_028 = _names(
    "Aquila & Aquila2", "Baichuan & Baichuan2", "BLOOM", "ChatGLM", "DeciLM", "Falcon", "Gemma", "GPT-2",
    "GPT BigCode", "GPT-J", "GPT-NeoX", "InternLM", "LLaMA", "Mistral", "Mixtral", "MPT", "OPT", "Phi", "Qwen", "Yi",
)  # fmt: skip
_VLLM_DOC_029 = _VLLM_DOC_028 | _names(
    "Arctic", "Command-R", "DBRX", "Gemma2", "InternLM2", "Jais", "Jamba", "MiniCPM", "OLMo", "Orion", "Phi-3",
    "Qwen2", "Qwen2MoE", "StableLM", "Starcoder2", "Xverse", "Chameleon", "Fuyu", "LlaVA-1.5", "LlaVA-NeXT",
    "PaliGemma", "Phi-3-Vision",
)  # fmt: skip
_VLLM_NIGHTLY = frozenset(
    {"gpt_neox", "mistral", "phi", "starcoder2", "gemma", "llama", "qwen2", "falcon", "llava_next", "phi3_v", "llava",
     "mllama"}
)  # fmt: skip
"""vllm_user_guide.md 0.30.0-0.36.0 nightly tests: GPT NeoX 20b, Mistral 7b, Phi2, Starcoder2 7b, Gemma 2b, Llama2 7b,
Qwen2 7b, Llama3 8b, Falcon 11b, Llava-v1.6-mistral, Phi3v, Pixtral 12b (llava), Llama3.2 11b (mllama)."""

_LMI_DIST_AUTO_028 = frozenset(
    {"falcon", "t5", "llama", "mpt", "aquila", "baichuan", "bloom", "chatglm", "cohere", "dbrx", "deci", "gemma",
     "gpt2", "gptj", "internlm", "internlm2", "jais", "mistral", "mixtral", "opt", "phi", "phi3", "qwen", "qwen2",
     "qwen2_moe", "stablelm", "xverse", "starcoder2"}
)  # fmt: skip
"""LmiConfigRecommender.MODEL_TO_ROLLING_BATCH@v0.28.0 (its `gpt-neox` and `gpt-bigcode` keys use hyphens, so the real
model types gpt_neox and gpt_bigcode never match; those two come from the lmi-dist user guide instead)."""
_LMI_DIST_AUTO_029 = _LMI_DIST_AUTO_028 | frozenset(
    {"arctic", "gemma2", "jamba", "phi3small", "llava", "llava_next", "paligemma", "phi3_v", "chameleon", "deepseek",
     "deepseek_v2", "fuyu"}
)  # fmt: skip
_LMI_DIST_DOC_028 = _names(
    "Aquila & Aquila2", "Baichuan & Baichuan2", "BLOOM", "ChatGLM", "DBRX", "DeciLM", "Falcon", "Gemma", "GPT-2",
    "GPT BigCode", "GPT-J", "GPT-NeoX", "InternLM", "LLaMA", "Mistral", "Mixtral", "MPT", "OPT", "Phi", "Qwen",
    "Qwen2", "Yi", "T5",
)  # fmt: skip
_LMI_DIST_NIGHTLY = frozenset(
    {"gpt_neox", "falcon", "gpt2", "mpt", "llama", "t5", "gpt_bigcode", "starcoder2", "gemma", "mistral", "llava_next",
     "phi3_v", "llava", "mixtral", "dbrx", "baichuan", "qwen2"}
)  # fmt: skip
"""lmi-dist_user_guide.md 0.30.0-0.32.0 nightly tests (GPT NeoX, Falcon, GPT2, MPT, Llama 2/3/3.1/3.2, Flan T5,
Octocoder (gpt_bigcode), Starcoder2, Gemma, Mistral/Codestral, Llava-v1.6-mistral, Phi3v, Pixtral, Codellama,
Mixtral, DBRX, Baichuan2, Qwen1.5 (qwen2))."""


def _vllm_sources(version: str) -> tuple[Source, ...]:
    pin = _VLLM_PINS[version][1]
    if version == "0.28.0":
        doc = djl(
            "0.28.0",
            "serving/docs/lmi/user_guides/vllm_user_guide.md",
            "tested: LLAMA, Falcon, Mistral, Mixtral, GPT-NeoX; complete model set (written for vLLM 0.3.3)",
        )
    elif version == "0.29.0":
        doc = djl(
            "0.29.0",
            "serving/docs/lmi/user_guides/vllm_user_guide.md",
            "complete model set for vLLM 0.4.2 (Aquila ... Phi-3-Vision)",
        )
    else:
        doc = djl(
            version,
            "serving/docs/lmi/user_guides/vllm_user_guide.md",
            "models tested nightly; the full list is vLLM's own supported-models page for the pinned version",
        )
    return (pin, doc)


_VLLM_UNREAD = (
    "vLLM's own model registry for this pin was not read (the vLLM repository is too large to bring here); "
    "unconfirmed entries are the vLLM 0.4.2 list DJL documented at 0.29.0, carried forward"
)

LMI_PATHS: tuple[ServingPath, ...] = (
    ServingPath(
        engine="lmi",
        versions=("0.28.0",),
        path="vllm",
        settings={"option.rolling_batch": "vllm"},
        confirmed=_VLLM_DOC_028,
        sources=_vllm_sources("0.28.0"),
        runtime=_VLLM_PINS["0.28.0"][0],
    ),
    ServingPath(
        engine="lmi",
        versions=("0.29.0",),
        path="vllm",
        settings={"option.rolling_batch": "vllm"},
        confirmed=_VLLM_DOC_029,
        sources=_vllm_sources("0.29.0"),
        runtime=_VLLM_PINS["0.29.0"][0],
    ),
    *(
        ServingPath(
            engine="lmi",
            versions=(version,),
            path="vllm",
            settings={"option.rolling_batch": "vllm"},
            confirmed=_VLLM_NIGHTLY,
            unconfirmed=_VLLM_DOC_029 - _VLLM_NIGHTLY,
            sources=_vllm_sources(version),
            runtime=_VLLM_PINS[version][0],
            note=_VLLM_UNREAD,
        )
        for version in ("0.30.0", "0.31.0", "0.32.0", "0.33.0", "0.34.0", "0.35.0", "0.36.0")
    ),
    ServingPath(
        engine="lmi",
        versions=("0.28.0",),
        path="lmi-dist",
        settings={"option.rolling_batch": "lmi-dist"},
        confirmed=_LMI_DIST_AUTO_028 | _LMI_DIST_DOC_028,
        sources=(
            _VLLM_PINS["0.28.0"][1],
            djl(
                "0.28.0",
                "wlm/src/main/java/ai/djl/serving/wlm/LmiConfigRecommender.java",
                "MODEL_TO_ROLLING_BATCH: the model types rolling_batch=auto sends to lmi-dist",
            ),
            djl("0.28.0", "serving/docs/lmi/user_guides/lmi-dist_user_guide.md", "supported and tested architectures"),
        ),
        runtime="lmi-dist 10.0.0 (on vLLM 0.4.2)",
    ),
    ServingPath(
        engine="lmi",
        versions=("0.29.0",),
        path="lmi-dist",
        settings={"option.rolling_batch": "lmi-dist"},
        confirmed=_LMI_DIST_AUTO_029 | _LMI_DIST_DOC_028 | _VLLM_DOC_029 | {"gpt_bigcode"},
        sources=(
            _VLLM_PINS["0.29.0"][1],
            djl(
                "0.29.0",
                "wlm/src/main/java/ai/djl/serving/wlm/LmiConfigRecommender.java",
                "MODEL_TO_ROLLING_BATCH ('up to date with vLLM 0.5.1'), adds arctic, gemma2, jamba, llava, "
                "deepseek_v2 ...",
            ),
            djl("0.29.0", "serving/docs/lmi/user_guides/lmi-dist_user_guide.md", "supported and tested architectures"),
        ),
        runtime="lmi-dist 11.0.0 (on vLLM 0.5.x)",
    ),
    *(
        ServingPath(
            engine="lmi",
            versions=(version,),
            path="lmi-dist",
            settings={"option.rolling_batch": "lmi-dist"},
            confirmed=_LMI_DIST_NIGHTLY,
            unconfirmed=(_LMI_DIST_AUTO_029 | _VLLM_DOC_029) - _LMI_DIST_NIGHTLY,
            sources=(
                _VLLM_PINS[version][1],
                djl(version, "serving/docs/lmi/user_guides/lmi-dist_user_guide.md", "models tested nightly"),
            ),
            runtime=f"lmi-dist {'12.0.0' if version == '0.30.0' else '13.0.0+nightly'}",
            note="unconfirmed entries: the lists DJL documented for lmi-dist at 0.29.0, carried forward",
        )
        for version in ("0.30.0", "0.31.0", "0.32.0")
    ),
    ServingPath(
        engine="lmi",
        versions=tuple(f"0.{minor}.0" for minor in range(28, 37)),
        path="disable",
        settings={"option.rolling_batch": "disable"},
        confirmed=frozenset(),
        any_transformers_model=True,
        sources=(
            djl(
                "0.28.0",
                "engines/python/setup/djl_python/huggingface.py",
                "rolling_batch=disable: transformers' AutoModel (accelerate), any model type transformers loads",
            ),
        ),
        runtime="Hugging Face transformers + accelerate",
    ),
    ServingPath(
        engine="lmi",
        versions=tuple(f"0.{minor}.0" for minor in range(28, 33)),
        path="scheduler",
        settings={"option.rolling_batch": "scheduler"},
        confirmed=frozenset(),
        any_transformers_model=True,
        sources=(
            djl(
                "0.28.0",
                "engines/python/setup/djl_python/rolling_batch/scheduler_rolling_batch.py",
                "seq-scheduler rolling batch on transformers models (removed from the enum at 0.33.0)",
            ),
        ),
        runtime="Hugging Face transformers (seq_scheduler)",
    ),
)

AUTO_ROLLING_BATCH: Mapping[str, tuple[str, Source]] = {
    **{
        version: (
            "lmi-dist",
            djl(
                version,
                "wlm/src/main/java/ai/djl/serving/wlm/LmiConfigRecommender.java",
                "auto -> lmi-dist for model types in MODEL_TO_ROLLING_BATCH, otherwise scheduler on SageMaker; "
                "disable when batch_size > 1",
            ),
        )
        for version in ("0.28.0", "0.29.0")
    },
    **{
        version: (
            "lmi-dist",
            djl(
                version,
                "wlm/src/main/java/ai/djl/serving/wlm/LmiConfigRecommender.java",
                "auto -> lmi-dist when SERVING_FEATURES has lmi-dist (the LMI image: vllm,lmi-dist)",
            ),
        )
        for version in ("0.30.0", "0.31.0", "0.32.0")
    },
    **{
        version: (
            "vllm",
            djl(
                version,
                "wlm/src/main/java/ai/djl/serving/wlm/LmiConfigRecommender.java",
                "auto -> vllm (SERVING_FEATURES=vllm)",
            ),
        )
        for version in ("0.33.0", "0.34.0")
    },
    **{
        version: (
            "vllm",
            djl(
                version,
                "wlm/src/main/java/ai/djl/serving/wlm/LmiConfigRecommender.java",
                "auto -> the async vLLM handler (rolling_batch=disable with option.async_mode=true)",
            ),
        )
        for version in ("0.35.0", "0.36.0")
    },
}
"""What `option.rolling_batch=auto` (the default) resolves to in the LMI image, per version."""

AUTO_LMI_DIST_TYPES: Mapping[str, frozenset[str]] = {"0.28.0": _LMI_DIST_AUTO_028, "0.29.0": _LMI_DIST_AUTO_029}
"""At 0.28.0-0.29.0 `auto` picks lmi-dist only for these model types, and the scheduler for the others."""

# --- TensorRT-LLM ---------------------------------------------------------------------------------

_TRT_PINS: Mapping[str, str] = {
    "0.25.0": "TensorRT-LLM 0.5.0",
    "0.26.0": "TensorRT-LLM 0.7.1",
    "0.27.0": "TensorRT-LLM 0.8.0",
    "0.28.0": "TensorRT-LLM 0.9.0",
    "0.29.0": "TensorRT-LLM 0.11.0",
    "0.30.0": "TensorRT-LLM 0.12.0",
    "0.32.0": "TensorRT-LLM 0.12.0",
    "0.33.0": "TensorRT-LLM 0.21.0",
}
"""From the image tags in facts/images.py (`0.33.0-tensorrtllm0.21.0-cu128`, ...)."""

_TRT_SINCE = djl(
    "0.29.0",
    "serving/docs/lmi/user_guides/trt_llm_user_guide.md",
    "LLaMA, Falcon (since 0.25.0); InternLM, Baichuan, ChatGLM, GPT-J, Mistral, Mixtral, Qwen, "
    "GPT2/SantaCoder/StarCoder/GPTBigCode (since 0.26.0); Phi2, OPT (since 0.27.0); Gemma (since 0.28.0)",
)
_TRT_025 = frozenset({"llama", "falcon"})
_TRT_026 = _TRT_025 | {"internlm", "baichuan", "chatglm", "gptj", "mistral", "mixtral", "qwen", "gpt2", "gpt_bigcode"}
_TRT_027 = _TRT_026 | {"phi", "opt"}
_TRT_028 = _TRT_027 | {"gemma"}
_TRT_030 = _TRT_028 | {"t5"}


def _trt(version: str, confirmed: frozenset[str]) -> ServingPath:
    sources: tuple[Source, ...] = (_TRT_SINCE,)
    if version in ("0.30.0", "0.32.0", "0.33.0"):
        sources = (
            _TRT_SINCE,
            djl(version, "serving/docs/lmi/user_guides/trt_llm_user_guide.md", "the same list plus T5"),
        )
    return ServingPath(
        engine="tensorrt-llm",
        versions=(version,),
        path="trtllm",
        settings={"option.rolling_batch": "trtllm"},
        confirmed=confirmed,
        sources=sources,
        runtime=_TRT_PINS[version],
        note="T5 first appears in the guide at 0.30.0-dlc" if version == "0.30.0" else "",
    )


TENSORRT_LLM_PATHS: tuple[ServingPath, ...] = (
    _trt("0.25.0", _TRT_025),
    _trt("0.26.0", _TRT_026),
    _trt("0.27.0", _TRT_027),
    _trt("0.28.0", _TRT_028),
    _trt("0.29.0", _TRT_028),
    _trt("0.30.0", _TRT_030),
    _trt("0.32.0", _TRT_030),
    _trt("0.33.0", _TRT_030),
)

PATHS: tuple[ServingPath, ...] = FASTERTRANSFORMER_PATHS + LMI_PATHS + TENSORRT_LLM_PATHS
"""Every serving path of every engine version the library knows."""

VLLM_PINS: Mapping[str, str] = {version: pin for version, (pin, _) in _VLLM_PINS.items()}
VLLM_PIN_SOURCES: Mapping[str, Source] = {version: source for version, (_, source) in _VLLM_PINS.items()}
TENSORRT_LLM_PINS: Mapping[str, str] = _TRT_PINS
