"""The djl_python stand-in keeps each version's API and the server's one-status-per-batch delivery."""

from __future__ import annotations

from typing import Any

import pytest
from djl_python import classes
from djl_python.server import DOWNLOAD_DIR, DjlServer, Request


def test_each_version_has_only_its_own_output_methods() -> None:
    _, output021 = classes("0.21.0")
    _, output024 = classes("0.24.0")
    assert output021().encode()
    with pytest.raises(AttributeError):
        output021().add_stream_content(iter(()))
    with pytest.raises(AttributeError):
        output024().encode()


def test_batch_keys_and_properties_per_version() -> None:
    seen: dict[str, Any] = {}

    def handle(inputs: Any) -> Any:
        if inputs.is_empty():
            return None
        seen["items"] = [(item.get_properties().get("x-id"), item.get_as_json()) for item in inputs.get_batches()]
        out = classes(version)[1]()
        for i in range(inputs.get_batch_size()):
            out.add_as_json({"n": i}, key="data", batch_index=i)
        return out

    for version, first_ids in (("0.21.0", ["a", "a"]), ("0.24.0", ["a", "b"])):
        server = DjlServer(handle, version=version, serving_properties={})
        server.start()
        requests = [Request(b'{"v": 1}', {"x-id": "a"}), Request(b'{"v": 2}', {"x-id": "b"})]
        responses = server.invoke(requests)
        # 0.21.0 shares the first request's properties; 0.24.0 gives each request its own.
        assert [item[0] for item in seen["items"]] == first_ids
        assert [item[1] for item in seen["items"]] == [{"v": 1}, {"v": 2}]
        assert [r.json() for r in responses] == [{"n": 0}, {"n": 1}]


@pytest.mark.parametrize("version", ["0.21.0", "0.24.0"])
def test_an_error_code_fails_every_request_of_the_batch(version: str) -> None:
    def handle(inputs: Any) -> Any:
        return None if inputs.is_empty() else classes(version)[1]().error("one bad request", code=400)

    server = DjlServer(handle, version=version, serving_properties={})
    server.start()
    responses = server.invoke([Request.json({}), Request.json({})])
    assert [r.status for r in responses] == [400, 400]
    assert responses[0].json()["error"] == "one bad request"


def test_a_batch_answered_with_one_content_is_a_400_for_all() -> None:
    def handle(inputs: Any) -> Any:
        return None if inputs.is_empty() else classes("0.21.0")[1]().add_as_json({"all": True})

    server = DjlServer(handle, version="0.21.0", serving_properties={})
    server.start()
    responses = server.invoke([Request.json({}), Request.json({})])
    assert [r.status for r in responses] == [400, 400]
    assert b"Batch output size mismatch, expected: 2, actual: 1" in responses[0].body


def test_a_handler_exception_is_a_424_and_memory_errors_a_507_from_0_24() -> None:
    def handle(inputs: Any) -> Any:
        if inputs.is_empty():
            return None
        raise MemoryError("out of GPU memory")

    assert DjlServer(handle, version="0.21.0", serving_properties={}).invoke([Request.json({})])[0].status == 424
    assert DjlServer(handle, version="0.24.0", serving_properties={}).invoke([Request.json({})])[0].status == 507


def test_init_parameters_follow_each_version() -> None:
    props = {
        "engine": "FasterTransformer",
        "option.tensor_parallel_degree": "4",
        "option.s3url": "s3://w/",
        "batch_size": "8",
    }
    seen: list[dict[str, Any]] = []

    def handle(inputs: Any) -> Any:
        seen.append(dict(inputs.get_properties()))

    DjlServer(handle, version="0.21.0", serving_properties=props).start()
    DjlServer(handle, version="0.24.0", serving_properties=props).start()
    assert seen[0]["model_id"] == DOWNLOAD_DIR and "engine" not in seen[0]
    assert seen[0]["tensor_parallel_degree"] == 4  # the MPI engine passes it as an int
    assert seen[1]["engine"] == "FasterTransformer" and seen[1]["batch_size"] == "8"
