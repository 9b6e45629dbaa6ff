"""Invocation errors are classified by kind, and only the ones that would fail every request end a run."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    ReadTimeoutError,
)
from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeoutError

from llm_hosting.bench import Failure, classify, is_fatal


def client_error(code: str, status: int, message: str = "message", **extra: object) -> ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}, **extra}
    return ClientError(response, "InvokeEndpoint")


@pytest.mark.parametrize(
    ("error", "kind", "code"),
    [
        (client_error("ModelError", 424), "model", "ModelError"),
        (client_error("ModelStreamError", 200), "model", "ModelStreamError"),
        (client_error("ThrottlingException", 400, "Rate exceeded"), "throttling", "ThrottlingException"),
        (client_error("TooManyRequestsException", 429), "throttling", "TooManyRequestsException"),
        (client_error("SomethingNew", 429), "throttling", "SomethingNew"),
        (client_error("ModelNotReadyException", 429), "other", "ModelNotReadyException"),
        (client_error("ValidationError", 400), "validation", "ValidationError"),
        (client_error("InternalFailure", 500), "other", "InternalFailure"),
        (client_error("ServiceUnavailable", 503), "other", "ServiceUnavailable"),
        (ReadTimeoutError(endpoint_url="http://x"), "timeout", "ReadTimeoutError"),
        (ConnectTimeoutError(endpoint_url="http://x"), "timeout", "ConnectTimeoutError"),
        (Urllib3ReadTimeoutError(None, "http://x", "Read timed out."), "timeout", "ReadTimeoutError"),
        (EndpointConnectionError(endpoint_url="http://x"), "other", "EndpointConnectionError"),
        (RuntimeError("boom"), "other", "RuntimeError"),
    ],
)
def test_errors_are_classified_by_kind_and_keep_their_code(error: Exception, kind: str, code: str) -> None:
    failure = classify(error)

    assert (failure.kind, failure.code) == (kind, code)


def test_a_model_error_names_the_containers_status_and_keeps_the_http_status() -> None:
    error = client_error(
        "ModelError", 424, 'Received server error (500) from primary with message "OOM".', OriginalStatusCode=500
    )

    assert classify(error) == Failure(
        "model",
        "ModelError",
        'the model answered 500: Received server error (500) from primary with message "OOM".',
        424,
    )


def test_a_long_multi_line_message_becomes_one_short_line() -> None:
    failure = classify(client_error("InternalFailure", 500, "line one\nline two " + "x" * 400))

    assert "\n" not in failure.message
    assert len(failure.message) == 300
    assert failure.message.startswith("line one line two x")


@pytest.mark.parametrize(
    "error",
    [
        NoCredentialsError(),
        NoRegionError(),
        ParamValidationError(report="Invalid length for parameter EndpointName"),
        client_error("UnrecognizedClientException", 403),
        client_error("InvalidSignatureException", 403),
        client_error("ExpiredTokenException", 403),
        client_error("AccessDeniedException", 403),
    ],
)
def test_credential_region_and_parameter_errors_always_end_the_run(error: Exception) -> None:
    assert is_fatal(error, answered=True)


def test_a_failed_connection_ends_the_run_only_before_anything_answered() -> None:
    refused = EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
    connect_timeout = ConnectTimeoutError(endpoint_url="http://10.255.255.1")

    assert is_fatal(refused, answered=False)
    assert is_fatal(connect_timeout, answered=False)
    assert not is_fatal(refused, answered=True)
    assert not is_fatal(connect_timeout, answered=True)


@pytest.mark.parametrize(
    "error",
    [
        client_error("ModelError", 424),
        client_error("ThrottlingException", 400),
        client_error("ValidationError", 400),
        ReadTimeoutError(endpoint_url="http://x"),
    ],
)
def test_request_failures_are_counted_not_fatal(error: Exception) -> None:
    assert not is_fatal(error, answered=False)
