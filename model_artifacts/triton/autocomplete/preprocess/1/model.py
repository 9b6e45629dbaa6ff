"""Triton Python-backend model: tokenizes text for an encoder (the same file serves both Triton repositories).

TEXT [batch, 1] (UTF-8 bytes) in; INPUT_IDS and ATTENTION_MASK [batch, length] (int64) out, plus
DECODER_INPUT_IDS [batch, 1] (the decoder's start token) when the model's config declares that output.
All requests of one execute() are padded to one length, rounded up to `pad_to_multiple_of` and cut at
`max_length`, so the encoder's dynamic batcher sees equal shapes and can batch them.

A bad request (no TEXT, an empty text, bytes that are not UTF-8) gets an error of its own; the other
requests in the batch are still answered. The tokenizer is the customer's, read from this model's
version directory when Triton loads the model; `transformers` is imported only then.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import triton_python_backend_utils as pb_utils


class BadRequest(ValueError):
    """The request, not the model, is at fault."""


def load_auto_tokenizer(path: str) -> Any:
    from transformers import AutoTokenizer  # noqa: PLC0415 - exists only in the archive's Python environment

    return AutoTokenizer.from_pretrained(path)


def parameter(model_config: dict[str, Any], key: str, default: str) -> str:
    return str(model_config.get("parameters", {}).get(key, {}).get("string_value", default))


def read_texts(request: Any) -> list[str]:
    tensor = pb_utils.get_input_tensor_by_name(request, "TEXT")
    if tensor is None:
        raise BadRequest("the request has no TEXT input")
    texts = []
    for index, value in enumerate(tensor.as_numpy().reshape(-1)):
        text = value
        if isinstance(value, bytes):
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError as err:
                raise BadRequest(f"TEXT[{index}] is not valid UTF-8: {err}") from err
        if not isinstance(text, str) or not text.strip():
            raise BadRequest(f"TEXT[{index}] is empty")
        texts.append(text)
    if not texts:
        raise BadRequest("TEXT holds no texts")
    return texts


def padded_length(longest: int, multiple: int, max_length: int) -> int:
    rounded = -(-longest // multiple) * multiple
    return max(longest, min(rounded, max_length))


def pad(sequences: Sequence[Sequence[int]], length: int, pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    ids = np.full((len(sequences), length), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), length), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = 1
    return ids, mask


class TritonPythonModel:
    def __init__(self, load_tokenizer: Callable[[str], Any] = load_auto_tokenizer) -> None:
        self._load_tokenizer = load_tokenizer

    def initialize(self, args: dict[str, str]) -> None:
        config = json.loads(args["model_config"])
        self.max_length = int(parameter(config, "max_length", "512"))
        self.pad_to_multiple_of = int(parameter(config, "pad_to_multiple_of", "1"))
        self.ids_dtype = pb_utils.triton_string_to_numpy(
            pb_utils.get_output_config_by_name(config, "INPUT_IDS")["data_type"]
        )
        self.mask_dtype = pb_utils.triton_string_to_numpy(
            pb_utils.get_output_config_by_name(config, "ATTENTION_MASK")["data_type"]
        )
        self.emits_decoder_start = pb_utils.get_output_config_by_name(config, "DECODER_INPUT_IDS") is not None
        self.decoder_start_token_id = int(parameter(config, "decoder_start_token_id", "0"))
        self.tokenizer = self._load_tokenizer(str(Path(args["model_repository"]) / args["model_version"]))
        pad_id = getattr(self.tokenizer, "pad_token_id", None)
        # Padding is masked out downstream, so any id will do when a tokenizer defines none.
        self.pad_id = 0 if pad_id is None else int(pad_id)

    def execute(self, requests: list[Any]) -> list[Any]:
        responses: list[Any] = [None] * len(requests)
        encoded: dict[int, list[list[int]]] = {}
        for index, request in enumerate(requests):
            try:
                texts = read_texts(request)
                batch = self.tokenizer(texts, truncation=True, max_length=self.max_length)
                encoded[index] = [list(ids) for ids in batch["input_ids"]]
            except BadRequest as err:
                responses[index] = pb_utils.InferenceResponse(
                    error=pb_utils.TritonError(str(err), pb_utils.TritonError.INVALID_ARG)
                )
            except Exception as err:  # a tokenizer failure is this request's, not the batch's
                responses[index] = pb_utils.InferenceResponse(error=pb_utils.TritonError(f"tokenizing failed: {err}"))

        if encoded:
            longest = max(len(ids) for sequences in encoded.values() for ids in sequences)
            length = padded_length(longest, self.pad_to_multiple_of, self.max_length)
            for index, sequences in encoded.items():
                ids, mask = pad(sequences, length, self.pad_id)
                outputs = [
                    pb_utils.Tensor("INPUT_IDS", ids.astype(self.ids_dtype)),
                    pb_utils.Tensor("ATTENTION_MASK", mask.astype(self.mask_dtype)),
                ]
                if self.emits_decoder_start:
                    start = np.full((len(sequences), 1), self.decoder_start_token_id, dtype=self.ids_dtype)
                    outputs.append(pb_utils.Tensor("DECODER_INPUT_IDS", start))
                responses[index] = pb_utils.InferenceResponse(output_tensors=outputs)
        return responses
