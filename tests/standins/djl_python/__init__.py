"""A small local stand-in for DJL Serving's `djl_python.Input` / `Output` (djl-serving 0.21 API).

Only what handlers use: properties, content as (key, bytes) pairs, batches keyed `batch_NNN_*`,
`is_empty`, `get_as_json`, and an `Output` with code, message, properties and content.
"""

from __future__ import annotations

import json
from typing import Any


class PairList:
    """Ordered (key, value) pairs, as DJL keeps an Input's content."""

    def __init__(self, pairs: list[tuple[str, bytes]]):
        self._pairs = pairs

    def size(self) -> int:
        return len(self._pairs)

    def key_at(self, index: int) -> str:
        return self._pairs[index][0]

    def value_at(self, index: int) -> bytes:
        return self._pairs[index][1]

    def is_empty(self) -> bool:
        return not self._pairs


class Input:
    def __init__(self, properties: dict[str, str] | None = None, content: list[tuple[str, bytes]] | None = None):
        self.properties = dict(properties or {})
        self.content = list(content or [])

    @classmethod
    def json(cls, body: Any, properties: dict[str, str] | None = None) -> Input:
        return cls(properties, [("data", json.dumps(body).encode())])

    @classmethod
    def batch(cls, bodies: list[Any], properties: dict[str, str] | None = None) -> Input:
        """What the model server sends when it has batched `len(bodies)` requests."""
        props = {**(properties or {}), "batch_size": str(len(bodies))}
        content = [(f"batch_{i:03d}_data", json.dumps(body).encode()) for i, body in enumerate(bodies)]
        return cls(props, content)

    def get_properties(self) -> dict[str, str]:
        return self.properties

    def get_content(self) -> PairList:
        return PairList(self.content)

    def is_empty(self) -> bool:
        return not self.content

    def is_batch(self) -> bool:
        return "batch_size" in self.properties

    def get_batch_size(self) -> int:
        return int(self.properties.get("batch_size", "1"))

    def get_batches(self) -> list[Input]:
        if not self.is_batch():
            return [self]
        batch = [Input() for _ in range(self.get_batch_size())]
        for key, value in self.properties.items():
            if key.startswith("batch_") and key != "batch_size":
                batch[int(key[6:9])].properties[key[10:]] = value
        for key, value in self.content:
            batch[int(key[6:9])].content.append((key[10:], value))
        return batch

    def get_as_bytes(self, key: str | None = None) -> bytes:
        if key is not None:
            return next(v for k, v in self.content if k == key)
        return dict(self.content).get("data", self.content[0][1])

    def get_as_json(self, key: str | None = None) -> Any:
        return json.loads(self.get_as_bytes(key).decode("utf-8"))


class Output:
    def __init__(self, code: int = 200, message: str = "OK"):
        self.code = code
        self.message = message
        self.properties: dict[str, str] = {}
        self.content: list[tuple[str | None, bytes]] = []

    def set_code(self, code: int) -> Output:
        self.code = code
        return self

    def set_message(self, message: str) -> Output:
        self.message = message
        return self

    def add_property(self, key: str, value: str) -> Output:
        self.properties[key] = value
        return self

    def add(self, value: Any, key: str | None = None) -> Output:
        if isinstance(value, str):
            self.content.append((key, value.encode("utf-8")))
        elif isinstance(value, (bytes, bytearray)):
            self.content.append((key, bytes(value)))
        else:
            self.add_as_json(value, key=key)
        return self

    def add_as_json(self, value: Any, key: str | None = None) -> Output:
        self.content.append((key, json.dumps(value, ensure_ascii=False).encode("utf-8")))
        return self

    def error(self, error: str, code: int = 424, message: str = "prediction failure") -> Output:
        self.code = code
        self.message = message
        self.add_property("content-type", "application/json")
        return self.add_as_json({"code": code, "message": message, "error": error})

    # For assertions in tests.
    def json(self, key: str | None = None) -> Any:
        value = next(v for k, v in self.content if k == key) if key is not None else self.content[0][1]
        return json.loads(value)

    def keys(self) -> list[str | None]:
        return [k for k, _ in self.content]
