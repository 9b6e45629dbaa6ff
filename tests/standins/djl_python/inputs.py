"""Stand-in for `djl_python.inputs.Input` at djl-serving v0.21.0 and v0.24.0 (selected by `djl_python.use_version`).

Follows engines/python/setup/djl_python/inputs.py: v0.21.0 (583dbc0c) is `Input`, v0.24.0 (94819278)
is `Input024`. The differences it keeps: 0.21.0 `is_batch()` is `batch_size > 1` and every request
of a batch shares the batch's properties; 0.24.0 `is_batch()` is `"batch_size" in properties` and
each request gets the properties the server sent it as `batch_<i>.<key>`; 0.24.0 `get_data` accepts
`application/json; charset=...`. Content keys of a batch are `batch_<i>.<key>` in both. The socket
reader (`read`) and the NDList decoder are engine internals the stand-in leaves out.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from djl_python.pair_list import PairList

_BATCH_KEY = re.compile("batch_(\\d+)\\.(.*)")


class Input:
    """djl_python.inputs.Input as of v0.21.0."""

    def __init__(self) -> None:
        self.function_name: str | None = None
        self.properties: dict[str, Any] = {}
        self.content = PairList()

    def __str__(self) -> str:
        text = "properties: " + str(self.get_properties())
        for key in self.get_content().get_keys():
            text += f"\n{key}: {self.get_data(key)}"
        return text

    def is_batch(self) -> bool:
        return self.get_batch_size() > 1

    def get_batch_size(self) -> int:
        return int(self.properties.get("batch_size", "1"))

    def _new_item(self, index: int) -> Input:
        item = type(self)()
        item.properties = self.properties  # 0.21.0: every request shares the batch's properties
        return item

    def get_batches(self) -> list[Input]:
        batch_size = self.get_batch_size()
        if batch_size == 1:
            return [self]
        batch = [self._new_item(i) for i in range(batch_size)]
        for i in range(self.content.size()):
            key = self.content.key_at(i)
            match = _BATCH_KEY.match(key)
            if match is None:
                raise ValueError("Unexpected key in batch input: key")
            batch[int(match.group(1))].content.add(match.group(2), self.content.value_at(i))
        return batch

    def get_function_name(self) -> str | None:
        return self.function_name

    def get_properties(self) -> dict[str, Any]:
        return self.properties

    def get_content(self) -> PairList:
        return self.content

    def get_property(self, key: str) -> Any:
        return next((v for k, v in self.properties.items() if k.lower() == key.lower()), None)

    def contains_key(self, key: str) -> bool:
        return self.content.get(key) is not None

    def _is_json(self, content_type: str | None) -> bool:
        return content_type == "application/json"

    def get_data(self, key: str | None = None) -> Any:
        content_type = self.get_property("content-type")
        if content_type == "tensor/ndlist":
            return self.get_as_numpy(key)
        if content_type == "tensor/npz":
            return self.get_as_npz(key)
        if self._is_json(content_type):
            return self.get_as_json(key)
        if content_type is not None and content_type.startswith("text/"):
            return self.get_as_string(key)
        if content_type is not None and content_type.startswith("image/"):
            return self.get_as_image(key)
        if self.content.is_empty():
            return None
        return self.get_as_bytes(key=key)

    def get_as_bytes(self, key: str | None = None) -> Any:
        if self.content.is_empty():
            return None
        if key:
            found = self.content.get(key)
            if found is None:
                raise KeyError(f"requested data for key:{key} is not found!")
            return found
        found = self.content.get("data")
        return self.content.value_at(0) if found is None else found

    def get_as_string(self, key: str | None = None) -> str:
        return bytes(self.get_as_bytes(key=key)).decode("utf-8")

    def get_as_json(self, key: str | None = None) -> Any:
        return json.loads(bytes(self.get_as_bytes(key=key)).decode("utf-8"))

    def get_as_image(self, key: str | None = None) -> Any:
        from PIL import Image

        return Image.open(io.BytesIO(self.get_as_bytes(key=key)))

    def get_as_numpy(self, key: str | None = None) -> list[Any]:
        raise NotImplementedError("the stand-in does not decode DJL's NDList encoding (djl_python/np_util.py)")

    def get_as_npz(self, key: str | None = None) -> list[Any]:
        import numpy

        npz = numpy.load(io.BytesIO(self.get_as_bytes(key=key)))
        return [npz[name] for name in npz.files]

    def get_as_csv(self, key: str | None = None) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.get_as_string(key=key))))

    def is_empty(self) -> bool:
        return self.content.is_empty()


class Input024(Input):
    """djl_python.inputs.Input as of v0.24.0."""

    def is_batch(self) -> bool:
        return "batch_size" in self.properties

    def _new_item(self, index: int) -> Input:
        item = type(self)()
        prefix = f"batch_{index}."
        for key, value in self.properties.items():
            if key.startswith(prefix):
                item.properties[key[len(prefix) :]] = value
        return item

    def get_batches(self) -> list[Input]:
        if not self.is_batch():
            return [self]
        batch = [self._new_item(i) for i in range(self.get_batch_size())]
        for i in range(self.content.size()):
            key = self.content.key_at(i)
            match = _BATCH_KEY.match(key)
            if match is None:
                raise ValueError(f"Unexpected key in batch input: {key}")
            batch[int(match.group(1))].content.add(match.group(2), self.content.value_at(i))
        return batch

    def _is_json(self, content_type: str | None) -> bool:
        return content_type is not None and content_type.startswith("application/json")
