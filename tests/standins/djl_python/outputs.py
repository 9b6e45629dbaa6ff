"""Stand-in for `djl_python.outputs.Output` at djl-serving v0.21.0 and v0.24.0 (selected by `djl_python.use_version`).

Follows engines/python/setup/djl_python/outputs.py: v0.21.0 (583dbc0c) is `Output021` (with `encode`),
v0.24.0 (94819278) is `Output024` (`send`, `add_stream_content`, `finalize`, `execute_finalize`; no
`encode`). Both: `Output(code=200, message='OK')`, `set_code`, `set_message`,
`error(error, code=424, message="prediction failure")`, `add_property`,
`add(value, key=None, batch_index=None)` (batch_index makes the key `batch_<i>.<key>`),
`add_as_json` (indent 2, separators (",", ":"), NaN refused), `add_as_npz`. NDList encoding is left out.
"""

from __future__ import annotations

import io
import json
import logging
import struct
from collections.abc import Callable, Iterator
from typing import Any

from djl_python.pair_list import PairList


class _OutputBase:
    def __init__(self, code: int = 200, message: str = "OK") -> None:
        self.code = code
        self.message = message
        self.properties: dict[str, str] = {}
        self.content = PairList()

    def set_code(self, code: int) -> Any:
        self.code = code
        return self

    def set_message(self, message: str) -> Any:
        self.message = message
        return self

    def error(self, error: str, code: int = 424, message: str = "prediction failure") -> Any:
        self.code = code
        self.message = message
        body = {"code": self.code, "message": self.message, "error": error}
        self.add_property("content-type", "application/json")
        self.add_as_json(body)
        return self

    def add_property(self, key: str, val: str) -> Any:
        self.properties[key] = val
        return self

    def add(self, value: Any, key: str | None = None, batch_index: int | None = None) -> Any:
        if key is not None and type(key) is not str:
            logging.warning(f"Output key should be str type, got {type(key)}")
            key = str(key)
        if batch_index is not None:
            key = "" if key is None else key
            key = f"batch_{batch_index}.{key}"
        if type(value) is str:
            self.content.add(key=key, value=value.encode("utf-8"))
        elif type(value) is bytearray:
            self.content.add(key=key, value=value)
        elif type(value) is bytes:
            self.content.add(key=key, value=bytearray(value))
        else:
            self.content.add(key=key, value=self._encode_json(value))
        return self

    def add_as_numpy(self, np_list: Any, key: str | None = None, batch_index: int | None = None) -> Any:
        raise NotImplementedError("the stand-in does not encode DJL's NDList format (djl_python/np_util.py)")

    def add_as_npz(self, np_list: Any, key: str | None = None, batch_index: int | None = None) -> Any:
        import numpy as np

        memory_file = io.BytesIO()
        np.savez(memory_file, *np_list)
        memory_file.seek(0)
        return self.add(memory_file.read(-1), key=key, batch_index=batch_index)

    def add_as_json(self, val: Any, key: str | None = None, batch_index: int | None = None) -> Any:
        return self.add(self._encode_json(val), key=key, batch_index=batch_index)

    @staticmethod
    def _encode_json(val: Any) -> bytearray:
        text = json.dumps(val, ensure_ascii=False, allow_nan=False, indent=2, separators=(",", ":"))
        return bytearray(text.encode("utf-8"))

    @staticmethod
    def write_utf8(msg: bytearray, val: str | None) -> None:
        if val is None:
            msg += struct.pack(">h", -1)
        else:
            buf = val.encode("utf-8")
            msg += struct.pack(">h", len(buf))
            msg += buf

    def _header(self) -> bytearray:
        msg = bytearray()
        msg += struct.pack(">h", self.code)
        self.write_utf8(msg, self.message)
        msg += struct.pack(">h", len(self.properties))
        for k, v in self.properties.items():
            self.write_utf8(msg, k)
            self.write_utf8(msg, v)
        return msg

    def _content(self, msg: bytearray) -> bytearray:
        msg += struct.pack(">h", self.content.size())
        for i in range(self.content.size()):
            value = self.content.value_at(i)
            self.write_utf8(msg, self.content.key_at(i))
            msg += struct.pack(">i", len(value))
            msg += value
        return msg


class Output021(_OutputBase):
    """djl_python.outputs.Output as of v0.21.0."""

    def encode(self) -> bytearray:
        return self._content(self._header())


def _default_stream_output_formatter(token_texts: Any) -> bytearray:
    return bytearray((json.dumps({"outputs": token_texts}) + "\n").encode("utf-8"))


class Output024(_OutputBase):
    """djl_python.outputs.Output as of v0.24.0."""

    def __init__(self, code: int = 200, message: str = "OK") -> None:
        super().__init__(code, message)
        self.stream_content: Iterator[Any] | None = None
        self.finalize_function: Callable[..., Any] | None = None
        self.finalize_args: tuple[Any, ...] = ()
        self.stream_output_formatter: Callable[[Any], Any] | None = None

    def add_stream_content(
        self, stream_content: Iterator[Any], output_formatter: Callable[[Any], Any] = _default_stream_output_formatter
    ) -> Output024:
        self.stream_content = stream_content
        self.stream_output_formatter = output_formatter
        return self

    def finalize(self, finalize_function: Callable[..., Any], *args: Any) -> Output024:
        self.finalize_function = finalize_function
        self.finalize_args = args
        return self

    def execute_finalize(self) -> Any:
        if self.finalize_function:
            return self.finalize_function(*self.finalize_args)
        return None

    def send(self, cl_socket: Any) -> None:
        if self.stream_content is not None:
            raise NotImplementedError("the stand-in server does not model streamed responses")
        cl_socket.sendall(self._content(self._header()))
