"""Triton Python-backend model: greedy seq2seq generation for autocomplete, looping on the decoder through BLS.

Per request the ensemble hands this model the encoder's states for the prefix (computed once, by the
ensemble's encoder step), the prefix's attention mask, the decoder's start ids and the logits of the
first decoder step. Each further token is one BLS call to the decoder with the tokens chosen so far and
those same cached encoder states, until every row has produced EOS or its MAX_NEW_TOKENS (optional,
default and ceiling from the config's parameters); rows that finish drop out of later calls. The
completion text (EOS and special tokens removed) is returned as COMPLETION [batch, 1].

The decoder is called by the name in the `decoder_model` parameter, never a fixed name: Triton
resolves BLS names across every archive loaded on the instance, so `publish` renames each archive's
decoder and rewrites that parameter (see model_artifacts/triton/README.md).

A bad request gets an error of its own; the other requests of the batch are still answered. Needs
numpy, and the tokenizer `preprocess` loaded (imported only when Triton loads the model).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import triton_python_backend_utils as pb_utils

# The decoder's tensors, as named in decoder/config.pbtxt.
DECODER_INPUT_IDS = "input_ids"
DECODER_ENCODER_STATES = "encoder_hidden_states"
DECODER_ENCODER_MASK = "encoder_attention_mask"
DECODER_LOGITS = "logits"


class BadRequest(ValueError):
    """The request, not the model, is at fault."""


def load_auto_tokenizer(path: str) -> Any:
    from transformers import AutoTokenizer  # noqa: PLC0415 - exists only in the archive's Python environment

    return AutoTokenizer.from_pretrained(path)


def parameter(model_config: dict[str, Any], key: str, default: str) -> str:
    return str(model_config.get("parameters", {}).get(key, {}).get("string_value", default))


def required_input(request: Any, name: str, rank: int) -> np.ndarray:
    tensor = pb_utils.get_input_tensor_by_name(request, name)
    if tensor is None:
        raise BadRequest(f"the request has no {name} input")
    array = tensor.as_numpy()
    if array.ndim != rank:
        raise BadRequest(f"{name} must have {rank} dimensions, got shape {list(array.shape)}")
    return array


class TritonPythonModel:
    def __init__(self, load_tokenizer: Callable[[str], Any] = load_auto_tokenizer) -> None:
        self._load_tokenizer = load_tokenizer

    def initialize(self, args: dict[str, str]) -> None:
        config = json.loads(args["model_config"])
        self.decoder_model = parameter(config, "decoder_model", "decoder")
        self.eos_token_id = int(parameter(config, "eos_token_id", "1"))
        self.default_max_new_tokens = int(parameter(config, "default_max_new_tokens", "32"))
        self.max_new_tokens_limit = int(parameter(config, "max_new_tokens_limit", "128"))
        tokenizer_dir = Path(args["model_repository"]) / parameter(config, "tokenizer_dir", "../preprocess/1")
        self.tokenizer = self._load_tokenizer(str(tokenizer_dir))

    def execute(self, requests: list[Any]) -> list[Any]:
        responses = []
        for request in requests:
            try:
                texts = self.complete(request)
                completion = np.array([[text.encode("utf-8")] for text in texts], dtype=np.object_)
                responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("COMPLETION", completion)]))
            except BadRequest as err:
                responses.append(
                    pb_utils.InferenceResponse(error=pb_utils.TritonError(str(err), pb_utils.TritonError.INVALID_ARG))
                )
            except Exception as err:  # a failed decoder call ends this request, not the batch
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError(f"generation failed: {err}")))
        return responses

    def complete(self, request: Any) -> list[str]:
        states = required_input(request, "ENCODER_HIDDEN_STATES", 3)
        mask = required_input(request, "ATTENTION_MASK", 2)
        start_ids = required_input(request, "DECODER_INPUT_IDS", 2)
        first_logits = required_input(request, "LOGITS", 3)
        rows = states.shape[0]
        if not (mask.shape[0] == start_ids.shape[0] == first_logits.shape[0] == rows):
            raise BadRequest("ENCODER_HIDDEN_STATES, ATTENTION_MASK, DECODER_INPUT_IDS and LOGITS differ in batch size")
        budgets = self.budgets(request, rows)
        tokens = self.generate(states, mask, start_ids, first_logits, budgets)
        return [self.tokenizer.decode(row, skip_special_tokens=True) for row in tokens]

    def budgets(self, request: Any, rows: int) -> list[int]:
        tensor = pb_utils.get_input_tensor_by_name(request, "MAX_NEW_TOKENS")
        if tensor is None:
            return [self.default_max_new_tokens] * rows
        values = tensor.as_numpy().reshape(-1)
        if values.size != rows:
            raise BadRequest(f"MAX_NEW_TOKENS has {values.size} values for {rows} texts")
        limit = self.max_new_tokens_limit
        bad = [int(v) for v in values if not 1 <= int(v) <= limit]
        if bad:
            raise BadRequest(f"MAX_NEW_TOKENS must be between 1 and {limit}, got {bad[0]}")
        return [int(v) for v in values]

    def generate(
        self,
        states: np.ndarray,
        mask: np.ndarray,
        start_ids: np.ndarray,
        first_logits: np.ndarray,
        budgets: list[int],
    ) -> list[list[int]]:
        tokens: list[list[int]] = [[] for _ in budgets]
        active = list(range(len(budgets)))
        next_ids = first_logits[:, -1, :].argmax(axis=-1)
        while True:
            still_going = []
            for row, token in zip(active, next_ids.tolist(), strict=True):
                if token == self.eos_token_id:
                    continue
                tokens[row].append(token)
                if len(tokens[row]) < budgets[row]:
                    still_going.append(row)
            if not still_going:
                return tokens
            if still_going != active:
                # The cache is cut down only when a row finishes; otherwise every call gets the same arrays.
                keep = [active.index(row) for row in still_going]
                states, mask, start_ids = states[keep], mask[keep], start_ids[keep]
                active = still_going
            # Rows advance in lockstep, so the active rows' decoder inputs have one length.
            chosen = np.array([tokens[row] for row in active], dtype=start_ids.dtype)
            logits = self.decode(np.concatenate([start_ids, chosen], axis=1), states, mask)
            next_ids = logits[:, -1, :].argmax(axis=-1)

    def decode(self, decoder_ids: np.ndarray, states: np.ndarray, mask: np.ndarray) -> np.ndarray:
        response = pb_utils.InferenceRequest(
            model_name=self.decoder_model,
            requested_output_names=[DECODER_LOGITS],
            inputs=[
                pb_utils.Tensor(DECODER_INPUT_IDS, decoder_ids),
                pb_utils.Tensor(DECODER_ENCODER_STATES, states),
                pb_utils.Tensor(DECODER_ENCODER_MASK, mask),
            ],
        ).exec()
        if response.has_error():
            raise pb_utils.TritonModelException(f"decoder {self.decoder_model!r}: {response.error().message()}")
        return pb_utils.get_output_tensor_by_name(response, DECODER_LOGITS).as_numpy()
