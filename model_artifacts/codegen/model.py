"""DJL Serving handler: CodeGen 2.5 (a llama model) on the DJL FasterTransformer 0.24.0 image, with dynamic batching.

Request:  {"inputs": "def fib(n):", "parameters": {"max_new_tokens": 64, "temperature": 0.2,
           "top_p": 0.95, "stop": ["\\n\\n"]}}
Response: {"generated_text": "..."}: the completion only, cut at the first stop sequence.

FasterTransformer loads llama only in 0.24.0 and only on the `engine=Python` ("Triton") path, the way
djl_python/fastertransformer.py@v0.24.0 does: `ft.init_inference(path, tp, pp, dtype,
use_triton=engine == "Python", trust_remote_code=...)`. CodeGen 2.5's tokenizer is custom code, so
`option.trust_remote_code=true` is needed. On that path `pipeline_generate(prompts, output_lengths,
**inputs)` takes the Triton FasterTransformer inputs (`runtime_top_k`, `runtime_top_p`,
`temperature`, `repetition_penalty`, `beam_width`), one value per prompt.

DJL's batcher hands the handler up to `batch_size` requests that arrived within `max_batch_delay`
ms as one Input. Requests that share generation settings run as one generation; every request gets
its own answer under its `batch_<i>.` key. DJL 0.21-0.28 give a batch ONE status code
(PyPredictor.batchPredict): a bad request alone gets a 400; a batch in which every request is bad
gets a 400; a bad request batched with good ones cannot have its own status, so its body carries
`{"code": 400, "error": ...}` under the batch's 200 and its neighbours still get their completions.
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
TRITON_INPUTS = {"top_k": "runtime_top_k", "top_p": "runtime_top_p"}
"""Client parameter -> Triton FasterTransformer input, where the names differ."""

Loader = Callable[..., Any]


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
    """The new text only (GPT-style decoding echoes the prompt), cut at the first stop sequence."""
    text = generated[len(prompt) :] if generated.startswith(prompt) else generated
    cuts = [text.find(s) for s in stop if s in text]
    return text[: min(cuts)] if cuts else text


def _load_fastertransformer(
    path: str, tensor_parallel_degree: int, dtype: str, *, use_triton: bool, trust_remote_code: bool
) -> Any:
    import fastertransformer as ft  # noqa: PLC0415 - exists only inside the DJL FasterTransformer image

    return ft.init_inference(
        path, tensor_parallel_degree, 1, dtype, use_triton=use_triton, trust_remote_code=trust_remote_code
    )


def _flag(properties: dict[str, Any], name: str) -> bool:
    return str(properties.get(name, "false")).lower() == "true"


class CodeGenService:
    """Holds the model for the life of the worker and answers batches."""

    def __init__(self, load: Loader = _load_fastertransformer) -> None:
        self._load = load
        self.model: Any = None
        self.use_triton = True
        self.default_max_new_tokens = 128

    def initialize(self, properties: dict[str, Any]) -> None:
        # DJL downloads `option.s3url` / an s3:// `option.model_id` and sets model_id to the local copy.
        location = properties.get("model_id") or properties.get("model_dir")
        if not location or str(location).startswith("s3://"):
            raise RuntimeError(f"weights were not downloaded to a local directory (got {location!r})")
        self.default_max_new_tokens = int(properties.get("default_max_new_tokens", "128"))
        # As djl_python/fastertransformer.py@v0.24.0: the Python engine takes FasterTransformer's Triton path.
        self.use_triton = properties.get("engine", "Python") == "Python"
        started = time.monotonic()
        self.model = self._load(
            str(location),
            int(properties.get("tensor_parallel_degree", "1")),
            str(properties.get("dtype", "fp16")),
            use_triton=self.use_triton,
            trust_remote_code=_flag(properties, "trust_remote_code"),
        )
        # A one-token generation compiles the kernels before the first customer request.
        self._generate(["def"], {"max_new_tokens": 1})
        LOG.info("model ready in %.1f s", time.monotonic() - started)

    def _generate(self, prompts: list[str], settings: dict[str, Any]) -> list[str]:
        params = dict(settings)
        output_len = params.pop("max_new_tokens")
        if self.use_triton:
            count = len(prompts)
            inputs = {TRITON_INPUTS.get(k, k): [v] * count for k, v in params.items()}
            inputs["beam_width"] = [1] * count
            result: list[str] = self.model.pipeline_generate(prompts, [output_len] * count, **inputs)
        else:
            result = self.model.pipeline_generate(
                prompts, batch_size=len(prompts), output_len=output_len, beam_width=1, **params
            )
        return result

    def _answers(self, requests: list[Input]) -> list[dict[str, Any]]:
        answers: dict[int, dict[str, Any]] = {}
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
        return [answers[i] for i in range(len(requests))]

    def handle(self, inputs: Input) -> Output | None:
        if self.model is None:
            self.initialize(inputs.get_properties())
        if inputs.is_empty():
            return None  # the model server's warm-up call

        answers = self._answers(inputs.get_batches())
        if all("error" in answer for answer in answers):
            reasons = sorted({answer["error"] for answer in answers})
            return Output().error("; ".join(reasons), code=400, message="invalid request")
        outputs = Output()
        outputs.add_property("content-type", "application/json")
        if not inputs.is_batch():
            return outputs.add_as_json(answers[0])
        for index, answer in enumerate(answers):
            outputs.add_as_json(answer, key="data", batch_index=index)
        return outputs


_service = CodeGenService()


def handle(inputs: Input) -> Output | None:
    return _service.handle(inputs)
