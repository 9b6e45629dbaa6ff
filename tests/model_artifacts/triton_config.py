"""Reading the Triton repositories under model_artifacts/triton, and running their Python models locally.

Configs are parsed with Triton's own ModelConfig protobuf. `ensemble_problems` makes the checks Triton
makes when it loads an ensemble (and a few SageMaker adds), so tests can show they pass for the
committed repositories and fail for broken ones. The Python models run alone against the
`triton_python_backend_utils` stand-in here; whole ensembles run in a real Triton server in tests/triton.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import triton_python_backend_utils as pb_utils
from google.protobuf import json_format, text_format
from tritonclient.grpc import model_config_pb2

from tests.model_artifacts.handlers import load_handler
from tests.synth import ROOT

TRITON = ROOT / "model_artifacts" / "triton"
REPOSITORIES = ("embeddings", "autocomplete")

# SageMaker's Triton front end finds an archive's ensemble with this pattern on the raw config text
# (triton-inference-server/server, src/sagemaker_server.h).
SAGEMAKER_ENSEMBLE_PATTERN = re.compile(r'platform:(\s)*"ensemble"')

# The file each backend loads from a model's version directory when the config names none.
DEFAULT_MODEL_FILES = {"python": "model.py", "pytorch": "model.pt", "onnxruntime": "model.onnx"}

ModelConfig = model_config_pb2.ModelConfig
DataType = model_config_pb2.DataType


def parse_config(text: str) -> Any:
    """A config.pbtxt as Triton reads it; raises on unknown fields and bad enum values."""
    return text_format.Parse(text, ModelConfig())


def load_repository(repository: Path) -> dict[str, Any]:
    """Every model of a Triton repository: directory name -> parsed config."""
    return {path.parent.name: parse_config(path.read_text()) for path in sorted(repository.glob("*/config.pbtxt"))}


def is_ensemble(config: Any) -> bool:
    return config.platform == "ensemble"


def backend_of(config: Any) -> str:
    return config.backend or {"pytorch_libtorch": "pytorch", "onnxruntime_onnx": "onnxruntime"}.get(
        config.platform, config.platform
    )


def model_file(config: Any) -> str | None:
    """The file Triton loads from the version directory, or None for an ensemble."""
    if is_ensemble(config):
        return None
    if backend_of(config) == "python":
        return "model.py"
    return config.default_model_filename or DEFAULT_MODEL_FILES[backend_of(config)]


def _dims_match(left: Iterable[int], right: Iterable[int]) -> bool:
    left, right = list(left), list(right)
    return len(left) == len(right) and all(a == b or -1 in (a, b) for a, b in zip(left, right, strict=True))


@dataclass
class _Tensor:
    owner: str
    data_type: int
    dims: list[int]
    full_dims: list[int]


def ensemble_problems(configs: Mapping[str, Any]) -> list[str]:
    """What is wrong with the ensembles of one repository (empty when nothing is)."""
    problems: list[str] = []
    ensembles = [name for name, config in configs.items() if is_ensemble(config)]
    if len(ensembles) != 1:
        problems.append(f"a multi-model archive needs exactly one ensemble, found {ensembles}")
    for name in ensembles:
        problems += _one_ensemble_problems(name, configs)
    return problems


def _full_dims(config: Any, dims: Iterable[int]) -> list[int]:
    return ([-1] if config.max_batch_size > 0 else []) + list(dims)


def _tensor(owner: str, config: Any, item: Any) -> _Tensor:
    return _Tensor(owner, item.data_type, list(item.dims), _full_dims(config, item.dims))


def _one_ensemble_problems(name: str, configs: Mapping[str, Any]) -> list[str]:
    ensemble = configs[name]
    problems: list[str] = []
    if ensemble.instance_group:
        problems.append(f"{name}: ensembles take no instance_group (their steps have their own)")
    tensors: dict[str, _Tensor] = {}
    produced_by: dict[str, list[str]] = {}
    consumed: set[str] = set()

    def meet(tensor: str, found: _Tensor) -> None:
        known = tensors.setdefault(tensor, found)
        if known.data_type != found.data_type:
            problems.append(
                f"{name}: tensor {tensor} is {DataType.Name(known.data_type)} in {known.owner} "
                f"but {DataType.Name(found.data_type)} in {found.owner}"
            )
        # As Triton does: a batching and a non-batching model may share a tensor if either form matches.
        elif not (_dims_match(known.dims, found.dims) or _dims_match(known.full_dims, found.full_dims)):
            problems.append(
                f"{name}: tensor {tensor} has shape {known.full_dims} in {known.owner} "
                f"but {found.full_dims} in {found.owner}"
            )

    for item in ensemble.input:
        meet(item.name, _tensor(name, ensemble, item))
    for item in ensemble.output:
        meet(item.name, _tensor(name, ensemble, item))

    for step in ensemble.ensemble_scheduling.step:
        model = configs.get(step.model_name)
        if model is None:
            problems.append(f"{name}: step {step.model_name} names no model of this repository")
            continue
        if 0 < model.max_batch_size < ensemble.max_batch_size:
            problems.append(
                f"{name}: allows batches of {ensemble.max_batch_size} but step {step.model_name} "
                f"only {model.max_batch_size}"
            )
        inputs = {item.name: item for item in model.input}
        outputs = {item.name: item for item in model.output}
        for key, tensor in step.input_map.items():
            if key not in inputs:
                problems.append(f"{name}: step {step.model_name} has no input {key}")
                continue
            consumed.add(tensor)
            meet(tensor, _tensor(step.model_name, model, inputs[key]))
        for key, item in inputs.items():
            if key not in step.input_map and not item.optional:
                problems.append(f"{name}: required input {key} of step {step.model_name} is not mapped")
        for key, tensor in step.output_map.items():
            if key not in outputs:
                problems.append(f"{name}: step {step.model_name} has no output {key}")
                continue
            produced_by.setdefault(tensor, []).append(step.model_name)
            meet(tensor, _tensor(step.model_name, model, outputs[key]))

    ensemble_inputs = {item.name for item in ensemble.input}
    for tensor in sorted(ensemble_inputs - consumed):
        problems.append(f"{name}: ensemble input {tensor} is consumed by no step")
    for item in ensemble.output:
        if len(produced_by.get(item.name, [])) != 1:
            problems.append(f"{name}: ensemble output {item.name} is produced by {produced_by.get(item.name, [])}")
    for tensor, producers in produced_by.items():
        if tensor in ensemble_inputs:
            problems.append(f"{name}: tensor {tensor} is an ensemble input and also produced by {producers}")
        elif len(producers) > 1:
            problems.append(f"{name}: tensor {tensor} is produced by {producers}")
    for tensor in sorted(consumed - ensemble_inputs - set(produced_by)):
        problems.append(f"{name}: tensor {tensor} is consumed but no step produces it")
    return problems


def config_json(config: Any) -> dict[str, Any]:
    """The model config as Triton hands it to a Python model (`args["model_config"]`, parsed)."""
    data = json_format.MessageToDict(config, preserving_proto_field_name=True)
    # Protobuf's JSON writes int64 as strings; Triton's writer turns dims back into numbers.
    for section in ("input", "output"):
        for item in data.get(section, []):
            item["dims"] = [int(d) for d in item.get("dims", [])]
    return data


def initialize_args(repository: str, model: str) -> dict[str, str]:
    """The `args` Triton passes to a Python model's initialize()."""
    config = load_repository(TRITON / repository)[model]
    return {
        "model_config": json.dumps(config_json(config)),
        "model_instance_kind": "CPU",
        "model_instance_device_id": "0",
        "model_repository": str(TRITON / repository / model),
        "model_version": "1",
        "model_name": model,
    }


def load_python_model(repository: str, model: str) -> ModuleType:
    return load_handler(f"triton/{repository}/{model}/1", f"triton_{repository}_{model}")


class FakeTokenizer:
    """Stands in for a Hugging Face tokenizer: one id per word, </s> appended, ids 0-2 special."""

    pad_token_id = 0
    eos_token_id = 1
    unk_token_id = 2

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.calls: list[list[str]] = []

    def token_id(self, word: str) -> int:
        return self.vocabulary.setdefault(word, len(self.vocabulary) + 3)

    def __call__(self, texts: list[str], *, truncation: bool = False, max_length: int | None = None) -> dict[str, Any]:
        self.calls.append(list(texts))
        ids = [[self.token_id(word) for word in text.split()] + [self.eos_token_id] for text in texts]
        if truncation and max_length is not None:
            # Hugging Face keeps the closing </s> when it truncates.
            ids = [row if len(row) <= max_length else [*row[: max_length - 1], self.eos_token_id] for row in ids]
        return {"input_ids": ids, "attention_mask": [[1] * len(row) for row in ids]}

    def decode(self, ids: Iterable[int], *, skip_special_tokens: bool = False) -> str:
        words = {token: word for word, token in self.vocabulary.items()}
        special = {self.pad_token_id: "<pad>", self.eos_token_id: "</s>", self.unk_token_id: "<unk>"}
        shown = [
            words.get(token, special.get(token, f"<{token}>"))
            for token in ids
            if not (skip_special_tokens and token in special)
        ]
        return " ".join(shown)


def texts_tensor(*texts: str | bytes, name: str = "TEXT") -> Any:
    values = [t.encode("utf-8") if isinstance(t, str) else t for t in texts]
    return pb_utils.Tensor(name, np.array(values, dtype=np.object_).reshape(-1, 1))


def request(*inputs: Any, outputs: Iterable[str] = ()) -> Any:
    """A request as the server hands it to a model's execute()."""
    return pb_utils.InferenceRequest(inputs=list(inputs), requested_output_names=list(outputs), model_name="")


def output(response: Any, name: str) -> np.ndarray:
    assert not response.has_error(), response.error().message()
    tensor = pb_utils.get_output_tensor_by_name(response, name)
    assert tensor is not None, f"no output {name}"
    return tensor.as_numpy()


def serve_fake_model(repository: str, model: str, execute: Callable[[Any], Any]) -> None:
    """Register a fake for a model whose weights are not here, checked against its real config."""
    config = config_json(load_repository(TRITON / repository)[model])
    pb_utils.register_model(model, execute, config)


def sagemaker_entry_model(archive_root: Path) -> str:
    """Which model SageMaker's Triton loads from an extracted archive (src/sagemaker_server.cc, MME load).

    One top-level directory: that one. Several: the one whose config.pbtxt matches the ensemble
    pattern. A config.pbtxt at the root would make the root itself the model.
    """
    if (archive_root / "config.pbtxt").exists():
        return "."
    directories = sorted(p for p in archive_root.iterdir() if p.is_dir())
    if len(directories) == 1:
        return directories[0].name
    ensembles = [
        d.name
        for d in directories
        if (d / "config.pbtxt").exists() and SAGEMAKER_ENSEMBLE_PATTERN.search((d / "config.pbtxt").read_text())
    ]
    # SageMaker keeps the last match in readdir order, which is arbitrary: more than one is a defect.
    assert len(ensembles) == 1, f"SageMaker cannot tell which model to load: ensembles {ensembles}"
    return ensembles[0]


def missing_files(repository: Path) -> list[str]:
    """Files Triton needs to load the archive's entry model and everything its steps name."""
    configs = load_repository(repository)
    entry = sagemaker_entry_model(repository)
    needed = [entry, *(step.model_name for step in configs[entry].ensemble_scheduling.step)]
    missing = []
    for name in needed:
        version = repository / name / "1"
        wanted = model_file(configs[name])
        if not version.is_dir():
            missing.append(f"{name}/1/")
        elif wanted is not None and not (version / wanted).exists():
            missing.append(f"{name}/1/{wanted}")
        parameters = configs[name].parameters
        if "EXECUTION_ENV_PATH" in parameters:
            setting = parameters["EXECUTION_ENV_PATH"].string_value
            env = (repository / name / setting.replace("$$TRITON_MODEL_DIRECTORY/", "")).resolve()
            if not env.exists():
                missing.append(env.relative_to(repository.resolve()).as_posix())
    return sorted(set(missing))
