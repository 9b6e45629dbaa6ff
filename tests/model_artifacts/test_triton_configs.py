"""The Triton model repositories: every config is one Triton accepts, and every ensemble is wired up.

Schema: each config.pbtxt parses with Triton's own ModelConfig protobuf (unknown fields and enum values
fail). Wiring: the checks Triton makes when it loads an ensemble, which the schema cannot make.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf.text_format import ParseError
from tritonclient.grpc.model_config_pb2 import ModelInstanceGroup

from tests.model_artifacts.triton_config import (
    REPOSITORIES,
    SAGEMAKER_ENSEMBLE_PATTERN,
    TRITON,
    backend_of,
    ensemble_problems,
    is_ensemble,
    load_repository,
    model_file,
    parse_config,
)

CONFIGS = sorted(TRITON.glob("*/*/config.pbtxt"))
EMBEDDINGS_ENSEMBLE = (TRITON / "embeddings" / "embeddings" / "config.pbtxt").read_text()


def _id(path: Path) -> str:
    return path.parent.relative_to(TRITON).as_posix()


def test_every_repository_has_its_configs() -> None:
    assert {path.parent.parent.name for path in CONFIGS} == set(REPOSITORIES)
    assert len(CONFIGS) == 9


@pytest.mark.parametrize("path", CONFIGS, ids=_id)
def test_the_config_parses_with_tritons_schema_and_names_its_directory(path: Path) -> None:
    config = parse_config(path.read_text())
    # Triton refuses a model whose name differs from its directory (unless SageMaker maps it).
    assert config.name == path.parent.name


@pytest.mark.parametrize(
    ("broken", "complaint"),
    [
        (EMBEDDINGS_ENSEMBLE.replace("max_batch_size", "max_batchsize"), "max_batchsize"),
        (EMBEDDINGS_ENSEMBLE.replace("TYPE_FP32", "TYPE_FLOAT32"), "TYPE_FLOAT32"),
        (EMBEDDINGS_ENSEMBLE.replace("dims: [ -1 ]", 'dims: [ "x" ]'), "dims"),
    ],
    ids=["misspelt field", "unknown data type", "non-integer dims"],
)
def test_the_schema_check_rejects_a_broken_config(broken: str, complaint: str) -> None:
    with pytest.raises(ParseError, match=complaint):
        parse_config(broken)


@pytest.mark.parametrize("path", CONFIGS, ids=_id)
def test_the_model_has_its_version_directory_and_no_committed_weights(path: Path) -> None:
    config = parse_config(path.read_text())
    version = path.parent / "1"
    assert version.is_dir()
    wanted = model_file(config)
    if backend_of(config) == "python":
        assert (version / "model.py").is_file()
    elif wanted is not None:
        # The customer's weights are added to a copy before publishing; never committed here.
        assert not (version / wanted).exists()
        assert wanted in path.read_text() or wanted in (version / "README.md").read_text()


@pytest.mark.parametrize("path", CONFIGS, ids=_id)
def test_networks_run_on_the_gpu_with_dynamic_batching_and_python_steps_on_the_cpu(path: Path) -> None:
    config = parse_config(path.read_text())
    kinds = {group.kind for group in config.instance_group}
    if is_ensemble(config):
        assert not kinds
    elif backend_of(config) == "python":
        assert kinds == {ModelInstanceGroup.KIND_CPU}
    else:
        assert kinds == {ModelInstanceGroup.KIND_GPU}
        assert config.HasField("dynamic_batching")


@pytest.mark.parametrize("path", CONFIGS, ids=_id)
def test_only_the_entry_ensemble_looks_like_one_to_sagemaker(path: Path) -> None:
    # SageMaker matches this pattern on the raw text, comments included.
    looks_like_ensemble = SAGEMAKER_ENSEMBLE_PATTERN.search(path.read_text()) is not None
    assert looks_like_ensemble == is_ensemble(parse_config(path.read_text()))


@pytest.mark.parametrize("repository", REPOSITORIES)
def test_the_ensemble_is_wired_as_triton_requires(repository: str) -> None:
    assert ensemble_problems(load_repository(TRITON / repository)) == []


@pytest.mark.parametrize("repository", REPOSITORIES)
def test_every_model_of_the_repository_is_a_step_of_its_ensemble(repository: str) -> None:
    configs = load_repository(TRITON / repository)
    (entry,) = (name for name, config in configs.items() if is_ensemble(config))
    steps = {step.model_name for step in configs[entry].ensemble_scheduling.step}
    # SageMaker loads only the ensemble and its steps: anything else in the archive would never load.
    assert steps == set(configs) - {entry}


def _embeddings_with(old: str, new: str) -> dict[str, object]:
    configs = load_repository(TRITON / "embeddings")
    configs["embeddings"] = parse_config(EMBEDDINGS_ENSEMBLE.replace(old, new))
    return configs


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('model_name: "postprocess"', 'model_name: "pooling"', "step pooling names no model of this repository"),
        ('key: "input_ids__0"', 'key: "input_ids"', "step encoder has no input input_ids"),
        ('key: "input_ids__0"', 'key: "input_ids"', "required input input_ids__0 of step encoder is not mapped"),
        ('key: "EMBEDDING" value', 'key: "POOLED" value', "step postprocess has no output POOLED"),
        ('value: "EMBEDDING"', 'value: "embedding"', "ensemble output EMBEDDING is produced by []"),
        (
            '{ key: "TEXT" value: "TEXT" }',
            '{ key: "TEXT" value: "PROMPT" }',
            "ensemble input TEXT is consumed by no step",
        ),
        ('{ key: "TEXT" value: "TEXT" }', '{ key: "TEXT" value: "PROMPT" }', "tensor PROMPT is consumed but no step"),
        ("max_batch_size: 32", "max_batch_size: 64", "allows batches of 64 but step preprocess only 32"),
        ("TYPE_FP32", "TYPE_FP16", "tensor EMBEDDING is TYPE_FP16 in embeddings but TYPE_FP32 in postprocess"),
        ("dims: [ -1 ]", "dims: [ -1, -1 ]", "tensor EMBEDDING has shape [-1, -1, -1] in embeddings but [-1, -1]"),
        (
            'key: "last_hidden_state__0" value: "last_hidden_state"',
            'key: "last_hidden_state__0" value: "attention_mask"',
            "tensor attention_mask is produced by ['preprocess', 'encoder']",
        ),
        ("ensemble_scheduling {", "instance_group [ { kind: KIND_GPU } ]\nensemble_scheduling {", "no instance_group"),
    ],
)
def test_the_wiring_check_finds_a_broken_ensemble(old: str, new: str, problem: str) -> None:
    assert old in EMBEDDINGS_ENSEMBLE
    problems = ensemble_problems(_embeddings_with(old, new))
    assert any(problem in p for p in problems), problems


def test_a_second_ensemble_in_one_archive_is_a_problem() -> None:
    configs = load_repository(TRITON / "embeddings")
    configs["copy"] = parse_config(EMBEDDINGS_ENSEMBLE.replace('name: "embeddings"', 'name: "copy"'))
    assert "exactly one ensemble" in ensemble_problems(configs)[0]
