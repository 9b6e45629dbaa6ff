"""Triton Python-backend model: turns the encoder's token states into one embedding per text.

LAST_HIDDEN_STATE [batch, length, hidden] and ATTENTION_MASK [batch, length] in; EMBEDDING
[batch, hidden] out: the mean of the states of the real tokens (padding is masked out), L2-normalised
unless the `normalize` parameter says "false". Each request is answered on its own, so a malformed one
gets an error and its neighbours in the batch still get their embeddings. Needs only numpy.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import triton_python_backend_utils as pb_utils


class BadRequest(ValueError):
    """The request, not the model, is at fault."""


def mean_pool(states: np.ndarray, mask: np.ndarray, *, normalize: bool) -> np.ndarray:
    if states.ndim != 3 or mask.ndim != 2 or states.shape[:2] != mask.shape:
        raise BadRequest(f"LAST_HIDDEN_STATE {list(states.shape)} and ATTENTION_MASK {list(mask.shape)} do not line up")
    weights = mask.astype(np.float32)[..., np.newaxis]
    summed = (states.astype(np.float32) * weights).sum(axis=1)
    # A row that is all padding would divide by zero; it pools to the zero vector instead.
    pooled = summed / np.maximum(weights.sum(axis=1), 1.0)
    if normalize:
        pooled = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return pooled


class TritonPythonModel:
    def initialize(self, args: dict[str, str]) -> None:
        config = json.loads(args["model_config"])
        setting = config.get("parameters", {}).get("normalize", {}).get("string_value", "true")
        self.normalize = setting.strip().lower() not in ("false", "0", "no")
        self.dtype = pb_utils.triton_string_to_numpy(
            pb_utils.get_output_config_by_name(config, "EMBEDDING")["data_type"]
        )

    def execute(self, requests: list[Any]) -> list[Any]:
        responses = []
        for request in requests:
            try:
                states = pb_utils.get_input_tensor_by_name(request, "LAST_HIDDEN_STATE")
                mask = pb_utils.get_input_tensor_by_name(request, "ATTENTION_MASK")
                if states is None or mask is None:
                    raise BadRequest("the request needs LAST_HIDDEN_STATE and ATTENTION_MASK")
                pooled = mean_pool(states.as_numpy(), mask.as_numpy(), normalize=self.normalize)
                embedding = pb_utils.Tensor("EMBEDDING", pooled.astype(self.dtype))
                responses.append(pb_utils.InferenceResponse(output_tensors=[embedding]))
            except BadRequest as err:
                responses.append(
                    pb_utils.InferenceResponse(error=pb_utils.TritonError(str(err), pb_utils.TritonError.INVALID_ARG))
                )
        return responses
