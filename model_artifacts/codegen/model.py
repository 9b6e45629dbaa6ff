"""DJL Serving handler: CodeGen-style code models on FasterTransformer, with dynamic batching.

Request:  {"inputs": "def fib(n):", "parameters": {"max_new_tokens": 64, "temperature": 0.2,
           "top_p": 0.95, "stop": ["\\n\\n"]}}
Response: {"generated_text": "..."}: the completion only, cut at the first stop sequence.

DJL's batcher hands the handler up to `batch_size` requests that arrived within `max_batch_delay`
milliseconds as one Input. Requests that share generation settings run as one FasterTransformer
call; every request gets its own answer (or its own 400) under its own key, so one bad request
never fails its neighbours.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from djl_python import Input, Output

LOG = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 32_000
MAX_STOP_SEQUENCES = 4
NUMBERS: dict[str, tuple[type | tuple[type, ...], float, float]] = {
    "max_new_tokens": (int, 1, 2048),
    "temperature": ((int, float), 0.0, 2.0),
    "top_p": ((int, float), 0.0, 1.0),
    "top_k": (int, 0, 1000),
    "repetition_penalty": ((int, float), 0.5, 2.0),
}


class BadRequest(ValueError):
    """The request, not the model, is at fault: answer 400."""


def parse_request(body: Any, default_max_new_tokens: int) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """Validate one request; return (prompt, generation settings, stop sequences)."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), str) or not body["inputs"]:
        raise BadRequest('expected a JSON object with "inputs": a non-empty prompt')
    prompt = body["inputs"]
    if len(prompt) > MAX_PROMPT_CHARS:
        raise BadRequest(f"the prompt is {len(prompt)} characters; at most {MAX_PROMPT_CHARS} are accepted")
    raw = body.get("parameters") or {}
    if not isinstance(raw, dict):
        raise BadRequest('"parameters" must be a JSON object')
    settings: dict[str, Any] = {"max_new_tokens": default_max_new_tokens}
    stop: tuple[str, ...] = ()
    for name, value in raw.items():
        if name == "stop":
            sequences = [value] if isinstance(value, str) else value
            if (
                not isinstance(sequences, list)
                or len(sequences) > MAX_STOP_SEQUENCES
                or not all(isinstance(s, str) and s for s in sequences)
            ):
                raise BadRequest(f'"stop" must be up to {MAX_STOP_SEQUENCES} non-empty strings')
            stop = tuple(sequences)
            continue
        if name not in NUMBERS:
            raise BadRequest(f"unknown parameter {name!r}; supported: {', '.join(sorted([*NUMBERS, 'stop']))}")
        kind, low, high = NUMBERS[name]
        if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
            raise BadRequest(f"parameter {name!r} must be a number from {low:g} to {high:g}, got {value!r}")
        settings[name] = value
    return prompt, settings, stop


def completion(prompt: str, generated: str, stop: tuple[str, ...]) -> str:
    """The new text only (some engines echo the prompt), cut at the first stop sequence."""
    text = generated[len(prompt) :] if generated.startswith(prompt) else generated
    cuts = [text.find(s) for s in stop if s in text]
    return text[: min(cuts)] if cuts else text


def _load_fastertransformer(path: str, tensor_parallel_degree: int, dtype: str) -> Any:
    import fastertransformer as ft  # noqa: PLC0415 - exists only inside the DJL FasterTransformer image

    return ft.init_inference(path, tensor_parallel_degree, 1, dtype)


class CodeGenService:
    """Holds the model for the life of the worker and answers batches."""

    def __init__(self, load: Callable[[str, int, str], Any] = _load_fastertransformer) -> None:
        self._load = load
        self.model: Any = None
        self.default_max_new_tokens = 128

    def initialize(self, properties: dict[str, str]) -> None:
        # DJL downloads `option.s3url` into the model directory before calling the handler.
        location = properties.get("model_id") or properties.get("model_dir")
        if not location or location.startswith("s3://"):
            raise RuntimeError(f"weights were not downloaded to a local directory (got {location!r})")
        self.default_max_new_tokens = int(properties.get("default_max_new_tokens", "128"))
        started = time.monotonic()
        self.model = self._load(
            location, int(properties.get("tensor_parallel_degree", "1")), properties.get("dtype", "fp16")
        )
        # A one-token generation compiles the kernels before the first customer request.
        self._generate(["def"], {"max_new_tokens": 1})
        LOG.info("model ready in %.1f s", time.monotonic() - started)

    def _generate(self, prompts: list[str], settings: dict[str, Any]) -> list[str]:
        params = dict(settings)
        output_len = params.pop("max_new_tokens")
        result: list[str] = self.model.pipeline_generate(
            prompts, batch_size=len(prompts), output_len=output_len, beam_width=1, **params
        )
        return result

    def handle(self, inputs: Input) -> Output | None:
        if self.model is None:
            self.initialize(inputs.get_properties())
        if inputs.is_empty():
            return None  # the model server's warm-up call

        requests = inputs.get_batches()
        keys = [inputs.get_content().key_at(i) for i in range(len(requests))] if inputs.is_batch() else [None]
        answers: dict[int, Any] = {}
        groups: dict[tuple[tuple[str, Any], ...], list[tuple[int, str, tuple[str, ...]]]] = {}
        for index, request in enumerate(requests):
            try:
                prompt, settings, stop = parse_request(request.get_as_json(), self.default_max_new_tokens)
            except BadRequest as err:
                answers[index] = {"code": 400, "error": str(err)}
                continue
            except ValueError as err:  # the body is not JSON
                answers[index] = {"code": 400, "error": f"the body is not valid JSON: {err}"}
                continue
            groups.setdefault(tuple(sorted(settings.items())), []).append((index, prompt, stop))

        for settings_key, members in groups.items():
            texts = self._generate([prompt for _, prompt, _ in members], dict(settings_key))
            for (index, prompt, stop), text in zip(members, texts, strict=True):
                answers[index] = {"generated_text": completion(prompt, text, stop)}

        outputs = Output()
        outputs.add_property("content-type", "application/json")
        if not inputs.is_batch():
            answer = answers[0]
            if "error" in answer:
                return Output().error(answer["error"], code=400, message="invalid request")
            return outputs.add_as_json(answer)
        # One answer per request, under the key its request came with (`batch_NNN_...`).
        for index, key in enumerate(keys):
            outputs.add_as_json(answers[index], key=key)
        return outputs


_service = CodeGenService()


def handle(inputs: Input) -> Output | None:
    return _service.handle(inputs)
