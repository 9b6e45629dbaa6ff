"""The SageMaker runtime stand-in speaks the API as botocore's model describes it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.standins.sagemaker_runtime import Behaviour, Request, SageMakerRuntimeStandIn


def test_a_success_returns_body_content_type_and_headers(runtime: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.on_model("a.tar.gz", Behaviour.ok({"vector": [0.5]}, custom_attributes="trace=1"))

    response = runtime.invoke_endpoint(
        EndpointName="ep",
        TargetModel="a.tar.gz",
        Body=b'{"inputs": "x"}',
        ContentType="application/json",
        Accept="application/json",
        CustomAttributes="tenant=acme",
        TargetVariant="AllTraffic",
        InferenceId="req-1",
    )

    assert response["Body"].read() == b'{"vector": [0.5]}'
    assert (response["ContentType"], response["InvokedProductionVariant"], response["CustomAttributes"]) == (
        "application/json",
        "AllTraffic",
        "trace=1",
    )
    (call,) = standin.calls
    request = call.request
    assert (request.endpoint, request.operation, request.target_model, request.body) == (
        "ep",
        "InvokeEndpoint",
        "a.tar.gz",
        b'{"inputs": "x"}',
    )
    assert (request.content_type, request.accept, request.custom_attributes) == (
        "application/json",
        "application/json",
        "tenant=acme",
    )
    assert (request.target_variant, request.inference_id, call.status) == ("AllTraffic", "req-1", 200)


@pytest.mark.parametrize(
    ("behaviour", "exception", "code"),
    [
        (Behaviour.validation_error("bad"), "ValidationError", "ValidationError"),
        (Behaviour.model_not_ready(), "ModelNotReadyException", "ModelNotReadyException"),
        (Behaviour.service_unavailable(), "ServiceUnavailable", "ServiceUnavailable"),
        (Behaviour.internal_failure(), "InternalFailure", "InternalFailure"),
    ],
)
def test_errors_raise_the_modelled_exceptions(
    runtime: Any, standin: SageMakerRuntimeStandIn, behaviour: Behaviour, exception: str, code: str
) -> None:
    standin.default = behaviour

    with pytest.raises(getattr(runtime.exceptions, exception)) as raised:
        runtime.invoke_endpoint(EndpointName="ep", Body=b"{}")

    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == behaviour.status


def test_a_model_error_carries_the_containers_status_and_message(
    runtime: Any, standin: SageMakerRuntimeStandIn
) -> None:
    standin.default = Behaviour.model_error(503, "busy")

    with pytest.raises(runtime.exceptions.ModelError) as raised:
        runtime.invoke_endpoint(EndpointName="ep", Body=b"{}")

    assert (raised.value.response["OriginalStatusCode"], raised.value.response["OriginalMessage"]) == (503, "busy")


def test_throttling_is_a_client_error_with_its_code(runtime: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.default = Behaviour.throttled()

    with pytest.raises(ClientError) as raised:
        runtime.invoke_endpoint(EndpointName="ep", Body=b"{}")

    assert raised.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}


def test_unknown_models_and_endpoints_are_validation_errors(runtime: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.models = {"a.tar.gz"}
    standin.endpoints = {"ep"}

    runtime.invoke_endpoint(EndpointName="ep", TargetModel="a.tar.gz", Body=b"{}")
    with pytest.raises(runtime.exceptions.ValidationError, match="Failed to download model data"):
        runtime.invoke_endpoint(EndpointName="ep", TargetModel="b.tar.gz", Body=b"{}")
    with pytest.raises(runtime.exceptions.ValidationError, match=r"Endpoint other of account \d+ not found"):
        runtime.invoke_endpoint(EndpointName="other", TargetModel="a.tar.gz", Body=b"{}")


def test_a_scripted_sequence_is_played_in_order_and_its_last_step_repeats(
    runtime: Any, standin: SageMakerRuntimeStandIn
) -> None:
    standin.on_component("ic-a", [Behaviour.throttled(), Behaviour.ok("second")])
    outcomes = []
    for _ in range(3):
        try:
            outcomes.append(
                runtime.invoke_endpoint(EndpointName="ep", InferenceComponentName="ic-a", Body=b"")["Body"].read()
            )
        except ClientError as err:
            outcomes.append(err.response["Error"]["Code"])

    assert outcomes == ["ThrottlingException", b"second", b"second"]
    assert [c.request.inference_component for c in standin.calls] == ["ic-a"] * 3


def test_a_script_function_sees_the_request(runtime: Any, standin: SageMakerRuntimeStandIn) -> None:
    def echo(request: Request) -> Behaviour:
        return Behaviour.ok(request.body.upper(), content_type="text/plain")

    standin.on_endpoint("ep", echo)

    assert runtime.invoke_endpoint(EndpointName="ep", Body=b"hello")["Body"].read() == b"HELLO"


def test_a_model_rule_wins_over_the_endpoint_rule(runtime: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.on_endpoint("ep", Behaviour.ok("endpoint"))
    standin.on_model("a.tar.gz", Behaviour.ok("model"))

    assert runtime.invoke_endpoint(EndpointName="ep", TargetModel="a.tar.gz", Body=b"")["Body"].read() == b"model"
    assert runtime.invoke_endpoint(EndpointName="ep", TargetModel="b.tar.gz", Body=b"")["Body"].read() == b"endpoint"


def test_a_response_stream_delivers_its_parts_as_events(runtime: Any, standin: SageMakerRuntimeStandIn) -> None:
    standin.on_component("ic-a", Behaviour.stream(["Hel", "lo"], part_delay_s=0.2))

    started = time.monotonic()
    response = runtime.invoke_endpoint_with_response_stream(
        EndpointName="ep",
        InferenceComponentName="ic-a",
        Body=b"{}",
        ContentType="application/json",
        Accept="text/plain",
    )
    events = list(response["Body"])

    assert events == [{"PayloadPart": {"Bytes": b"Hel"}}, {"PayloadPart": {"Bytes": b"lo"}}]
    assert time.monotonic() - started >= 0.2
    (call,) = standin.calls
    assert (call.request.operation, call.request.accept) == ("InvokeEndpointWithResponseStream", "text/plain")
