"""The CodeGen DJL handler: server-side batches, grouped generation, per-request answers."""

from __future__ import annotations

from typing import Any

import pytest
from djl_python import Input

from tests.model_artifacts.handlers import load_handler

codegen = load_handler("codegen", "codegen_handler")

PROPERTIES = {"model_dir": "/opt/ml/model/codegen", "tensor_parallel_degree": "2", "default_max_new_tokens": "32"}


class FakeCodeGen:
    """Stands in for a FasterTransformer GPT-style pipeline; echoes the prompt like some engines do."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, Any]]] = []

    def pipeline_generate(self, prompts: list[str], **params: Any) -> list[str]:
        self.calls.append((prompts, params))
        return [f"{p}    return {i}\n\ndef other():" for i, p in enumerate(prompts)]


@pytest.fixture
def service() -> tuple[Any, FakeCodeGen]:
    model = FakeCodeGen()
    return codegen.CodeGenService(load=lambda path, tp, dtype: model), model


def test_warm_up_loads_once_and_reads_the_default_length(service: Any) -> None:
    svc, model = service
    assert svc.handle(Input(PROPERTIES)) is None
    assert svc.default_max_new_tokens == 32
    assert model.calls == [(["def"], {"batch_size": 1, "output_len": 1, "beam_width": 1})]


def test_requests_with_the_same_settings_share_one_generation_call(service: Any) -> None:
    svc, model = service
    bodies = [{"inputs": f"def f{i}():\n", "parameters": {"max_new_tokens": 64}} for i in range(3)]
    out = svc.handle(Input.batch(bodies, PROPERTIES))
    assert len(model.calls) == 2  # warm-up, then one call for the whole batch
    prompts, params = model.calls[1]
    assert prompts == [b["inputs"] for b in bodies]
    assert params == {"batch_size": 3, "output_len": 64, "beam_width": 1}
    assert out.keys() == ["batch_000_data", "batch_001_data", "batch_002_data"]


def test_different_settings_are_generated_separately_and_answers_keep_their_order(service: Any) -> None:
    svc, model = service
    bodies = [
        {"inputs": "a", "parameters": {"temperature": 0.2}},
        {"inputs": "b"},
        {"inputs": "c", "parameters": {"temperature": 0.2}},
    ]
    out = svc.handle(Input.batch(bodies, PROPERTIES))
    assert sorted(call[0] for call in model.calls[1:]) == [["a", "c"], ["b"]]
    assert [out.json(f"batch_{i:03d}_data")["generated_text"] for i in range(3)] == [
        "    return 0\n\ndef other():",
        "    return 0\n\ndef other():",
        "    return 1\n\ndef other():",
    ]


def test_the_completion_is_cut_at_the_first_stop_sequence(service: Any) -> None:
    svc, _ = service
    out = svc.handle(Input.json({"inputs": "x", "parameters": {"stop": ["\n\n", "def "]}}, PROPERTIES))
    assert out.json() == {"generated_text": "    return 0"}


def test_a_bad_request_in_a_batch_does_not_fail_its_neighbours(service: Any) -> None:
    svc, model = service
    bodies = [{"inputs": "ok"}, {"inputs": "x", "parameters": {"top_p": 7}}, {"prompt": "wrong"}]
    out = svc.handle(Input.batch(bodies, PROPERTIES))
    assert out.json("batch_000_data") == {"generated_text": "    return 0\n\ndef other():"}
    assert out.json("batch_001_data")["code"] == 400
    assert "parameter 'top_p' must be a number from 0 to 1" in out.json("batch_001_data")["error"]
    assert out.json("batch_002_data") == {
        "code": 400,
        "error": 'expected a JSON object with "inputs": a non-empty prompt',
    }
    assert model.calls[-1][0] == ["ok"]


@pytest.mark.parametrize(
    ("parameters", "reason"),
    [
        ({"stop": ["a", "b", "c", "d", "e"]}, '"stop" must be up to 4 non-empty strings'),
        ({"beam_width": 2}, "unknown parameter 'beam_width'"),
        ({"max_new_tokens": True}, "parameter 'max_new_tokens' must be a number"),
    ],
)
def test_a_single_bad_request_gets_a_400(service: Any, parameters: dict[str, Any], reason: str) -> None:
    svc, _ = service
    out = svc.handle(Input.json({"inputs": "x", "parameters": parameters}, PROPERTIES))
    assert out.code == 400
    assert reason in out.json()["error"]


def test_an_overlong_prompt_is_refused() -> None:
    with pytest.raises(codegen.BadRequest, match="at most 32000"):
        codegen.parse_request({"inputs": "x" * 32_001}, 32)
