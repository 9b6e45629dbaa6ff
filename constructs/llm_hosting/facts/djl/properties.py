"""Check a model's serving.properties against the keys and values its DJL engine version reads.

An unknown key gets the closest known key (`did you mean option.tensor_parallel_degree?`) or the
list of known keys; a value outside an enumeration names the allowed values. Keys a code directory's
own handler reads are the caller's to add (`known_property_keys` plus its own set).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from llm_hosting.facts.djl.architectures import check_version, selected_path
from llm_hosting.facts.djl.property_data import (
    ALLOWED,
    INTEGER_KEYS,
    KEY_SETS,
    LMI_OPTION_KEYS,
    TENSOR_PARALLEL_MAX_FROM,
    TRT_OPTION_KEYS,
    VLLM_EXTRA_OPTIONS_FROM,
    Allowed,
)
from llm_hosting.facts.djl.sources import version_key


@dataclass(frozen=True)
class PropertyProblem:
    """One serving.properties entry that the engine version would refuse or ignore, and the fix."""

    key: str
    message: str


def known_property_keys(engine: str, version: str) -> frozenset[str]:
    """Every serving.properties key `engine` `version` reads (DJL's own and the engine's `option.*` keys)."""
    check_version(engine, version)
    keys: set[str] = set()
    for key_set in KEY_SETS:
        if engine in key_set.engines and version in key_set.versions:
            keys |= key_set.keys
    options = LMI_OPTION_KEYS if engine == "lmi" else TRT_OPTION_KEYS if engine == "tensorrt-llm" else {}
    if version in options:
        keys |= {f"option.{key}" for key in options[version][0]}
    return frozenset(keys)


def _allowed(engine: str, version: str, key: str) -> Allowed | None:
    return next((a for a in ALLOWED if a.key == key and engine in a.engines and version in a.versions), None)


def _closest(word: str, choices: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.75)
    return matches[0] if matches else None


def _unknown_key(engine: str, version: str, key: str, known: frozenset[str], properties: Mapping[str, str]) -> str:
    guess = _closest(key, known)
    where = f"{engine} {version} does not read '{key}'"
    if guess is not None:
        return f"{where}; did you mean {guess}?"
    passes_to_vllm = (
        engine == "lmi"
        and key.startswith("option.")
        and version_key(version) >= version_key(VLLM_EXTRA_OPTIONS_FROM)
        and selected_path(engine, version, properties) == "vllm"
    )
    if passes_to_vllm:
        return (
            f"{where} itself; LMI passes it to vLLM as an engine argument, which this library cannot check: "
            "declare it as an unchecked key if vLLM takes it"
        )
    family = sorted(k for k in known if k.startswith("option.") == key.startswith("option."))
    return f"{where}; known keys: {', '.join(family)}"


def _value_problem(engine: str, version: str, key: str, value: str) -> str | None:
    allowed = _allowed(engine, version, key)
    if allowed is not None:
        candidate = value.lower() if allowed.case_insensitive else value
        if candidate in allowed.values:
            return None
        choices = sorted(allowed.values)
        guess = _closest(candidate, choices)
        hint = f"; did you mean {guess}?" if guess is not None else ""
        return f"{key}={value} is not accepted by {engine} {version}: use one of {', '.join(choices)}{hint}"
    if key == "option.tensor_parallel_degree":
        takes_max = version_key(version) >= version_key(TENSOR_PARALLEL_MAX_FROM)
        if value.isdigit() and int(value) >= 1:
            return None
        if value == "max" and takes_max:
            return None
        accepted = "a whole number of GPUs (1 or more)" + (" or max" if takes_max else "")
        later = "" if takes_max else f" ('max' needs {TENSOR_PARALLEL_MAX_FROM} or later)"
        return f"{key}={value} is not accepted by {engine} {version}: use {accepted}{later}"
    if key in INTEGER_KEYS and not value.isdigit():
        return f"{key}={value} is not a whole number; DJL parses it as an integer"
    return None


def property_problems(engine: str, version: str, properties: Mapping[str, str]) -> list[PropertyProblem]:
    """Every key `engine` `version` does not read and every value it refuses, in key order."""
    known = known_property_keys(engine, version)
    problems: list[PropertyProblem] = []
    for key in sorted(properties):
        value = str(properties[key]).strip()
        if key not in known:
            problems.append(PropertyProblem(key, _unknown_key(engine, version, key, known, properties)))
            continue
        message = _value_problem(engine, version, key, value)
        if message is not None:
            problems.append(PropertyProblem(key, message))
    return problems
