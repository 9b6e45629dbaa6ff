"""Python-backend stand-ins for the customers' networks, whose weights are never committed.

Each stand-in keeps the shipped config.pbtxt (parsed with Triton's ModelConfig protobuf): same name,
inputs, outputs, data types, dims, max_batch_size and dynamic batching. Only two things change: the
backend becomes `python` (no `default_model_filename`, which the python backend would load instead of
model.py) and KIND_GPU instance groups become KIND_CPU (there is no GPU here). The model.py files are
deterministic, so the tests can compute every answer exactly:

- embeddings `encoder` (TorchScript in production): the state of token `i` in dimension `h` is
  `hidden_state(i, h)`, a fixed function of the id;
- autocomplete `encoder` (ONNX): dimension 0 of each token's state is its id;
- autocomplete `decoder` (ONNX): at step `k` it picks the id after the prefix's `k`-th word id (ids
  below FIRST_WORD_ID and EOS skipped), then EOS once the prefix is used up. So a completion is the
  prefix's words each replaced by the word after it in the customer's vocabulary.

They run in the stub's own Python (numpy only), as the shipped postprocess model does.
"""

from __future__ import annotations

from pathlib import Path

from google.protobuf import text_format
from tritonclient.grpc.model_config_pb2 import ModelConfig, ModelInstanceGroup

VOCABULARY_SIZE = 64
EOS_ID = 1
FIRST_WORD_ID = 3  # 0 <pad>, 1 </s>, 2 <unk>, as the test tokenizers and T5 number them
EMBEDDING_HIDDEN = 8
AUTOCOMPLETE_HIDDEN = 2


def hidden_state(token_id: int, dimension: int) -> float:
    """The embeddings stand-in's state for one token: varied enough that different texts pool differently."""
    return float(((token_id + 1) * (2 * dimension + 3)) % 11) - 5.0


_COMMON = """
import json

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        self.config = json.loads(args["model_config"])

    def execute(self, requests):
        return [self.answer(request) for request in requests]
"""

EMBEDDINGS_ENCODER = f'''"""Stand-in for the customer's TorchScript encoder (see tests/triton/network_standins.py)."""
{_COMMON}
    def answer(self, request):
        ids = pb_utils.get_input_tensor_by_name(request, "input_ids__0").as_numpy()
        dims = np.arange({EMBEDDING_HIDDEN})
        states = (((ids[..., None] + 1) * (2 * dims + 3)) % 11 - 5.0).astype(np.float32)
        return pb_utils.InferenceResponse([pb_utils.Tensor("last_hidden_state__0", states)])
'''

AUTOCOMPLETE_ENCODER = f'''"""Stand-in for the customer's ONNX encoder (see tests/triton/network_standins.py)."""
{_COMMON}
    def answer(self, request):
        ids = pb_utils.get_input_tensor_by_name(request, "input_ids").as_numpy()
        states = np.zeros((*ids.shape, {AUTOCOMPLETE_HIDDEN}), np.float32)
        states[..., 0] = ids
        return pb_utils.InferenceResponse([pb_utils.Tensor("last_hidden_state", states)])
'''

AUTOCOMPLETE_DECODER = f'''"""Stand-in for the customer's ONNX decoder (see tests/triton/network_standins.py)."""
{_COMMON}
    def answer(self, request):
        ids = pb_utils.get_input_tensor_by_name(request, "input_ids").as_numpy()
        states = pb_utils.get_input_tensor_by_name(request, "encoder_hidden_states").as_numpy()
        mask = pb_utils.get_input_tensor_by_name(request, "encoder_attention_mask").as_numpy()
        logits = np.zeros((*ids.shape, {VOCABULARY_SIZE}), np.float32)
        for row in range(ids.shape[0]):
            prefix = [int(t) for t, m in zip(states[row, :, 0], mask[row]) if m and int(t) >= {FIRST_WORD_ID}]
            step = ids.shape[1] - 1  # tokens generated so far, after the start token
            chosen = prefix[step] + 1 if step < len(prefix) else {EOS_ID}
            logits[row, -1, chosen] = 10.0
        return pb_utils.InferenceResponse([pb_utils.Tensor("logits", logits)])
'''

STANDINS = {
    ("embeddings", "encoder"): EMBEDDINGS_ENCODER,
    ("autocomplete", "encoder"): AUTOCOMPLETE_ENCODER,
    ("autocomplete", "decoder"): AUTOCOMPLETE_DECODER,
}


def standin_config(shipped: str) -> str:
    """The shipped config with the python backend on the CPU, everything else as it is."""
    config = text_format.Parse(shipped, ModelConfig())
    config.backend = "python"
    config.platform = ""
    config.default_model_filename = ""
    for group in config.instance_group:
        if group.kind == ModelInstanceGroup.KIND_GPU:
            group.kind = ModelInstanceGroup.KIND_CPU
    header = "# Test stand-in generated from the shipped config: backend python, KIND_CPU; all else as shipped.\n"
    return header + text_format.MessageToString(config)


def install_standins(repository: Path, task: str) -> list[str]:
    """Replace the task's networks in a copy of its repository; returns the models replaced."""
    replaced = []
    for (standin_task, model), source in STANDINS.items():
        if standin_task != task:
            continue
        config = repository / model / "config.pbtxt"
        config.write_text(standin_config(config.read_text()))
        (repository / model / "1" / "model.py").write_text(source)
        replaced.append(model)
    return replaced
