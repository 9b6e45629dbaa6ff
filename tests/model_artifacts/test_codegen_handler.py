"""The CodeGen DJL handler on FasterTransformer 0.24.0, driven the way DJL Serving 0.24.0 drives it."""

from __future__ import annotations

from typing import Any

import pytest
from djl_python.server import DOWNLOAD_DIR, DjlServer, Request

from tests.model_artifacts.handlers import load_handler

codegen = load_handler("codegen", "codegen_handler", djl_version="0.24.0")

# What the lead ships for CodeGen on 0.24.0 (the catalog adds the per-component entries).
SERVING_PROPERTIES = {
    "engine": "Python",
    "option.entryPoint": "model.py",
    "option.dtype": "fp16",
    "option.trust_remote_code": "true",
    "option.tensor_parallel_degree": "2",
    "option.s3url": "s3://example-weights/codegen25-7b-blockgen/",
    "option.default_max_new_tokens": "32",
    "batch_size": "64",
    "max_batch_delay": "100",
}


class FakeTritonCodeGen:
    """Stands in for the FasterTransformer Triton model: echoes the prompt, as GPT-style decoding does."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[int], dict[str, Any]]] = []

    def pipeline_generate(self, inputs: list[str], output_length: list[int], **kwargs: Any) -> list[str]:
        assert len(output_length) == len(inputs) and all(len(v) == len(inputs) for v in kwargs.values())
        self.calls.append((inputs, output_length, kwargs))
        return [f"{p}    return {i}\n\ndef other():" for i, p in enumerate(inputs)]


@pytest.fixture
def served() -> tuple[DjlServer, list[tuple[Any, ...]], FakeTritonCodeGen]:
    model = FakeTritonCodeGen()
    loads: list[tuple[Any, ...]] = []

    def load(path: str, tp: int, dtype: str, **kwargs: Any) -> FakeTritonCodeGen:
        loads.append((path, tp, dtype, kwargs))
        return model

    service = codegen.CodeGenService(load=load)
    server = DjlServer(service.handle, version="0.24.0", serving_properties=SERVING_PROPERTIES)
    assert server.start().status == 204  # the start-up call loads the model and answers "No content"
    return server, loads, model


def test_start_up_loads_llama_on_the_triton_path_with_remote_code_trusted(served: Any) -> None:
    _, loads, model = served
    assert loads == [(DOWNLOAD_DIR, 2, "fp16", {"use_triton": True, "trust_remote_code": True})]
    assert model.calls == [(["def"], [1], {"beam_width": [1]})]


def test_the_direct_engine_takes_the_non_triton_path() -> None:
    loads: list[dict[str, Any]] = []

    class Direct:
        def pipeline_generate(self, prompts: list[str], **params: Any) -> list[str]:
            return [f"{p}!" for p in prompts]

    def load(path: str, tp: int, dtype: str, **kwargs: Any) -> Direct:
        loads.append(kwargs)
        return Direct()

    service = codegen.CodeGenService(load=load)
    properties = {**SERVING_PROPERTIES, "engine": "FasterTransformer", "option.trust_remote_code": "false"}
    DjlServer(service.handle, version="0.24.0", serving_properties=properties).start()
    assert loads == [{"use_triton": False, "trust_remote_code": False}]


def test_requests_with_the_same_settings_share_one_generation_call(served: Any) -> None:
    server, _, model = served
    bodies = [{"inputs": f"def f{i}():\n", "parameters": {"max_new_tokens": 64, "top_p": 0.9}} for i in range(3)]
    responses = server.invoke([Request.json(b) for b in bodies])
    assert len(model.calls) == 2  # warm-up, then one call for the whole batch
    assert model.calls[1] == (
        [b["inputs"] for b in bodies],
        [64] * 3,
        {"runtime_top_p": [0.9] * 3, "beam_width": [1] * 3},
    )
    assert [r.status for r in responses] == [200, 200, 200]
    assert [r.json()["generated_text"] for r in responses] == [f"    return {i}\n\ndef other():" for i in range(3)]


def test_different_settings_are_generated_separately_and_answers_keep_their_order(served: Any) -> None:
    server, _, model = served
    bodies = [
        {"inputs": "a", "parameters": {"temperature": 0.2}},
        {"inputs": "b"},
        {"inputs": "c", "parameters": {"temperature": 0.2}},
    ]
    responses = server.invoke([Request.json(b) for b in bodies])
    assert sorted(call[0] for call in model.calls[1:]) == [["a", "c"], ["b"]]
    assert [r.json()["generated_text"] for r in responses] == [
        "    return 0\n\ndef other():",
        "    return 0\n\ndef other():",
        "    return 1\n\ndef other():",
    ]


def test_the_completion_is_cut_at_the_first_stop_sequence(served: Any) -> None:
    server, _, _ = served
    (response,) = server.invoke([Request.json({"inputs": "x", "parameters": {"stop": ["\n\n", "def "]}})])
    assert response.status == 200 and response.json() == {"generated_text": "    return 0"}


def test_a_bad_request_batched_with_good_ones_gets_its_reason_and_does_not_fail_them(served: Any) -> None:
    server, _, model = served
    bodies = [{"inputs": "ok"}, {"inputs": "x", "parameters": {"top_p": 7}}, {"prompt": "wrong"}]
    responses = server.invoke([Request.json(b) for b in bodies])
    # DJL 0.24.0 gives the batch one status: the good request's 200 is every request's status.
    assert [r.status for r in responses] == [200, 200, 200]
    assert responses[0].json() == {"generated_text": "    return 0\n\ndef other():"}
    assert responses[1].json()["code"] == 400
    assert "parameter 'top_p' must be a number from 0 to 1" in responses[1].json()["error"]
    assert responses[2].json() == {"code": 400, "error": 'expected a JSON object with "inputs": a non-empty prompt'}
    assert model.calls[-1][0] == ["ok"]


def test_a_batch_of_only_bad_requests_gets_a_400_for_every_request(served: Any) -> None:
    server, _, _ = served
    responses = server.invoke([Request.json({"prompt": "a"}), Request(b"{not json")])
    assert [r.status for r in responses] == [400, 400]
    assert responses[0].body == responses[1].body
    assert 'expected a JSON object with "inputs"' in responses[0].json()["error"]
    assert "not valid JSON" in responses[0].json()["error"]


@pytest.mark.parametrize(
    ("parameters", "reason"),
    [
        ({"stop": ["a", "b", "c", "d", "e"]}, '"stop" must be up to 4 non-empty strings'),
        ({"beam_width": 2}, "unknown parameter 'beam_width'"),
        ({"max_new_tokens": True}, "parameter 'max_new_tokens' must be a number"),
    ],
)
def test_a_single_bad_request_gets_a_400(served: Any, parameters: dict[str, Any], reason: str) -> None:
    server, _, _ = served
    (response,) = server.invoke([Request.json({"inputs": "x", "parameters": parameters})])
    assert response.status == 400 and response.message == "invalid request"
    assert reason in response.json()["error"]


def test_an_overlong_prompt_is_refused() -> None:
    with pytest.raises(codegen.BadRequest, match="at most 32000"):
        codegen.parse_request({"inputs": "x" * 32_001}, 32)
    assert codegen.parse_request({"inputs": "x" * 32_000}, 32)[0] == "x" * 32_000


def test_weights_left_in_s3_fail_the_model_load() -> None:
    from djl_python.server import HandlerStartupError

    service = codegen.CodeGenService(load=lambda *a, **k: pytest.fail("must not load"))
    properties = {"engine": "Python", "option.model_id": "s3://example-weights/codegen/"}
    server = DjlServer(service.handle, version="0.24.0", serving_properties=properties)
    with pytest.raises(HandlerStartupError, match="424"):
        server.start()
