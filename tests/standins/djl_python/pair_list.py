"""Stand-in for `djl_python.pair_list.PairList`, identical at djl-serving v0.21.0 and v0.24.0.

Follows deepjavalibrary/djl-serving engines/python/setup/djl_python/pair_list.py@v0.21.0 (583dbc0c),
unchanged at v0.24.0 (94819278): same constructor, `add` (a None value is ignored), `get`, `key_at`,
`value_at`, `get_keys`, `get_values`, `size`, `is_empty`.
"""

from __future__ import annotations

from typing import Any


class PairList:
    def __init__(
        self,
        keys: list[Any] | None = None,
        values: list[Any] | None = None,
        pair_list: list[tuple[Any, Any]] | None = None,
        pair_map: dict[Any, Any] | None = None,
    ) -> None:
        self.keys: list[Any] = []
        self.values: list[Any] = []
        if keys and values:
            if len(keys) != len(values):
                raise ValueError("key value size mismatch.")
            self.keys, self.values = list(keys), list(values)
        elif pair_list:
            for key, value in pair_list:
                self.add(key, value)
        elif pair_map:
            for key, value in pair_map.items():
                self.add(key, value)

    def add(self, key: Any = None, value: Any = None, index: int | None = None, pair: Any = None) -> None:
        if index is not None and value is not None:
            self.keys.insert(index, key)
            self.values.insert(index, value)
        elif pair:
            self.keys.append(pair[0])
            self.values.append(pair[1])
        elif value is not None:  # the real PairList ignores a None value
            self.keys.append(key)
            self.values.append(value)

    def add_all(self, other: PairList) -> None:
        if other:
            self.keys.extend(other.get_keys())
            self.values.extend(other.get_values())

    def size(self) -> int:
        return len(self.keys)

    def is_empty(self) -> bool:
        return self.size() == 0

    def get(self, key: Any) -> Any:
        if key not in self.keys:
            return None
        return self.values[self.keys.index(key)]

    def key_at(self, index: int) -> Any:
        return self.keys[index]

    def value_at(self, index: int) -> Any:
        return self.values[index]

    def get_keys(self) -> list[Any]:
        return self.keys

    def get_values(self) -> list[Any]:
        return self.values
