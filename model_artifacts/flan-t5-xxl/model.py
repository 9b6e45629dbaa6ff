"""DJL Serving handler: FLAN-T5-XXL on FasterTransformer, tensor parallel across the instance's GPUs.

Request:  {"inputs": "prompt" | ["prompt", ...], "parameters": {"max_new_tokens": 128, ...}}
Response: [{"generated_text": "..."}, ...] in the order of the prompts.

The model loads once per worker, on the model server's empty warm-up call (or the first request);
bad requests get a 400 with the reason instead of a failed worker. If serving.properties turns on
DJL's dynamic batching (`batch_size` > 1), each request of a batch is answered under its own
`batch_<i>.` key; DJL 0.21.0 gives a batch one status (PyPredictor.batchPredict), so a bad request
batched with good ones carries `{"code": 400, "error": ...}` in its body under the batch's 200, and a
batch of only bad requests gets a 400.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from djl_python import Input, Output

LOG = logging.getLogger(__name__)

MAX_PROMPTS_PER_REQUEST = 32

# FasterTransformer's T5 `pipeline_generate` keywords, with the Hugging Face names clients send.
PARAMETER_ALIASES = {
    "max_new_tokens": "max_seq_len",
    "max_length": "max_seq_len",
    "num_beams": "beam_width",
    "length_penalty": "len_penalty",
}
PARAMETER_TYPES: dict[str, type | tuple[type, ...]] = {
    "max_seq_len": int,
    "beam_width": int,
    "top_k": int,
    "top_p": (int, float),
    "temperature": (int, float),
    "len_penalty": (int, float),
    "repetition_penalty": (int, float),
    "min_length": int,
    "random_seed": int,
}
PARAMETER_BOUNDS = {"max_seq_len": (1, 2048), "beam_width": (1, 8), "top_k": (0, 1000), "top_p": (0.0, 1.0)}
DEFAULT_PARAMETERS = {"max_seq_len": 256}


class BadRequest(ValueError):
    """The request, not the model, is at fault: answer 400."""


def parse_request(body: Any) -> tuple[list[str], dict[str, Any]]:
    """Validate a request body; return (prompts, FasterTransformer keyword arguments)."""
    if not isinstance(body, dict) or "inputs" not in body:
        raise BadRequest('expected a JSON object with "inputs" (a prompt or a list of prompts)')
    prompts = body["inputs"]
    if isinstance(prompts, str):
        prompts = [prompts]
    if not isinstance(prompts, list) or not prompts or not all(isinstance(p, str) and p for p in prompts):
        raise BadRequest('"inputs" must be a non-empty prompt or a non-empty list of non-empty prompts')
    if len(prompts) > MAX_PROMPTS_PER_REQUEST:
        raise BadRequest(f"at most {MAX_PROMPTS_PER_REQUEST} prompts per request, got {len(prompts)}")

    raw = body.get("parameters") or {}
    if not isinstance(raw, dict):
        raise BadRequest('"parameters" must be a JSON object')
    params = dict(DEFAULT_PARAMETERS)
    for name, value in raw.items():
        key = PARAMETER_ALIASES.get(name, name)
        expected = PARAMETER_TYPES.get(key)
        if expected is None:
            known = sorted({*PARAMETER_TYPES, *PARAMETER_ALIASES})
            raise BadRequest(f"unknown parameter {name!r}; supported: {', '.join(known)}")
        if isinstance(value, bool) or not isinstance(value, expected):
            raise BadRequest(f"parameter {name!r} must be a number, got {value!r}")
        low, high = PARAMETER_BOUNDS.get(key, (None, None))
        if (low is not None and value < low) or (high is not None and value > high):
            raise BadRequest(f"parameter {name!r} must be between {low} and {high}, got {value}")
        params[key] = value
    return prompts, params


def _load_fastertransformer(path: str, tensor_parallel_degree: int, dtype: str) -> Any:
    import fastertransformer as ft  # noqa: PLC0415 - exists only inside the DJL FasterTransformer image

    return ft.init_inference(path, tensor_parallel_degree, 1, dtype)


class FlanT5Service:
    """Holds the model for the life of the worker."""

    def __init__(self, load: Callable[[str, int, str], Any] = _load_fastertransformer) -> None:
        self._load = load
        self.model: Any = None

    def initialize(self, properties: dict[str, str]) -> None:
        # DJL downloads `option.s3url` into the model directory before calling the handler.
        location = properties.get("model_id") or properties.get("model_dir")
        if not location or location.startswith("s3://"):
            raise RuntimeError(f"weights were not downloaded to a local directory (got {location!r})")
        tensor_parallel_degree = int(properties.get("tensor_parallel_degree", "1"))
        dtype = properties.get("dtype", "fp32")
        started = time.monotonic()
        LOG.info("loading %s with tensor parallel degree %d (%s)", location, tensor_parallel_degree, dtype)
        self.model = self._load(location, tensor_parallel_degree, dtype)
        # One tiny generation compiles the CUDA kernels now rather than on the first customer request.
        self.model.pipeline_generate(["warm-up"], max_seq_len=1)
        LOG.info("model ready in %.1f s", time.monotonic() - started)

    def _answer(self, request: Input) -> Any:
        try:
            prompts, params = parse_request(request.get_as_json())
        except BadRequest as err:
            return {"code": 400, "error": str(err)}
        except ValueError as err:  # body is not JSON
            return {"code": 400, "error": f"the body is not valid JSON: {err}"}
        texts = self.model.pipeline_generate(prompts, **params)
        return [{"generated_text": text} for text in texts]

    def handle(self, inputs: Input) -> Output | None:
        if self.model is None:
            self.initialize(inputs.get_properties())
        if inputs.is_empty():
            return None  # the model server's warm-up call
        answers = [self._answer(request) for request in inputs.get_batches()]
        failed = [answer for answer in answers if isinstance(answer, dict)]
        if len(failed) == len(answers):
            reasons = sorted({answer["error"] for answer in failed})
            return Output().error("; ".join(reasons), code=400, message="invalid request")
        outputs = Output().add_property("content-type", "application/json")
        if not inputs.is_batch():
            return outputs.add_as_json(answers[0])
        for index, answer in enumerate(answers):
            outputs.add_as_json(answer, key="data", batch_index=index)
        return outputs


_service = FlanT5Service()


def handle(inputs: Input) -> Output | None:
    return _service.handle(inputs)
