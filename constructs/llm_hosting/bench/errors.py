"""What kind of failure an invocation error is, and which errors end a benchmark instead of being counted.

Kinds: `model` (the container answered with an error: ModelError, or ModelStreamError mid-stream),
`throttling` (ThrottlingException and its relatives, or any other HTTP 429 but ModelNotReady),
`validation` (ValidationError: a bad request, an unknown endpoint, component or model archive),
`timeout` (no answer within the client's connect/read timeout), `other` (everything else:
ModelNotReadyException, InternalFailure, ServiceUnavailable, a dropped connection, ...).
The error code is kept beside the kind, so `other` can always be broken down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from botocore.exceptions import (  # type: ignore[import-untyped]
    ClientError,
    ConnectionError as BotocoreConnectionError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    UnknownCredentialError,
)
from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeoutError

ErrorKind = Literal["model", "throttling", "validation", "timeout", "other"]
ERROR_KINDS: tuple[ErrorKind, ...] = ("model", "throttling", "validation", "timeout", "other")

MODEL_CODES = frozenset({"ModelError", "ModelStreamError"})
# The codes botocore's own retry logic treats as throttling.
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestLimitExceeded",
        "SlowDown",
        "ProvisionedThroughputExceededException",
    }
)
VALIDATION_CODES = frozenset({"ValidationError", "ValidationException"})
# A multi-model endpoint answers 429 ModelNotReadyException while it loads the target model: that is
# a cold model, not a rate limit, so it is not counted as throttling.
NOT_THROTTLING_429 = frozenset({"ModelNotReadyException"})
# The same answer for every request: running on would only count it K times.
CREDENTIAL_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "ExpiredToken",
        "ExpiredTokenException",
        "IncompleteSignature",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "MissingAuthenticationToken",
        "RequestExpired",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
    }
)
_FATAL_TYPES = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    UnknownCredentialError,
    ProfileNotFound,
    NoRegionError,
    ParamValidationError,
)
_MESSAGE_MAX_CHARS = 300


@dataclass(frozen=True)
class Failure:
    """One failed invocation, classified."""

    kind: ErrorKind
    code: str
    """The service's error code (`ModelError`, `ThrottlingException`, ...) or the SDK exception's name."""
    message: str
    http_status: int | None = None


def classify(err: BaseException) -> Failure:
    """The kind, code, one-line message and HTTP status (when the service answered) of an invocation error."""
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        http_status = int(status) if isinstance(status, int) else None
        message = _one_line(str(error.get("Message") or ""))
        if code == "ModelError" and err.response.get("OriginalStatusCode") is not None:
            message = _one_line(f"the model answered {err.response['OriginalStatusCode']}: {message}")
        return Failure(_kind(code, http_status), code, message, http_status)
    if isinstance(err, ReadTimeoutError | ConnectTimeoutError | Urllib3ReadTimeoutError | TimeoutError):
        return Failure("timeout", type(err).__name__, _one_line(str(err)))
    return Failure("other", type(err).__name__, _one_line(str(err)))


def _kind(code: str, http_status: int | None) -> ErrorKind:
    if code in MODEL_CODES:
        return "model"
    if code in THROTTLING_CODES or (http_status == 429 and code not in NOT_THROTTLING_429):
        return "throttling"
    if code in VALIDATION_CODES:
        return "validation"
    return "other"


def is_fatal(err: BaseException, *, answered: bool) -> bool:
    """Whether `err` ends the benchmark (raised to the caller) rather than being counted.

    Credential, region and parameter problems always do: every request would fail alike. A failed
    connection does while nothing has answered yet (a wrong --endpoint-url, no network); once the
    endpoint has answered, a lost connection is a failure of that request like any other.
    """
    if isinstance(err, _FATAL_TYPES):
        return True
    if isinstance(err, ClientError):
        return str(err.response.get("Error", {}).get("Code") or "") in CREDENTIAL_CODES
    return isinstance(err, BotocoreConnectionError) and not answered


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_MAX_CHARS else text[: _MESSAGE_MAX_CHARS - 3] + "..."
