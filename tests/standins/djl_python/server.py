"""What DJL Serving 0.21.0 / 0.24.0 does around a Python handler: the start-up call, batches, and per-request answers.

Follows deepjavalibrary/djl-serving at v0.21.0 (583dbc0c) and v0.24.0 (94819278):
- start-up: PyProcess.startPythonProcess sends an Input with no content whose properties are the
  model's init parameters: every `option.*` entry without its prefix (PyModel.load); at 0.24.0 also
  the model's other serving.properties entries (PyModel.java `properties.forEach(pyEnv::addParameter)`).
  `option.s3url` is downloaded and `model_id` set to the local copy (PyModel.downloadS3 at 0.21.0,
  ModelInfo.downloadS3 at 0.24.0).
- every call: djl_python_engine.py adds `device_id` (and `tensor_parallel_degree`, an int, in MPI
  mode) and service_loader.py adds `model_dir`; an exception becomes `Output().error(str(e))` (424;
  507 for MemoryError at 0.24.0), a None answer `Output(204, "No content")`.
- requests: RequestParser puts the headers into properties (content-type normalised) and the body
  under the content key `data`.
- batches (PyPredictor.batchPredict): one request is passed as is; several become one Input with
  `batch_size` and content `batch_<i>.<key>`; at 0.21.0 it carries the first request's properties, at
  0.24.0 each request's as `batch_<i>.<key>`. The answer has ONE status for the batch: code >= 300
  gives every request the same Output; otherwise every request gets the batch's code, message and
  properties, and only the content is split by its `batch_<i>.` keys. A content count other than
  the batch size, or a key without that prefix, is a TranslateException: 400 for every request
  (InferenceRequestHandler.onException).
- the HTTP body is `Output.getData()`: the content named `data`, else the first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from djl_python import classes

DOWNLOAD_DIR = "/tmp/download"  # noqa: S108 - only a name handed to the handler, never written
"""Where the stand-in says DJL downloaded `option.s3url` (the real one: a fresh temporary directory)."""
_BATCH_KEY = re.compile("batch_(\\d+)\\.(.*)")
_MPI_ENGINES = {"0.21.0": {"FasterTransformer", "DeepSpeed"}, "0.24.0": {"FasterTransformer", "DeepSpeed", "MPI"}}


@dataclass(frozen=True)
class Request:
    """One HTTP request to /invocations."""

    body: bytes
    headers: Mapping[str, str] = field(default_factory=lambda: {"content-type": "application/json"})

    @classmethod
    def json(cls, body: Any) -> Request:
        return cls(json.dumps(body).encode("utf-8"))


@dataclass(frozen=True)
class Response:
    """What the client of one request receives."""

    status: int
    message: str
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class HandlerStartupError(RuntimeError):
    """The start-up call failed: the real server marks the model failed."""


class DjlServer:
    """Runs a handler the way one DJL Serving worker of `version` calls it."""

    def __init__(
        self,
        handle: Callable[[Any], Any],
        *,
        version: str,
        serving_properties: Mapping[str, str],
        model_dir: str = "/opt/ml/model",
        download_dir: str = DOWNLOAD_DIR,
        device_id: str = "0",
    ) -> None:
        self.input_class, self.output_class = classes(version)
        self.version = version
        self.handle = handle
        self.model_dir = model_dir
        self.device_id = device_id
        self.engine = serving_properties.get("engine", "Python")
        self.init_parameters = self._init_parameters(serving_properties, download_dir)
        tp = serving_properties.get("option.tensor_parallel_degree")
        self.mpi_tensor_parallel_degree = (
            int(tp) if tp is not None and tp.isdigit() and self.engine in _MPI_ENGINES[version] else None
        )

    def _init_parameters(self, serving_properties: Mapping[str, str], download_dir: str) -> dict[str, str]:
        params = {k[len("option.") :]: v for k, v in serving_properties.items() if k.startswith("option.")}
        if self.version != "0.21.0":
            params.update({k: v for k, v in serving_properties.items() if not k.startswith("option.")})
        if "s3url" in params:
            if "model_id" in params and self.version == "0.21.0":
                raise HandlerStartupError("model_id and s3url could not both set!")
            params["model_id"] = download_dir
        return params

    def _call(self, inputs: Any) -> Any:
        props = inputs.get_properties()
        if self.mpi_tensor_parallel_degree:
            props["tensor_parallel_degree"] = self.mpi_tensor_parallel_degree
        props["device_id"] = self.device_id
        props["model_dir"] = self.model_dir
        try:
            outputs = self.handle(inputs)
            if outputs is None:
                return self.output_class(code=204, message="No content")
            if self.version != "0.21.0" and not isinstance(outputs, self.output_class):
                return self.output_class().error(f"Invalid output type: {type(outputs)}")
            return outputs
        except MemoryError as err:
            if self.version == "0.21.0":
                return self.output_class().error(str(err))
            return self.output_class(code=507, message=str(err))
        except Exception as err:
            return self.output_class().error(str(err))

    def start(self) -> Response:
        """The start-up call with the init parameters; raises HandlerStartupError as a failed model load."""
        init = self.input_class()
        init.properties = dict(self.init_parameters)
        output = self._call(init)
        if output.code >= 300:
            raise HandlerStartupError(f"model failed to load: {output.code} {output.message}")
        return self._response(output, output.content)

    def _request_input(self, request: Request) -> Any:
        item = self.input_class()
        for key, value in request.headers.items():
            item.properties[key.lower() if key.lower() == "content-type" else key] = value
        item.content.add("data", bytearray(request.body))
        return item

    def invoke(self, requests: Sequence[Request]) -> list[Response]:
        """The answers to `requests`, delivered to the handler as one batch (as DJL's batcher formed it)."""
        items = [self._request_input(r) for r in requests]
        if len(items) == 1:
            output = self._call(items[0])
            return [self._response(output, output.content)]
        batch = self.input_class()
        if self.version == "0.21.0":
            batch.properties = dict(items[0].properties)
        batch.properties["batch_size"] = str(len(items))
        for i, item in enumerate(items):
            if self.version != "0.21.0":
                for key, value in item.properties.items():
                    batch.properties[f"batch_{i}.{key}"] = value
            for j in range(item.content.size()):
                key = item.content.key_at(j)
                batch.content.add(f"batch_{i}.{'data' if key is None else key}", item.content.value_at(j))
        output = self._call(batch)
        if output.code >= 300:
            return [self._response(output, output.content) for _ in items]
        if output.content.size() != len(items):
            return self._translate_error(
                f"Batch output size mismatch, expected: {len(items)}, actual: {output.content.size()}", len(items)
            )
        split: list[list[tuple[str, Any]]] = [[] for _ in items]
        for j in range(output.content.size()):
            key = output.content.key_at(j)
            if key is None:
                raise NotImplementedError("a batch answer with a None content key fails in PyPredictor (not modelled)")
            match = _BATCH_KEY.match(key)
            if match is None:
                return self._translate_error(f"Unexpected batch output key: {key}", len(items))
            split[int(match.group(1))].append((match.group(2), output.content.value_at(j)))
        return [self._response(output, pairs) for pairs in split]

    @staticmethod
    def _translate_error(message: str, count: int) -> list[Response]:
        return [Response(400, "Bad Request", {}, message.encode("utf-8")) for _ in range(count)]

    @staticmethod
    def _response(output: Any, content: Any) -> Response:
        pairs = (
            list(zip(content.get_keys(), content.get_values(), strict=True))
            if hasattr(content, "get_keys")
            else content
        )
        data = next((value for key, value in pairs if key == "data"), pairs[0][1] if pairs else b"")
        return Response(output.code, output.message, dict(output.properties), bytes(data))
