"""One invocation as the benchmark client saw it: the unit every statistic and output is built from."""

from __future__ import annotations

from dataclasses import dataclass

from llm_hosting.bench.errors import ErrorKind
from llm_hosting.bench.tokens import TokenSource


@dataclass(frozen=True)
class RequestRecord:
    """One invocation as the client saw it."""

    index: int
    start_s: float
    """When it was sent, in seconds after the phase (warm-up or measured) began."""
    latency_s: float
    ok: bool
    http_status: int | None = None
    error_kind: ErrorKind | None = None
    error_code: str | None = None
    error_message: str | None = None
    tokens: int = 0
    token_source: TokenSource | None = None
    token_field: str | None = None
    ttft_s: float | None = None
    """Time to the first non-empty payload part (streaming only)."""

    @property
    def end_s(self) -> float:
        return self.start_s + self.latency_s
