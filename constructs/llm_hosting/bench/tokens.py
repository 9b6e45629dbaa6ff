"""How many tokens a model generated, read from its answer: the count it reports, else an estimate.

Reported counts, in the formats LLM containers on SageMaker answer with:

- TGI and DJL/LMI with details: `{"generated_text": ..., "details": {"generated_tokens": N}}`
  (also a list of those, one per input, summed);
- OpenAI-style (TGI Messages API, vLLM, LMI's chat schema): `{"usage": {"completion_tokens": N}}`,
  or `usage.output_tokens`;
- streams (TGI server-sent events, LMI JSON lines): the final event's `details.generated_tokens` or
  `usage`, else one per `{"token": {...}}` event (each such event carries exactly one token).

Otherwise the generated text (`generated_text`, `choices[].text`, `choices[].message.content`,
streamed `token.text` / `choices[].delta.content`; for anything else every string in the answer)
is measured with a tokenizer-free estimate, `estimate_tokens`, described by `ESTIMATE_METHOD`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

TokenSource = Literal["reported", "counted", "estimated"]
"""reported: the model's own count; counted: one per streamed token event; estimated: `estimate_tokens`."""

TOKEN_SOURCES: tuple[TokenSource, ...] = ("reported", "counted", "estimated")

ESTIMATE_METHOD = (
    "word pieces (no tokenizer): a run of letters counts one token per 6 letters started, a run of digits "
    "one per 3 digits started, each CJK character and each other non-space character one"
)

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_PIECE = re.compile(rf"(?P<cjk>[{_CJK}])|(?P<letters>[^\W\d_{_CJK}]+)|(?P<digits>\d+)|(?P<other>\S)")
_LETTERS_PER_TOKEN = 6
_DIGITS_PER_TOKEN = 3
_SSE_FIELDS = ("event:", "id:", "retry:")


@dataclass(frozen=True)
class TokenCount:
    """Output tokens of one answer, and where the number comes from."""

    tokens: int
    source: TokenSource
    field: str
    """What was read: `details.generated_tokens`, `usage.completion_tokens`, `token events`, or the text
    the estimate measured (`generated_text`, `choices[].message.content`, `response text`, ...)."""


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate of how many tokens `text` is (see `ESTIMATE_METHOD`).

    BPE tokenizers keep common words whole, split long and rare ones, split numbers into short
    groups and give punctuation its own tokens; the pieces here follow that shape. It is an
    approximation: compare models by reported counts where they offer them.
    """
    total = 0
    for match in _PIECE.finditer(text):
        if match["letters"]:
            total += math.ceil(len(match["letters"]) / _LETTERS_PER_TOKEN)
        elif match["digits"]:
            total += math.ceil(len(match["digits"]) / _DIGITS_PER_TOKEN)
        else:
            total += 1
    return total


def count_response_tokens(body: bytes) -> TokenCount:
    """Output tokens of an InvokeEndpoint answer (the whole body)."""
    text = body.decode("utf-8", errors="replace")
    try:
        document = json.loads(text)
    except ValueError:
        # JSON lines (LMI's jsonlines output) or server-sent events in a buffered answer.
        return count_stream_tokens(body)
    reported = reported_tokens(document)
    if reported is not None:
        return TokenCount(reported[0], "reported", reported[1])
    generated = generated_text(document)
    if generated is not None:
        return TokenCount(estimate_tokens(generated[0]), "estimated", generated[1])
    return TokenCount(estimate_tokens(" ".join(_strings(document))), "estimated", "response strings")


def count_stream_tokens(data: bytes) -> TokenCount:
    """Output tokens of a response stream: its payload parts joined (an event may span parts)."""
    text = data.decode("utf-8", errors="replace")
    reported: tuple[int, str] | None = None
    token_events = 0
    streamed: list[str] = []
    streamed_field = ""
    final_text: tuple[str, str] | None = None
    loose: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith((":", *_SSE_FIELDS)):
            continue  # blank, a server-sent-events comment or a field other than data
        if line.startswith("data:"):
            line = line.removeprefix("data:").strip()
            if line == "[DONE]":
                continue
        values = _json_values(line)
        if values is None:
            loose.append(line)
            continue
        for value in values:
            reported = reported_tokens(value) or reported
            token = value.get("token") if isinstance(value, dict) else None
            if isinstance(token, dict):
                token_events += 1
                if isinstance(token.get("text"), str):
                    streamed.append(token["text"])
                    streamed_field = "token.text"
                continue
            delta = _choices_text(value, ("delta", "content"))
            if delta is not None:
                streamed.append(delta)
                streamed_field = "choices[].delta.content"
                continue
            final_text = generated_text(value) or final_text
    if reported is not None:
        return TokenCount(reported[0], "reported", reported[1])
    if token_events:
        return TokenCount(token_events, "counted", "token events")
    if streamed:
        return TokenCount(estimate_tokens("".join(streamed)), "estimated", streamed_field)
    if final_text is not None:
        return TokenCount(estimate_tokens(final_text[0]), "estimated", final_text[1])
    return TokenCount(estimate_tokens(text if not loose else "\n".join(loose)), "estimated", "response text")


def reported_tokens(document: Any) -> tuple[int, str] | None:
    """The generated-token count the answer reports, and the field it is in; None when it has none.

    A list (one answer per input) counts only when every item reports, and then sums them.
    """
    if isinstance(document, list):
        counts = [reported_tokens(item) for item in document]
        if not counts or any(c is None for c in counts):
            return None
        known = [c for c in counts if c is not None]
        return sum(n for n, _ in known), known[0][1]
    if not isinstance(document, dict):
        return None
    usage = document.get("usage")
    if isinstance(usage, dict):
        for key in ("completion_tokens", "output_tokens"):
            if _is_count(usage.get(key)):
                return int(usage[key]), f"usage.{key}"
    details = document.get("details")
    if isinstance(details, dict) and _is_count(details.get("generated_tokens")):
        return int(details["generated_tokens"]), "details.generated_tokens"
    return None


def generated_text(document: Any) -> tuple[str, str] | None:
    """The text the model generated, and the field it is in; None for an answer of another shape."""
    if isinstance(document, list):
        found = [generated_text(item) for item in document]
        known = [f for f in found if f is not None]
        if not known:
            return None
        return "\n".join(t for t, _ in known), known[0][1]
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("generated_text"), str):
        return document["generated_text"], "generated_text"
    for path in (("text",), ("message", "content")):
        text = _choices_text(document, path)
        if text is not None:
            return text, "choices[]." + ".".join(path)
    return None


def _choices_text(document: Any, path: tuple[str, ...]) -> str | None:
    if not isinstance(document, dict) or not isinstance(document.get("choices"), list):
        return None
    texts: list[str] = []
    for choice in document["choices"]:
        value: Any = choice
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            texts.append(value)
    return "".join(texts) if texts else None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _json_values(line: str) -> list[Any] | None:
    """The JSON values on one line (some servers put several objects on a line); None if it is not JSON."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    position = 0
    while position < len(line):
        try:
            value, position = decoder.raw_decode(line, position)
        except ValueError:
            return values or None
        values.append(value)
        while position < len(line) and line[position].isspace():
            position += 1
    return values


def _strings(document: Any) -> Iterator[str]:
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from _strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from _strings(value)
