"""The FLAN-T5 DJL handler: loads once, warms up on the empty call, answers batches of prompts."""

from __future__ import annotations

from typing import Any

import pytest
from djl_python import Input

from tests.model_artifacts.handlers import load_handler

flan = load_handler("flan-t5-xxl", "flan_t5_handler")

PROPERTIES = {"model_dir": "/opt/ml/model/flan-t5-xxl", "tensor_parallel_degree": "4", "dtype": "fp32"}


class FakeT5:
    """Stands in for FasterTransformer's T5 pipeline."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, Any]]] = []

    def pipeline_generate(self, prompts: list[str], **params: Any) -> list[str]:
        self.calls.append((prompts, params))
        return [f"answer to {p}" for p in prompts]


@pytest.fixture
def service() -> tuple[Any, list[tuple[str, int, str]], FakeT5]:
    loads: list[tuple[str, int, str]] = []
    model = FakeT5()

    def load(path: str, tp: int, dtype: str) -> FakeT5:
        loads.append((path, tp, dtype))
        return model

    return flan.FlanT5Service(load=load), loads, model


def test_the_empty_warm_up_call_loads_the_model_once(service: Any) -> None:
    svc, loads, model = service
    assert svc.handle(Input(PROPERTIES)) is None
    svc.handle(Input.json({"inputs": "hi"}, PROPERTIES))
    assert loads == [("/opt/ml/model/flan-t5-xxl", 4, "fp32")]
    assert model.calls[0] == (["warm-up"], {"max_seq_len": 1})  # kernels compile before real traffic


def test_a_batch_of_prompts_is_answered_in_order(service: Any) -> None:
    svc, _, model = service
    out = svc.handle(Input.json({"inputs": ["a", "b", "c"], "parameters": {"max_new_tokens": 64}}, PROPERTIES))
    assert out.code == 200
    assert out.json() == [{"generated_text": f"answer to {p}"} for p in "abc"]
    assert model.calls[-1] == (["a", "b", "c"], {"max_seq_len": 64})


def test_hugging_face_parameter_names_are_translated(service: Any) -> None:
    svc, _, model = service
    svc.handle(
        Input.json({"inputs": "x", "parameters": {"num_beams": 2, "length_penalty": 0.5, "top_p": 0.9}}, PROPERTIES)
    )
    assert model.calls[-1][1] == {"max_seq_len": 256, "beam_width": 2, "len_penalty": 0.5, "top_p": 0.9}


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
def test_bad_requests_get_a_400_with_the_reason(service: Any, body: Any, reason: str) -> None:
    svc, _, _ = service
    out = svc.handle(Input.json(body, PROPERTIES))
    assert out.code == 400
    assert reason in out.json()["error"]


def test_a_body_that_is_not_json_gets_a_400(service: Any) -> None:
    svc, _, _ = service
    out = svc.handle(Input(PROPERTIES, [("data", b"{not json")]))
    assert out.code == 400 and "not valid JSON" in out.json()["error"]


def test_weights_that_were_not_downloaded_fail_loudly(service: Any) -> None:
    svc, _, _ = service
    with pytest.raises(RuntimeError, match="weights were not downloaded"):
        svc.handle(Input({"model_id": "s3://example-weights/flan-t5-xxl/"}))
