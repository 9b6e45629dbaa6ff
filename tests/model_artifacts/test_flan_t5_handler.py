"""The FLAN-T5 DJL handler on FasterTransformer 0.21.0, driven the way DJL Serving 0.21.0 drives it."""

from __future__ import annotations

from typing import Any

import pytest
from djl_python.server import DOWNLOAD_DIR, DjlServer, Request

from tests.model_artifacts.handlers import load_handler

flan = load_handler("flan-t5-xxl", "flan_t5_handler", djl_version="0.21.0")

SERVING_PROPERTIES = {
    "engine": "FasterTransformer",
    "option.entryPoint": "model.py",
    "option.tensor_parallel_degree": "4",
    "option.s3url": "s3://example-weights/flan-t5-xxl/",
    "option.dtype": "fp32",
}


class FakeT5:
    """Stands in for FasterTransformer's T5 pipeline."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, Any]]] = []

    def pipeline_generate(self, prompts: list[str], **params: Any) -> list[str]:
        self.calls.append((prompts, params))
        return [f"answer to {p}" for p in prompts]


@pytest.fixture
def served() -> tuple[DjlServer, list[tuple[str, int, str]], FakeT5]:
    loads: list[tuple[str, int, str]] = []
    model = FakeT5()

    def load(path: str, tp: int, dtype: str) -> FakeT5:
        loads.append((path, tp, dtype))
        return model

    server = DjlServer(flan.FlanT5Service(load=load).handle, version="0.21.0", serving_properties=SERVING_PROPERTIES)
    assert server.start().status == 204
    return server, loads, model


def test_the_start_up_call_loads_the_downloaded_weights_once(served: Any) -> None:
    server, loads, model = served
    server.invoke([Request.json({"inputs": "hi"})])
    assert loads == [(DOWNLOAD_DIR, 4, "fp32")]  # DJL downloads option.s3url and passes model_id
    assert model.calls[0] == (["warm-up"], {"max_seq_len": 1})  # kernels compile before real traffic


def test_a_request_of_several_prompts_is_answered_in_order(served: Any) -> None:
    server, _, model = served
    (response,) = server.invoke([Request.json({"inputs": ["a", "b", "c"], "parameters": {"max_new_tokens": 64}})])
    assert response.status == 200
    assert response.json() == [{"generated_text": f"answer to {p}"} for p in "abc"]
    assert model.calls[-1] == (["a", "b", "c"], {"max_seq_len": 64})


def test_hugging_face_parameter_names_are_translated(served: Any) -> None:
    server, _, model = served
    body = {"inputs": "x", "parameters": {"num_beams": 2, "length_penalty": 0.5, "top_p": 0.9}}
    server.invoke([Request.json(body)])
    assert model.calls[-1][1] == {"max_seq_len": 256, "beam_width": 2, "len_penalty": 0.5, "top_p": 0.9}


def test_server_side_batches_answer_each_request_under_its_own_key(served: Any) -> None:
    server, _, _ = served
    responses = server.invoke([Request.json({"inputs": "a"}), Request.json({"inputs": ["b", "c"]})])
    assert [r.status for r in responses] == [200, 200]
    assert responses[0].json() == [{"generated_text": "answer to a"}]
    assert responses[1].json() == [{"generated_text": "answer to b"}, {"generated_text": "answer to c"}]


def test_a_bad_request_batched_with_a_good_one_shares_its_status_but_says_why(served: Any) -> None:
    server, _, _ = served
    responses = server.invoke([Request.json({"inputs": "a"}), Request.json({"prompt": "x"})])
    assert [r.status for r in responses] == [200, 200]  # DJL 0.21.0: one status per batch
    assert responses[1].json()["code"] == 400
    assert 'expected a JSON object with "inputs"' in responses[1].json()["error"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"prompt": "x"}, 'expected a JSON object with "inputs"'),
        ({"inputs": []}, '"inputs" must be a non-empty prompt'),
        ({"inputs": ["ok", 3]}, '"inputs" must be a non-empty prompt'),
        ({"inputs": ["x"] * 33}, "at most 32 prompts per request"),
        ({"inputs": "x", "parameters": {"temperature": "hot"}}, "parameter 'temperature' must be a number"),
        ({"inputs": "x", "parameters": {"max_new_tokens": 100000}}, "must be between 1 and 2048"),
        ({"inputs": "x", "parameters": {"stream": True}}, "unknown parameter 'stream'; supported:"),
        ({"inputs": "x", "parameters": ["a"]}, '"parameters" must be a JSON object'),
    ],
)
def test_bad_requests_get_a_400_with_the_reason(served: Any, body: Any, reason: str) -> None:
    server, _, _ = served
    (response,) = server.invoke([Request.json(body)])
    assert response.status == 400
    assert reason in response.json()["error"]


def test_prompt_count_limit_is_inclusive(served: Any) -> None:
    server, _, _ = served
    (response,) = server.invoke([Request.json({"inputs": ["x"] * 32})])
    assert response.status == 200 and len(response.json()) == 32


def test_a_body_that_is_not_json_gets_a_400(served: Any) -> None:
    server, _, _ = served
    (response,) = server.invoke([Request(b"{not json")])
    assert response.status == 400 and "not valid JSON" in response.json()["error"]


def test_weights_that_were_not_downloaded_fail_loudly() -> None:
    from djl_python.server import HandlerStartupError

    service = flan.FlanT5Service(load=lambda *a: pytest.fail("must not load"))
    server = DjlServer(service.handle, version="0.21.0", serving_properties={"option.model_id": "s3://w/"})
    with pytest.raises(HandlerStartupError, match="424"):
        server.start()
