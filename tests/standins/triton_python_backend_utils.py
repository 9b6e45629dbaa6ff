"""A small local stand-in for Triton's Python-backend module `triton_python_backend_utils` (24.x API).

Only what the Python models under model_artifacts/triton use, with the real names and behaviour:
`Tensor` (rejects numpy `str_` arrays as the real one does), `InferenceRequest` both as the request a
model receives and as a BLS request whose `exec()` answers with an `InferenceResponse`, `TritonError`
with its codes, `TritonModelException`, and the helper functions.

BLS requests go to fake models that a test registers with `register_model` (not part of the real API).
When a fake is registered with its `config.pbtxt` (as the JSON dict Triton hands to `initialize`),
`exec()` checks input names, data types and ranks the way the server would, so a model.py that sends
the wrong tensor fails here as it would in the container.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

TRITON_STRING_TO_NUMPY: dict[str, Any] = {
    "TYPE_BOOL": np.bool_,
    "TYPE_UINT8": np.uint8,
    "TYPE_UINT16": np.uint16,
    "TYPE_UINT32": np.uint32,
    "TYPE_UINT64": np.uint64,
    "TYPE_INT8": np.int8,
    "TYPE_INT16": np.int16,
    "TYPE_INT32": np.int32,
    "TYPE_INT64": np.int64,
    "TYPE_FP16": np.float16,
    "TYPE_FP32": np.float32,
    "TYPE_FP64": np.float64,
    "TYPE_STRING": np.object_,
}


def triton_string_to_numpy(triton_type_string: str) -> Any:
    return TRITON_STRING_TO_NUMPY[triton_type_string]


def _config_type_of(array: np.ndarray) -> str:
    if array.dtype == np.object_ or array.dtype.type == np.bytes_:
        return "TYPE_STRING"
    for name, dtype in TRITON_STRING_TO_NUMPY.items():
        if dtype is not np.object_ and array.dtype == dtype:
            return name
    raise TritonModelException(f"numpy dtype {array.dtype} has no Triton data type")


class TritonModelException(Exception):
    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self._msg = msg

    def message(self) -> str:
        return self._msg


class TritonError:
    UNKNOWN = 0
    INTERNAL = 1
    NOT_FOUND = 2
    INVALID_ARG = 3
    UNAVAILABLE = 4
    UNSUPPORTED = 5
    ALREADY_EXISTS = 6
    CANCELLED = 7

    def __init__(self, message: str, code: int = INTERNAL) -> None:
        if message is None:
            raise TypeError("TritonError needs a message")
        self._message = message
        self._code = code

    def message(self) -> str:
        return self._message

    def code(self) -> int:
        return self._code

    def __repr__(self) -> str:
        return f"TritonError({self._message!r}, code={self._code})"


class Tensor:
    def __init__(self, name: str, numpy_array: np.ndarray) -> None:
        if not isinstance(numpy_array, np.ndarray):
            raise TritonModelException(f"tensor {name!r} needs a numpy array, got {type(numpy_array).__name__}")
        # The real backend refuses these too: BYTES tensors must be object arrays of bytes.
        if numpy_array.dtype.type == np.str_ or numpy_array.dtype == np.void:
            raise TritonModelException(
                "Tensor dtype used for numpy_array is not support by Python backend. Please use np.object_ instead."
            )
        self._name = name
        self._array = numpy_array
        self._triton_dtype = _config_type_of(numpy_array)

    def name(self) -> str:
        return self._name

    def as_numpy(self) -> np.ndarray:
        return self._array

    def shape(self) -> list[int]:
        return list(self._array.shape)

    def is_cpu(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"Tensor({self._name!r}, shape={self._array.shape}, dtype={self._array.dtype})"


class InferenceResponse:
    def __init__(
        self,
        output_tensors: list[Tensor] | None = None,
        error: TritonError | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        output_tensors = [] if output_tensors is None else output_tensors
        if not isinstance(output_tensors, list):
            raise TritonModelException('"output_tensors" must be a list.')
        if error is not None and not isinstance(error, TritonError):
            raise TypeError(f"error must be a TritonError, got {type(error).__name__}")
        self._output_tensors = output_tensors
        self._error = error
        self._parameters = json.dumps(parameters or {})

    def output_tensors(self) -> list[Tensor]:
        return self._output_tensors

    def has_error(self) -> bool:
        return self._error is not None

    def error(self) -> TritonError | None:
        return self._error

    def parameters(self) -> str:
        return self._parameters


# A fake model's execute: one request in, one response out (what a real server's model produces).
FakeModel = Callable[["InferenceRequest"], InferenceResponse]
_MODELS: dict[str, tuple[FakeModel, dict[str, Any] | None]] = {}


def register_model(name: str, execute: FakeModel, config: dict[str, Any] | None = None) -> None:
    """Test hook (not in the real API): serve `name` to BLS requests through `execute`."""
    _MODELS[name] = (execute, config)


def unregister_all_models() -> None:
    """Test hook (not in the real API): forget every registered model."""
    _MODELS.clear()


def _check_inputs(model_name: str, config: dict[str, Any], inputs: Sequence[Tensor]) -> str | None:
    """The server's own checks on a request's inputs; the error message, or None."""
    declared = {i["name"]: i for i in config.get("input", [])}
    batching = int(config.get("max_batch_size", 0)) > 0
    given = {t.name(): t for t in inputs}
    for name in given:
        if name not in declared:
            return f"[request id: <id_unknown>] unexpected inference input '{name}' for model '{model_name}'"
    for name, spec in declared.items():
        if name not in given:
            if spec.get("optional"):
                continue
            return f"[request id: <id_unknown>] expected input '{name}' for model '{model_name}' was not given"
        tensor = given[name]
        if tensor._triton_dtype != spec["data_type"]:
            return (
                f"[request id: <id_unknown>] inference input '{name}' data-type is '{tensor._triton_dtype[5:]}', "
                f"but model '{model_name}' expects '{spec['data_type'][5:]}'"
            )
        rank = len(spec["dims"]) + (1 if batching else 0)
        if tensor.as_numpy().ndim != rank:
            return (
                f"[request id: <id_unknown>] unexpected shape for input '{name}' for model '{model_name}'. "
                f"Expected rank {rank}, got {list(tensor.as_numpy().shape)}"
            )
    return None


class InferenceRequest:
    def __init__(
        self,
        request_id: str = "",
        correlation_id: int | str = 0,
        *,
        inputs: list[Tensor],
        requested_output_names: list[str],
        model_name: str,
        model_version: int = -1,
        flags: int = 0,
        timeout: int = 0,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        if inputs is None or requested_output_names is None or model_name is None:
            raise TypeError("inputs, requested_output_names and model_name are required")
        self._request_id = request_id
        self._correlation_id = correlation_id
        self._inputs = list(inputs)
        self._requested_output_names = list(requested_output_names)
        self.model_name = model_name
        self.model_version = model_version
        self._flags = flags
        self._timeout = timeout
        self._parameters = json.dumps(parameters or {})

    def inputs(self) -> list[Tensor]:
        return self._inputs

    def request_id(self) -> str:
        return self._request_id

    def correlation_id(self) -> int | str:
        return self._correlation_id

    def requested_output_names(self) -> list[str]:
        return self._requested_output_names

    def flags(self) -> int:
        return self._flags

    def timeout(self) -> int:
        return self._timeout

    def parameters(self) -> str:
        return self._parameters

    def is_cancelled(self) -> bool:
        return False

    def exec(self, decoupled: bool = False) -> InferenceResponse:
        if decoupled:
            raise TritonModelException("the stand-in has no decoupled models")
        served = _MODELS.get(self.model_name)
        if served is None:
            return InferenceResponse(
                error=TritonError(f"Request for unknown model: '{self.model_name}' is not found", TritonError.NOT_FOUND)
            )
        execute, config = served
        if config is not None:
            problem = _check_inputs(self.model_name, config, self._inputs)
            if problem is not None:
                return InferenceResponse(error=TritonError(problem, TritonError.INVALID_ARG))
        try:
            response = execute(self)
        except Exception as err:  # the server turns any failure of the model into an error response
            return InferenceResponse(error=TritonError(str(err)))
        if response.has_error():
            return response
        produced = {t.name(): t for t in response.output_tensors()}
        missing = [name for name in self._requested_output_names if name not in produced]
        if missing:
            return InferenceResponse(
                error=TritonError(f"model '{self.model_name}' did not produce requested output(s) {missing}")
            )
        # The server returns only what was asked for.
        return InferenceResponse([produced[name] for name in self._requested_output_names])


def get_input_tensor_by_name(inference_request: InferenceRequest, name: str) -> Tensor | None:
    return next((t for t in inference_request.inputs() if t.name() == name), None)


def get_output_tensor_by_name(inference_response: InferenceResponse, name: str) -> Tensor | None:
    return next((t for t in inference_response.output_tensors() if t.name() == name), None)


def get_input_config_by_name(model_config: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((i for i in model_config.get("input", []) if i["name"] == name), None)


def get_output_config_by_name(model_config: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((o for o in model_config.get("output", []) if o["name"] == name), None)
