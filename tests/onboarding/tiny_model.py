"""A tiny real model repository: a Llama config, weights in two safetensors shards (written with the
`safetensors` package) plus the formats an engine must not be sent, a WordLevel tokenizer, and one
with custom code."""

from __future__ import annotations

import functools
import json
from typing import Any

import numpy as np
from safetensors.numpy import save

from tests.standins.hf_hub import HubRepo

SMALL = {"hidden": 64, "intermediate": 128, "vocab": 1024}
LARGE = {"hidden": 256, "intermediate": 512, "vocab": 4096}
"""Large enough that SHARD_1 (6.5 MiB) goes up in two 5 MiB parts."""


def config(hidden: int, intermediate: int, vocab: int) -> dict[str, Any]:
    """A Llama config.json as transformers writes it, for a one-layer model of these sizes."""
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": hidden,
        "intermediate_size": intermediate,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
        "num_hidden_layers": 1,
        "vocab_size": vocab,
        "max_position_embeddings": 256,
        "rms_norm_eps": 1e-06,
        "hidden_act": "silu",
        "bos_token_id": 1,
        "eos_token_id": 2,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "transformers_version": "4.46.0",
    }


VOCABULARY = ["<unk>", "<s>", "</s>", "def", "return", "(", ")", ":", "x", "y", "+", "1", "print", "if", "else", "="]


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def tokenizer_json() -> bytes:
    """A WordLevel tokenizer in the `tokenizers` library's serialization."""
    special = [
        {
            "id": i,
            "content": t,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for i, t in enumerate(VOCABULARY[:3])
    ]
    return _json(
        {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": special,
            "normalizer": None,
            "pre_tokenizer": {"type": "Whitespace"},
            "post_processor": None,
            "decoder": None,
            "model": {"type": "WordLevel", "vocab": {t: i for i, t in enumerate(VOCABULARY)}, "unk_token": "<unk>"},
        }
    )


def _tensors(seed: int, hidden: int, intermediate: int, vocab: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def weight(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape, dtype=np.float32) * 0.02

    layer = "model.layers.0"
    return {
        "model.embed_tokens.weight": weight(vocab, hidden),
        f"{layer}.self_attn.q_proj.weight": weight(hidden, hidden),
        f"{layer}.self_attn.k_proj.weight": weight(hidden, hidden),
        f"{layer}.self_attn.v_proj.weight": weight(hidden, hidden),
        f"{layer}.self_attn.o_proj.weight": weight(hidden, hidden),
        f"{layer}.mlp.gate_proj.weight": weight(intermediate, hidden),
        f"{layer}.mlp.up_proj.weight": weight(intermediate, hidden),
        f"{layer}.mlp.down_proj.weight": weight(hidden, intermediate),
        f"{layer}.input_layernorm.weight": np.ones(hidden, dtype=np.float32),
        f"{layer}.post_attention_layernorm.weight": np.ones(hidden, dtype=np.float32),
        "model.norm.weight": np.ones(hidden, dtype=np.float32),
        "lm_head.weight": weight(vocab, hidden),
    }


SHARD_1 = "model-00001-of-00002.safetensors"
SHARD_2 = "model-00002-of-00002.safetensors"


def llama_files(seed: int = 0, *, large: bool = False) -> dict[str, bytes]:
    """The repository's files: what the engine needs, and what it must not be sent (a fresh dict)."""
    return dict(_llama_files(seed, large))


@functools.cache
def _llama_files(seed: int, large: bool) -> dict[str, bytes]:
    sizes = LARGE if large else SMALL
    tensors = _tensors(seed, **sizes)
    second = {"lm_head.weight", "model.norm.weight"}
    shard_1 = save({k: v for k, v in tensors.items() if k not in second}, metadata={"format": "pt"})
    shard_2 = save({k: v for k, v in tensors.items() if k in second}, metadata={"format": "pt"})
    index = {
        "metadata": {"total_size": sum(v.nbytes for v in tensors.values())},
        "weight_map": {k: (SHARD_2 if k in second else SHARD_1) for k in sorted(tensors)},
    }
    return {
        "config.json": _json(config(**sizes)),
        "generation_config.json": _json({"bos_token_id": 1, "eos_token_id": 2, "transformers_version": "4.46.0"}),
        "model.safetensors.index.json": _json(index),
        SHARD_1: shard_1,
        SHARD_2: shard_2,
        "tokenizer.json": tokenizer_json(),
        "tokenizer_config.json": _json(
            {
                "tokenizer_class": "PreTrainedTokenizerFast",
                "bos_token": "<s>",
                "eos_token": "</s>",
                "unk_token": "<unk>",
            }
        ),
        "special_tokens_map.json": _json({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
        # Not for the engine: the same weights in another format, the original checkpoint, the card.
        "consolidated.safetensors": save(tensors, metadata={"format": "pt"}),
        "pytorch_model.bin": b"\x80\x02" + bytes(4096),
        "original/params.json": _json({"dim": sizes["hidden"], "n_layers": 1}),
        "README.md": b"# tiny llama\n",
        ".gitattributes": b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.bin filter=lfs diff=lfs merge=lfs -text\n",
    }


ENGINE_FILES = tuple(
    sorted(
        (
            "config.json",
            "generation_config.json",
            "model.safetensors.index.json",
            SHARD_1,
            SHARD_2,
            "special_tokens_map.json",
            "tokenizer.json",
            "tokenizer_config.json",
        )
    )
)
"""What `stage` must upload for `llama_files()`, sorted."""


def llama_repo(repo_id: str = "acme/tiny-llama", *, large: bool = False, **kwargs: Any) -> HubRepo:
    files = llama_files(large=large)
    lfs = {p for p in files if p.endswith((".safetensors", ".bin"))}
    return HubRepo(repo_id, files=files, lfs=lfs, **kwargs)


def custom_code_repo(repo_id: str = "acme/tiny-custom") -> HubRepo:
    """A model whose config and tokenizer map to its own Python modules (trust_remote_code)."""
    files = llama_files(seed=1)
    custom = {
        **config(**SMALL),
        "model_type": "tinycoder",
        "auto_map": {
            "AutoConfig": "configuration_tiny.TinyConfig",
            "AutoModelForCausalLM": "modeling_tiny.TinyForCausalLM",
        },
    }
    files["config.json"] = _json(custom)
    files["tokenizer_config.json"] = _json(
        {"tokenizer_class": "TinyTokenizer", "auto_map": {"AutoTokenizer": ["tokenization_tiny.TinyTokenizer", None]}}
    )
    files["configuration_tiny.py"] = (
        b"from transformers import PretrainedConfig\n\nclass TinyConfig(PretrainedConfig):\n    model_type = 'tinycoder'\n"
    )
    files["modeling_tiny.py"] = (
        b"from transformers import PreTrainedModel\nfrom .configuration_tiny import TinyConfig\nfrom . import tiny_layers\n\n"
        b"class TinyForCausalLM(PreTrainedModel):\n    config_class = TinyConfig\n"
    )
    files["tiny_layers.py"] = b"import torch\n\nLAYERS = 1\n"
    files["tokenization_tiny.py"] = (
        b"from transformers import PreTrainedTokenizerFast\n\nclass TinyTokenizer(PreTrainedTokenizerFast):\n    pass\n"
    )
    files["train.py"] = b"print('training script, not for serving')\n"
    lfs = {p for p in files if p.endswith((".safetensors", ".bin"))}
    return HubRepo(repo_id, files=files, lfs=lfs)
