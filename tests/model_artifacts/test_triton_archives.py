"""Packing a Triton repository gives the archive a SageMaker multi-model endpoint loads.

SageMaker unpacks `<TargetModel>.tar.gz` into a directory and registers it as one Triton model
repository: the models are the top-level folders, and the one whose config declares the ensemble
platform is loaded under the TargetModel's name (src/sagemaker_server.cc in
triton-inference-server/server). So the repository's folders go at the archive's root, with no prefix.
"""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest

from llm_hosting.packaging import build_archive
from tests.model_artifacts.triton_config import TRITON, missing_files, sagemaker_entry_model

# What a customer adds to a copy of each repository before publishing it (see the README).
CUSTOMER_FILES = {
    "embeddings": [
        "encoder/1/model.pt",
        "preprocess/1/tokenizer.json",
        "preprocess/1/tokenizer_config.json",
        "python-env.tar.gz",
    ],
    "autocomplete": [
        "decoder/1/model.onnx",
        "encoder/1/model.onnx",
        "preprocess/1/tokenizer.json",
        "preprocess/1/tokenizer_config.json",
        "python-env.tar.gz",
    ],
}

EXPECTED_MEMBERS = {
    "embeddings": [
        "embeddings",
        "embeddings/1",
        "embeddings/1/README.md",
        "embeddings/config.pbtxt",
        "encoder",
        "encoder/1",
        "encoder/1/README.md",
        "encoder/1/model.pt",
        "encoder/config.pbtxt",
        "postprocess",
        "postprocess/1",
        "postprocess/1/model.py",
        "postprocess/config.pbtxt",
        "preprocess",
        "preprocess/1",
        "preprocess/1/model.py",
        "preprocess/1/tokenizer.json",
        "preprocess/1/tokenizer_config.json",
        "preprocess/config.pbtxt",
        "python-env.tar.gz",
    ],
    "autocomplete": [
        "autocomplete",
        "autocomplete/1",
        "autocomplete/1/README.md",
        "autocomplete/config.pbtxt",
        "decoder",
        "decoder/1",
        "decoder/1/README.md",
        "decoder/1/model.onnx",
        "decoder/config.pbtxt",
        "encoder",
        "encoder/1",
        "encoder/1/README.md",
        "encoder/1/model.onnx",
        "encoder/config.pbtxt",
        "generate",
        "generate/1",
        "generate/1/model.py",
        "generate/config.pbtxt",
        "preprocess",
        "preprocess/1",
        "preprocess/1/model.py",
        "preprocess/1/tokenizer.json",
        "preprocess/1/tokenizer_config.json",
        "preprocess/config.pbtxt",
        "python-env.tar.gz",
    ],
}


def filled_in_copy(repository: str, tmp_path: Path) -> Path:
    """A copy of the repository with the customer's files added, as it is before publishing."""
    copy = tmp_path / f"acme-{repository}"
    shutil.copytree(TRITON / repository, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for relative in CUSTOMER_FILES[repository]:
        (copy / relative).write_bytes(b"customer bytes for " + relative.encode())
    return copy


@pytest.mark.parametrize("repository", sorted(CUSTOMER_FILES))
def test_the_archive_holds_the_repositorys_folders_at_its_root(repository: str, tmp_path: Path) -> None:
    archive = build_archive(tmp_path / "acme.tar.gz", source=filled_in_copy(repository, tmp_path))
    with tarfile.open(archive) as tar:
        assert tar.getnames() == EXPECTED_MEMBERS[repository]


@pytest.mark.parametrize("repository", sorted(CUSTOMER_FILES))
def test_sagemaker_loads_the_ensemble_from_the_unpacked_archive_with_everything_it_needs(
    repository: str, tmp_path: Path
) -> None:
    archive = build_archive(tmp_path / "acme.tar.gz", source=filled_in_copy(repository, tmp_path))
    unpacked = tmp_path / "opt-ml-models-hash" / "model"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    assert sagemaker_entry_model(unpacked) == repository
    assert missing_files(unpacked) == []


@pytest.mark.parametrize("repository", sorted(CUSTOMER_FILES))
def test_the_committed_repository_lacks_exactly_the_customers_files(repository: str) -> None:
    # Weights and the Python environment are per customer; the tokenizer is checked by loading it.
    expected = [f for f in CUSTOMER_FILES[repository] if "tokenizer" not in f]
    assert missing_files(TRITON / repository) == expected


@pytest.mark.parametrize("repository", sorted(CUSTOMER_FILES))
def test_the_readme_lists_every_file_a_customer_adds(repository: str) -> None:
    readme = (TRITON / "README.md").read_text()
    for relative in CUSTOMER_FILES[repository]:
        assert f"`{relative}`" in readme, relative
