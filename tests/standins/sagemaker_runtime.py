"""A local stand-in for the SageMaker runtime API on 127.0.0.1, for real boto3 clients (`endpoint_url=`).

It serves `POST /endpoints/<name>/invocations` (InvokeEndpoint) and
`POST /endpoints/<name>/invocations-response-stream` (InvokeEndpointWithResponseStream) the way
botocore's `sagemaker-runtime` model describes them, records every call, tracks how many requests
are in flight, and answers as a test scripts it per target model, inference component or endpoint:
a delay, a success body, or an error with the status, `x-amzn-ErrorType` and JSON body botocore
needs to raise the modelled exception (`ModelError` with `OriginalStatusCode`, `ValidationError`,
`ModelNotReadyException`, ...) or a plain `ClientError` (`ThrottlingException` is not modelled).
A response stream can also fail after some parts (`ModelStreamError`, `InternalStreamFailure`).

    with SageMakerRuntimeStandIn() as runtime:
        runtime.on_model("slow.tar.gz", Behaviour.ok(delay_s=2))
        runtime.on_model("broken.tar.gz", Behaviour.model_error(500, "CUDA out of memory"))
        client = boto3.client("sagemaker-runtime", endpoint_url=runtime.url)
"""

from __future__ import annotations

import itertools
import json
import re
import struct
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote

# botocore's input members of InvokeEndpoint(WithResponseStream), by the header that carries them.
TARGET_MODEL = "x-amzn-sagemaker-target-model"
INFERENCE_COMPONENT = "x-amzn-sagemaker-inference-component"
TARGET_VARIANT = "x-amzn-sagemaker-target-variant"
CUSTOM_ATTRIBUTES = "x-amzn-sagemaker-custom-attributes"
INFERENCE_ID = "x-amzn-sagemaker-inference-id"
SESSION_ID = "x-amzn-sagemaker-session-id"
# The streaming operation moves Accept (request) and Content-Type (response) into these headers.
STREAM_ACCEPT = "x-amzn-sagemaker-accept"
STREAM_CONTENT_TYPE = "X-Amzn-SageMaker-Content-Type"

ACCOUNT = "123456789012"
IC_REQUIRED = (
    "Inference Component Name header is required for endpoints to which you plan to deploy inference components. "
    "Please include Inference Component Name header or consider using SageMaker models."
)
IC_NOT_ALLOWED = (
    "Inference Component Name header is not allowed for endpoints to which you dont plan to deploy inference "
    "components. Please remove the Inference Component Name header and try again."
)
_PATH = re.compile(r"^/endpoints/(?P<endpoint>[^/]+)/(?P<operation>invocations|invocations-response-stream)$")


@dataclass(frozen=True)
class Behaviour:
    """How the stand-in answers one request. Build it with the class methods."""

    status: int = 200
    body: bytes = b'{"generated_text": "ok"}'
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Wait this long before answering (the model's latency, or a hang longer than a client timeout)."""
    parts: tuple[bytes, ...] = ()
    """Response-stream payload parts (default: the body as one part)."""
    part_delay_s: float = 0.0
    """Wait between response-stream parts (time per token)."""
    stream_error: tuple[str, str] | None = None
    """(code, message) of an exception event sent after the parts: the stream fails mid-answer."""

    @property
    def error_code(self) -> str | None:
        if self.stream_error is not None:
            return self.stream_error[0]
        return self.headers.get("x-amzn-ErrorType") if self.status >= 300 else None

    @classmethod
    def ok(
        cls,
        body: bytes | str | Any = b'{"generated_text": "ok"}',
        *,
        content_type: str = "application/json",
        delay_s: float = 0.0,
        custom_attributes: str | None = None,
    ) -> Behaviour:
        """A 200 with `body` (bytes as is, text UTF-8, anything else as JSON)."""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            body = json.dumps(body).encode()
        headers = {"X-Amzn-SageMaker-Custom-Attributes": custom_attributes} if custom_attributes else {}
        return cls(body=body, content_type=content_type, delay_s=delay_s, headers=headers)

    @classmethod
    def stream(
        cls,
        parts: Sequence[bytes | str],
        *,
        part_delay_s: float = 0.0,
        delay_s: float = 0.0,
        error_code: str | None = None,
        error_message: str = "the model failed while streaming",
    ) -> Behaviour:
        """A response stream of `parts` (for InvokeEndpointWithResponseStream).

        With `error_code` (`ModelStreamError`, `InternalStreamFailure`: the stream's modelled exception
        events) the parts are followed by that exception event, which botocore raises as an
        EventStreamError while the caller iterates the stream.
        """
        encoded = tuple(p.encode() if isinstance(p, str) else p for p in parts)
        stream_error = (error_code, error_message) if error_code is not None else None
        return cls(
            body=b"".join(encoded),
            parts=encoded,
            part_delay_s=part_delay_s,
            delay_s=delay_s,
            stream_error=stream_error,
        )

    @classmethod
    def error(cls, code: str, status: int, message: str, *, delay_s: float = 0.0, **fields: Any) -> Behaviour:
        """An AWS error: botocore reads the code from `x-amzn-ErrorType` and the members from the body."""
        body = json.dumps({"Message": message, **fields}).encode()
        return cls(
            status=status,
            body=body,
            content_type="application/json",
            headers={"x-amzn-ErrorType": code},
            delay_s=delay_s,
        )

    @classmethod
    def model_error(
        cls, original_status: int = 500, message: str = "model failed", *, delay_s: float = 0.0
    ) -> Behaviour:
        """The container answered with an error; SageMaker reports it as ModelError (424)."""
        return cls.error(
            "ModelError",
            424,
            f'Received server error ({original_status}) from primary with message "{message}".',
            delay_s=delay_s,
            OriginalStatusCode=original_status,
            OriginalMessage=message,
            LogStreamArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints/standin",
        )

    @classmethod
    def validation_error(cls, message: str, *, delay_s: float = 0.0) -> Behaviour:
        return cls.error("ValidationError", 400, message, delay_s=delay_s)

    @classmethod
    def throttled(cls, message: str = "Rate exceeded", *, delay_s: float = 0.0) -> Behaviour:
        return cls.error("ThrottlingException", 400, message, delay_s=delay_s)

    @classmethod
    def model_not_ready(cls, message: str = "Model is still loading; try again", *, delay_s: float = 0.0) -> Behaviour:
        return cls.error("ModelNotReadyException", 429, message, delay_s=delay_s)

    @classmethod
    def service_unavailable(cls, message: str = "Service unavailable", *, delay_s: float = 0.0) -> Behaviour:
        return cls.error("ServiceUnavailable", 503, message, delay_s=delay_s)

    @classmethod
    def internal_failure(cls, message: str = "Internal failure", *, delay_s: float = 0.0) -> Behaviour:
        return cls.error("InternalFailure", 500, message, delay_s=delay_s)


@dataclass(frozen=True)
class Request:
    """One request as the stand-in received it (what a script callable is given)."""

    endpoint: str
    operation: str
    """`InvokeEndpoint` or `InvokeEndpointWithResponseStream`."""
    target_model: str | None
    inference_component: str | None
    target_variant: str | None
    content_type: str | None
    accept: str | None
    custom_attributes: str | None
    inference_id: str | None
    session_id: str | None
    body: bytes
    headers: Mapping[str, str]
    """Every request header, names lower-cased."""


@dataclass(frozen=True)
class Call:
    """A finished request: what was asked, what was answered, and when (monotonic seconds)."""

    request: Request
    status: int
    error_code: str | None
    started_s: float
    finished_s: float


Script = Behaviour | Sequence[Behaviour] | Callable[[Request], Behaviour]
"""One behaviour for every call; a sequence used call by call (the last one repeats); or a function."""


class _Rule:
    def __init__(self, script: Script) -> None:
        self._lock = threading.Lock()
        self._function: Callable[[Request], Behaviour] | None = None
        self._steps: Iterator[Behaviour] | None = None
        if isinstance(script, Behaviour):
            self._steps = itertools.repeat(script)
        elif callable(script):
            self._function = script
        else:
            steps = list(script)
            if not steps:
                raise ValueError("a script sequence needs at least one behaviour")
            self._steps = itertools.chain(steps, itertools.repeat(steps[-1]))

    def next(self, request: Request) -> Behaviour:
        if self._function is not None:
            return self._function(request)
        assert self._steps is not None
        with self._lock:
            return next(self._steps)


class SageMakerRuntimeStandIn:
    """The stand-in server. Thread-safe; start it with `with` (or `start()`/`stop()`).

    `models`: if given, the only target models that exist; others get SageMaker's ValidationError.
    `endpoints`: if given, the only endpoints that exist; others get ValidationError.
    `components`: endpoint -> the inference components (adapters included) it hosts. As SageMaker does,
    a call to such an endpoint without InferenceComponentName, or with it to an endpoint not listed,
    gets a ValidationError with the service's text (as quoted in BerriAI/litellm's SageMaker handler
    and its tests, which match on it); a name the endpoint does not host gets a ValidationError too
    (that message is this stand-in's own: no stored source quotes the service's).
    Which behaviour answers a call: its target model's rule, else its inference component's, else its
    endpoint's, else `default`.
    """

    def __init__(
        self,
        *,
        default: Behaviour | None = None,
        models: Iterable[str] | None = None,
        endpoints: Iterable[str] | None = None,
        components: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.default = default or Behaviour.ok()
        self.models = set(models) if models is not None else None
        self.endpoints = set(endpoints) if endpoints is not None else None
        self.components = {e: set(names) for e, names in components.items()} if components is not None else None
        self._lock = threading.Lock()
        self._rules: dict[tuple[str, str], _Rule] = {}
        self._calls: list[Call] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._received = 0
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting ---------------------------------------------------------------------------

    def on_model(self, target_model: str, script: Script) -> None:
        self._set_rule("model", target_model, script)

    def on_component(self, inference_component: str, script: Script) -> None:
        self._set_rule("component", inference_component, script)

    def on_endpoint(self, endpoint: str, script: Script) -> None:
        self._set_rule("endpoint", endpoint, script)

    def _set_rule(self, kind: str, name: str, script: Script) -> None:
        with self._lock:
            self._rules[(kind, name)] = _Rule(script)

    def behaviour_for(self, request: Request) -> Behaviour:
        if self.endpoints is not None and request.endpoint not in self.endpoints:
            return Behaviour.validation_error(f"Endpoint {request.endpoint} of account {ACCOUNT} not found.")
        if self.models is not None and request.target_model is not None and request.target_model not in self.models:
            return Behaviour.validation_error(
                f"Failed to download model data (target model: {request.target_model}). Please ensure that "
                "there is an object located at the URL and that the role passed to CreateModel has permissions "
                "to download the model."
            )
        if self.components is not None:
            hosted = self.components.get(request.endpoint)
            if hosted is not None and request.inference_component is None:
                return Behaviour.validation_error(IC_REQUIRED)
            if hosted is None and request.inference_component is not None:
                return Behaviour.validation_error(IC_NOT_ALLOWED)
            if hosted is not None and request.inference_component not in hosted:
                return Behaviour.validation_error(
                    f"Inference component {request.inference_component} is not on endpoint {request.endpoint}."
                )
        with self._lock:
            rule = (
                self._rules.get(("model", request.target_model or ""))
                or self._rules.get(("component", request.inference_component or ""))
                or self._rules.get(("endpoint", request.endpoint))
            )
        return rule.next(request) if rule is not None else self.default

    # --- what happened -----------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Finished calls, in the order they finished."""
        with self._lock:
            return list(self._calls)

    def calls_for(self, target_model: str) -> list[Call]:
        return [c for c in self.calls if c.request.target_model == target_model]

    @property
    def received(self) -> int:
        """Requests received so far, finished or not."""
        with self._lock:
            return self._received

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """The most requests that were being answered at the same moment."""
        with self._lock:
            return self._max_in_flight

    def reset(self) -> None:
        """Forget calls, rules and counts (requests still in flight stay counted)."""
        with self._lock:
            self._calls.clear()
            self._rules.clear()
            self._max_in_flight = self._in_flight
            self._received = self._in_flight

    # --- server ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the stand-in is not running; call start() or use it with `with`")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SageMakerRuntimeStandIn:
        stand_in = self

        class Handler(_Handler):
            owner = stand_in

        server = _Server(("127.0.0.1", 0), Handler)
        # A request still sleeping out its scripted delay must not hold up stop().
        server.daemon_threads = True
        server.block_on_close = False
        self._stopping.clear()
        self._server = server
        self._thread = threading.Thread(
            # A short poll: shutdown() waits up to one interval, and tests start a server each.
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="sagemaker-runtime-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that are waiting out a delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SageMakerRuntimeStandIn:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- used by the handler -----------------------------------------------------------------

    def _enter(self) -> None:
        with self._lock:
            self._received += 1
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _leave(self, call: Call) -> None:
        with self._lock:
            self._in_flight -= 1
            self._calls.append(call)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that closes a kept-alive connection, or drops a response stream it stopped reading
        # (botocore does after a stream's exception event), is normal: no traceback on stderr.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    owner: SageMakerRuntimeStandIn
    # HTTP/1.1 keeps botocore's pooled connections alive, as the real service does.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY each answer waits ~40 ms for
    # the client's delayed ACK, which would swamp the latencies a test scripts.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the recorded calls instead."""

    def do_POST(self) -> None:
        match = _PATH.match(self.path.split("?", 1)[0])
        body = self._read_body()
        if match is None:
            self._send_json(404, "UnknownOperationException", {"message": f"no operation at POST {self.path}"})
            return
        streaming = match["operation"] == "invocations-response-stream"
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(
            endpoint=unquote(match["endpoint"]),
            operation="InvokeEndpointWithResponseStream" if streaming else "InvokeEndpoint",
            target_model=headers.get(TARGET_MODEL),
            inference_component=headers.get(INFERENCE_COMPONENT),
            target_variant=headers.get(TARGET_VARIANT),
            content_type=headers.get("content-type"),
            accept=headers.get(STREAM_ACCEPT if streaming else "accept"),
            custom_attributes=headers.get(CUSTOM_ATTRIBUTES),
            inference_id=headers.get(INFERENCE_ID),
            session_id=headers.get(SESSION_ID),
            body=body,
            headers=headers,
        )
        owner = self.owner
        owner._enter()
        started = time.monotonic()
        behaviour = Behaviour.internal_failure("the stand-in's script raised")
        recorded = False

        def record() -> None:
            # Called just before the client can see the end of the answer: a client that checks
            # `calls` (or sends its next request) right after must find this one finished.
            nonlocal recorded
            if not recorded:
                recorded = True
                owner._leave(Call(request, behaviour.status, behaviour.error_code, started, time.monotonic()))

        try:
            behaviour = owner.behaviour_for(request)
            owner._sleep(behaviour.delay_s)
            if streaming and behaviour.status < 300:
                self._send_stream(behaviour, record)
            else:
                self._send(behaviour, record)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its read timeout): nothing left to answer
        finally:
            record()

    def _unknown_operation(self) -> None:
        self._read_body()
        self._send_json(404, "UnknownOperationException", {"message": f"no operation at {self.command} {self.path}"})

    do_GET = do_PUT = do_DELETE = do_HEAD = _unknown_operation

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _common_headers(self) -> None:
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Date", self.date_time_string())

    def _send(self, behaviour: Behaviour, before_end: Callable[[], None] = lambda: None) -> None:
        self.send_response(behaviour.status)
        self._common_headers()
        self.send_header("Content-Type", behaviour.content_type)
        self.send_header("Content-Length", str(len(behaviour.body)))
        if behaviour.status < 300:
            self.send_header("x-Amzn-Invoked-Production-Variant", "AllTraffic")
        for name, value in behaviour.headers.items():
            self.send_header(name, value)
        before_end()
        self.end_headers()
        self.wfile.write(behaviour.body)
        self.wfile.flush()

    def _send_json(self, status: int, code: str, body: Mapping[str, Any]) -> None:
        self._send(Behaviour(status=status, body=json.dumps(body).encode(), headers={"x-amzn-ErrorType": code}))

    def _send_stream(self, behaviour: Behaviour, before_end: Callable[[], None]) -> None:
        self.send_response(200)
        self._common_headers()
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header(STREAM_CONTENT_TYPE, behaviour.content_type)
        self.send_header("x-Amzn-Invoked-Production-Variant", "AllTraffic")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in behaviour.headers.items():
            self.send_header(name, value)
        self.end_headers()
        for index, part in enumerate(behaviour.parts or (behaviour.body,)):
            if index:
                self.owner._sleep(behaviour.part_delay_s)
            message = event_message(part)
            self.wfile.write(f"{len(message):x}\r\n".encode() + message + b"\r\n")
            self.wfile.flush()
        if behaviour.stream_error is not None:
            message = exception_message(*behaviour.stream_error)
            self.wfile.write(f"{len(message):x}\r\n".encode() + message + b"\r\n")
            self.wfile.flush()
        before_end()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _string_header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    # Header value type 7 is a string with a 2-byte length.
    return bytes([len(raw_name)]) + raw_name + b"\x07" + struct.pack(">H", len(raw_value)) + raw_value


def event_message(payload: bytes, event_type: str = "PayloadPart") -> bytes:
    """One AWS event-stream message (prelude, prelude CRC, headers, payload, message CRC)."""
    return _message(
        ((":event-type", event_type), (":content-type", "application/octet-stream"), (":message-type", "event")),
        payload,
    )


def exception_message(code: str, message: str) -> bytes:
    """An event-stream exception event (a modelled error of the stream, e.g. ModelStreamError)."""
    return _message(
        ((":exception-type", code), (":content-type", "application/json"), (":message-type", "exception")),
        json.dumps({"Message": message, "ErrorCode": code}).encode(),
    )


def _message(header_items: Iterable[tuple[str, str]], payload: bytes) -> bytes:
    headers = b"".join(_string_header(name, value) for name, value in header_items)
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    message = prelude + struct.pack(">I", zlib.crc32(prelude) & 0xFFFFFFFF) + headers + payload
    return message + struct.pack(">I", zlib.crc32(message) & 0xFFFFFFFF)
