"""Which files of a Hugging Face model repository a DJL engine needs: config, one weight format, tokenizer, custom code.

Plain logic over the repository's file list and the contents of a few small files (fetched through a
callable), so it is tested without a Hub. Only top-level files are taken: subfolders hold other
formats (`original/`, `onnx/`, `gguf/`) that the engines do not read.
"""

from __future__ import annotations

import ast
import fnmatch
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llm_hosting.onboarding import OnboardingError

CONFIG = "config.json"
GENERATION_CONFIG = "generation_config.json"
TOKENIZER_CONFIG = "tokenizer_config.json"

# One weight format, safetensors first: (index file, single file, shard suffix). The index's
# `weight_map` names the shards; a repo that also holds another format (Mistral's
# `consolidated.safetensors`, `pytorch_model*.bin` beside safetensors) keeps it out of the prefix.
WEIGHT_FORMATS: tuple[tuple[str, str, str], ...] = (
    ("model.safetensors.index.json", "model.safetensors", ".safetensors"),
    ("pytorch_model.bin.index.json", "pytorch_model.bin", ".bin"),
)
WEIGHT_SUFFIXES = (".safetensors", ".bin")
NOT_WEIGHTS = frozenset({"training_args.bin", "adapter_model.safetensors", "adapter_model.bin"})
"""Files with a weight suffix that are not the model's weights (trainer state, a PEFT adapter)."""

TOKENIZER_VOCABULARIES = (
    "tokenizer.json",
    "tokenizer.model",
    "spiece.model",
    "sentencepiece*.model",
    "vocab.json",
    "vocab.txt",
    "*.tiktoken",
)
"""At least one of these holds the vocabulary itself; the rest of TOKENIZER_PATTERNS only configure it."""

TOKENIZER_PATTERNS = (
    "tokenizer.json",
    TOKENIZER_CONFIG,
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.json",
    "vocab.txt",
    "merges.txt",
    "spiece.model",
    "tokenizer.model",
    "sentencepiece*.model",
    "*.tiktoken",
    "chat_template.jinja",
    "chat_template.json",
)
"""Tokenizer files as transformers' tokenizers save them (slow and fast, SentencePiece, tiktoken)."""


@dataclass(frozen=True)
class Selection:
    """The files to stage, and what the model's own config says about it."""

    files: tuple[str, ...]
    """Repository paths, sorted; config.json is always one of them."""
    weights: tuple[str, ...]
    model_type: str
    custom_code: tuple[str, ...] = ()
    """Python modules named by an `auto_map` (and what they import relatively)."""
    remote_code: tuple[str, ...] = ()
    """`auto_map` references to code in another repository (`other/repo--module.Class`), not staged."""


Fetch = Callable[[str], bytes]
"""Reads one file of the repository (at the resolved commit)."""


def _json(fetch: Fetch, path: str) -> dict[str, Any]:
    try:
        data = json.loads(fetch(path))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise OnboardingError(f"{path} is not valid JSON ({err}); the repository is not a transformers model") from None
    if not isinstance(data, dict):
        raise OnboardingError(f"{path} holds {type(data).__name__}, not a JSON object; the repository is not usable")
    return data


def model_type_of(config: Mapping[str, Any]) -> str:
    """The `model_type` of a config.json (the catalog's `architecture`)."""
    model_type = config.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        raise OnboardingError(
            "config.json has no model_type, so no engine can tell which architecture to build; "
            "stage a transformers model (its config.json names model_type)"
        )
    return model_type


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether a file name matches any fnmatch pattern (case-sensitive, as S3 keys and Hub paths are)."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def top_level(paths: Iterable[str]) -> list[str]:
    return sorted(p for p in paths if "/" not in p)


def is_weight_file(path: str) -> bool:
    return path.endswith(WEIGHT_SUFFIXES) and path.rsplit("/", 1)[-1] not in NOT_WEIGHTS


def _weights(top: Sequence[str], fetch: Fetch) -> tuple[str, ...]:
    present = set(top)
    for index, single, suffix in WEIGHT_FORMATS:
        if index in present:
            weight_map = _json(fetch, index).get("weight_map")
            if not isinstance(weight_map, dict) or not weight_map:
                raise OnboardingError(f"{index} has no weight_map naming its shards; the repository is incomplete")
            shards = sorted({str(v) for v in weight_map.values()})
            missing = [s for s in shards if s not in present]
            if missing:
                raise OnboardingError(
                    f"{index} names {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}, which the "
                    "repository does not hold; choose a --revision where every shard is uploaded"
                )
            return (index, *shards)
        if single in present:
            return (single,)
        loose = [p for p in top if p.endswith(suffix) and is_weight_file(p)]
        if loose:
            return tuple(loose)
    raise OnboardingError(
        "holds no weight files (model.safetensors, model.safetensors.index.json and its shards, or "
        "pytorch_model.bin); stage a transformers model, or name the files with --allow-patterns"
    )


def _auto_map_modules(config: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Module files an `auto_map` needs from this repository, and references to other repositories."""
    auto_map = config.get("auto_map")
    local: set[str] = set()
    remote: set[str] = set()
    if not isinstance(auto_map, dict):
        return local, remote
    for value in auto_map.values():
        # AutoTokenizer maps to [slow, fast], either of which may be null.
        references = value if isinstance(value, list) else [value]
        for reference in references:
            if not isinstance(reference, str) or "." not in reference:
                continue
            if "--" in reference:
                remote.add(reference)
                continue
            local.add(reference.rsplit(".", 1)[0].replace(".", "/") + ".py")
    return local, remote


def _relative_imports(source: bytes, module: str) -> set[str]:
    """Sibling modules `module` imports relatively (`from .configuration_x import ...`), as paths."""
    try:
        tree = ast.parse(source, filename=module)
    except (SyntaxError, ValueError) as err:
        raise OnboardingError(f"{module} is not valid Python ({err}); the model's custom code cannot load") from None
    folder = module.rsplit("/", 1)[0] + "/" if "/" in module else ""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(f"{folder}{node.module.replace('.', '/')}.py")
            else:  # from . import a, b
                found.update(f"{folder}{alias.name}.py" for alias in node.names)
    return found


def _custom_code(configs: Sequence[Mapping[str, Any]], present: set[str], fetch: Fetch) -> tuple[set[str], set[str]]:
    wanted: set[str] = set()
    remote: set[str] = set()
    for config in configs:
        local, other = _auto_map_modules(config)
        wanted |= local
        remote |= other
    todo = sorted(wanted)
    found: set[str] = set()
    while todo:
        module = todo.pop()
        if module in found:
            continue
        if module not in present:
            raise OnboardingError(
                f"its auto_map needs {module}, which the repository does not hold; the model cannot load "
                "its custom code"
            )
        found.add(module)
        todo.extend(sorted(_relative_imports(fetch(module), module) - found))
    return found, remote


def select_files(paths: Iterable[str], fetch: Fetch, *, allow_patterns: Sequence[str] | None = None) -> Selection:
    """The files an engine needs from a repository holding `paths`; `fetch` reads a small file.

    With `allow_patterns` (fnmatch, e.g. `*.safetensors`) the files matching them are taken instead,
    plus config.json, which `stage` and `check` read.
    """
    every = set(paths)
    if CONFIG not in every:
        raise OnboardingError("has no config.json at its top level; stage a transformers model repository")
    config = _json(fetch, CONFIG)
    model_type = model_type_of(config)
    top = top_level(every)

    if allow_patterns is not None:
        chosen = {p for p in every if matches(p, allow_patterns)}
        weights = tuple(sorted(p for p in chosen if is_weight_file(p)))
        if not weights:
            raise OnboardingError(
                f"--allow-patterns {' '.join(allow_patterns)} match no weight files (*.safetensors, *.bin); "
                "add a pattern that does"
            )
        return Selection(files=tuple(sorted(chosen | {CONFIG})), weights=weights, model_type=model_type)

    weights = _weights(top, fetch)
    tokenizer = {p for p in top if matches(p, TOKENIZER_PATTERNS)}
    if not any(matches(p, TOKENIZER_VOCABULARIES) for p in tokenizer):
        raise OnboardingError(
            "holds no tokenizer vocabulary (tokenizer.json, tokenizer.model, spiece.model, vocab.json, vocab.txt "
            "or *.tiktoken) at its top level, so the engine cannot tokenize; name the files with --allow-patterns"
        )
    configs: list[Mapping[str, Any]] = [config]
    if TOKENIZER_CONFIG in tokenizer:
        configs.append(_json(fetch, TOKENIZER_CONFIG))
    code, remote = _custom_code(configs, every, fetch)
    chosen = {CONFIG, *weights, *tokenizer, *code}
    if GENERATION_CONFIG in every:
        chosen.add(GENERATION_CONFIG)
    return Selection(
        files=tuple(sorted(chosen)),
        weights=weights,
        model_type=model_type,
        custom_code=tuple(sorted(code)),
        remote_code=tuple(sorted(remote)),
    )


def missing_parts(paths: Iterable[str], fetch: Fetch) -> list[str]:
    """What keeps a folder of these files from loading: config.json, the weights (every shard an index
    names) and a tokenizer vocabulary. Empty when an engine can load it."""
    top = top_level(paths)
    problems: list[str] = []
    if CONFIG not in top:
        problems.append("has no config.json")
    try:
        _weights(top, fetch)
    except OnboardingError as err:
        problems.append(str(err).split(";", 1)[0])
    if not any(matches(p, TOKENIZER_VOCABULARIES) for p in top):
        problems.append(
            "has no tokenizer vocabulary (tokenizer.json, tokenizer.model, spiece.model, vocab.*, *.tiktoken)"
        )
    return problems
