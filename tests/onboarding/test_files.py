"""Which files of a repository `stage` takes: one weight format, the tokenizer, the code an auto_map needs."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from llm_hosting.onboarding import OnboardingError
from llm_hosting.onboarding.files import missing_parts, select_files

CONFIG = json.dumps({"model_type": "llama"}).encode()
TOKENIZER = {"tokenizer.json": b"{}", "tokenizer_config.json": b"{}", "special_tokens_map.json": b"{}"}


def index(*shards: str) -> bytes:
    return json.dumps({"weight_map": {f"layer.{i}": shard for i, shard in enumerate(shards)}}).encode()


def choose(files: Mapping[str, bytes], **kwargs: object) -> tuple[str, ...]:
    return select_files(files, files.__getitem__, **kwargs).files  # type: ignore[arg-type]


def repo(**files: bytes) -> dict[str, bytes]:
    return {"config.json": CONFIG, **TOKENIZER, **{k.replace("__", "."): v for k, v in files.items()}}


BASE = ("config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json")


def test_a_safetensors_index_takes_its_shards_and_nothing_of_the_other_formats() -> None:
    files = {
        **repo(),
        "model.safetensors.index.json": index("model-1.safetensors", "model-2.safetensors"),
        "model-1.safetensors": b"1",
        "model-2.safetensors": b"2",
        "consolidated.safetensors": b"all",
        "pytorch_model.bin": b"bin",
        "original/consolidated.00.pth": b"pth",
        "generation_config.json": b"{}",
        "README.md": b"#",
    }
    assert choose(files) == tuple(
        sorted(
            [
                *BASE,
                "generation_config.json",
                "model.safetensors.index.json",
                "model-1.safetensors",
                "model-2.safetensors",
            ]
        )
    )


def test_one_safetensors_file_wins_over_pytorch_bin() -> None:
    files = {**repo(), "model.safetensors": b"s", "pytorch_model.bin": b"b"}
    assert choose(files) == tuple(sorted([*BASE, "model.safetensors"]))


def test_pytorch_shards_when_there_is_no_safetensors() -> None:
    files = {
        **repo(),
        "pytorch_model.bin.index.json": index("pytorch_model-1.bin", "pytorch_model-2.bin"),
        "pytorch_model-1.bin": b"1",
        "pytorch_model-2.bin": b"2",
        "training_args.bin": b"trainer state",
    }
    assert choose(files) == tuple(
        sorted([*BASE, "pytorch_model.bin.index.json", "pytorch_model-1.bin", "pytorch_model-2.bin"])
    )


def test_loose_safetensors_without_an_index_are_taken_but_not_an_adapter() -> None:
    files = {**repo(), "weights.safetensors": b"w", "adapter_model.safetensors": b"a"}
    assert choose(files) == tuple(sorted([*BASE, "weights.safetensors"]))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"tokenizer.json": b"{}", "model.safetensors": b"w"},
            "has no config.json at its top level; stage a transformers model repository",
        ),
        (
            repo(config__json=b"{}", model__safetensors=b"w"),
            "config.json has no model_type, so no engine can tell which architecture to build; stage a transformers "
            "model (its config.json names model_type)",
        ),
        (
            repo(config__json=b"[1]", model__safetensors=b"w"),
            "config.json holds list, not a JSON object; the repository is not usable",
        ),
        (
            repo(training_args__bin=b"t"),
            "holds no weight files (model.safetensors, model.safetensors.index.json and its shards, or "
            "pytorch_model.bin); stage a transformers model, or name the files with --allow-patterns",
        ),
        (
            {**repo(), "model.safetensors.index.json": index("a.safetensors", "b.safetensors"), "a.safetensors": b"a"},
            "model.safetensors.index.json names b.safetensors, which the repository does not hold; choose a "
            "--revision where every shard is uploaded",
        ),
        (
            {"config.json": CONFIG, "tokenizer_config.json": b"{}", "model.safetensors": b"w"},
            "holds no tokenizer vocabulary (tokenizer.json, tokenizer.model, spiece.model, vocab.json, vocab.txt or "
            "*.tiktoken) at its top level, so the engine cannot tokenize; name the files with --allow-patterns",
        ),
    ],
    ids=["no-config", "no-model-type", "config-not-object", "no-weights", "missing-shard", "no-vocabulary"],
)
def test_a_repository_an_engine_cannot_load_is_refused(files: dict[str, bytes], expected: str) -> None:
    with pytest.raises(OnboardingError) as raised:
        choose(files)
    assert str(raised.value) == expected


def test_sentencepiece_and_tiktoken_vocabularies_count() -> None:
    for vocabulary in ("spiece.model", "tokenizer.model", "sentencepiece.bpe.model", "qwen.tiktoken", "vocab.txt"):
        files = {"config.json": CONFIG, vocabulary: b"v", "model.safetensors": b"w"}
        assert choose(files) == tuple(sorted(["config.json", vocabulary, "model.safetensors"]))


def test_allow_patterns_choose_instead_and_config_json_comes_along() -> None:
    files = {**repo(), "model.safetensors": b"s", "original/consolidated.00.pth": b"p", "original/x.bin": b"b"}
    assert choose(files, allow_patterns=["original/*.bin", "tokenizer.json"]) == (
        "config.json",
        "original/x.bin",
        "tokenizer.json",
    )
    with pytest.raises(OnboardingError) as raised:
        choose(files, allow_patterns=["tokenizer*"])
    assert (
        str(raised.value)
        == "--allow-patterns tokenizer* match no weight files (*.safetensors, *.bin); add a pattern that does"
    )


def test_auto_map_code_is_taken_with_its_relative_imports_and_other_repositories_are_named() -> None:
    config = {
        "model_type": "tinycoder",
        "auto_map": {
            "AutoConfig": "configuration_tiny.TinyConfig",
            "AutoModelForCausalLM": "modeling_tiny.TinyForCausalLM",
            "AutoModel": "other/repo--modeling_other.Other",
        },
    }
    files = {
        **repo(),
        "config.json": json.dumps(config).encode(),
        "tokenizer_config.json": json.dumps({"auto_map": {"AutoTokenizer": ["tokenization_tiny.T", None]}}).encode(),
        "model.safetensors": b"w",
        "configuration_tiny.py": b"X = 1\n",
        "modeling_tiny.py": b"from .configuration_tiny import X\nfrom . import layers, heads\n",
        "layers.py": b"from .utils import helper\n",
        "heads.py": b"import torch\n",
        "utils.py": b"def helper(): ...\n",
        "tokenization_tiny.py": b"class T: ...\n",
        "train.py": b"print('not served')\n",
    }
    selection = select_files(files, files.__getitem__)
    assert selection.custom_code == (
        "configuration_tiny.py",
        "heads.py",
        "layers.py",
        "modeling_tiny.py",
        "tokenization_tiny.py",
        "utils.py",
    )
    assert selection.remote_code == ("other/repo--modeling_other.Other",)
    assert "train.py" not in selection.files


def test_auto_map_naming_a_module_the_repository_lacks_is_refused() -> None:
    config = {"model_type": "x", "auto_map": {"AutoModel": "modeling_x.X"}}
    files = {**repo(), "config.json": json.dumps(config).encode(), "model.safetensors": b"w"}
    with pytest.raises(OnboardingError) as raised:
        choose(files)
    assert str(raised.value) == (
        "its auto_map needs modeling_x.py, which the repository does not hold; the model cannot load its custom code"
    )


def test_missing_parts_name_what_keeps_a_folder_from_loading() -> None:
    fetch = {"model.safetensors.index.json": index("a.safetensors", "b.safetensors")}.__getitem__
    assert missing_parts(["config.json", "tokenizer.json", "model.safetensors"], fetch) == []
    assert missing_parts(["model.safetensors.index.json", "a.safetensors"], fetch) == [
        "has no config.json",
        "model.safetensors.index.json names b.safetensors, which the repository does not hold",
        "has no tokenizer vocabulary (tokenizer.json, tokenizer.model, spiece.model, vocab.*, *.tiktoken)",
    ]
