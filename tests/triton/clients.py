"""Requests to the test deployment: KServe v2 bodies for the SageMaker invoke route, and tritonclient calls."""

from __future__ import annotations

from typing import Any

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from tests.triton.deployment import Customer, Deployment
from tests.triton.server import Reply


def kserve_body(texts: list[str], max_new_tokens: list[int] | None = None) -> dict[str, Any]:
    """The JSON body a client sends to InvokeEndpoint with TargetModel=<name>.tar.gz."""
    inputs: list[dict[str, Any]] = [{"name": "TEXT", "shape": [len(texts), 1], "datatype": "BYTES", "data": texts}]
    if max_new_tokens is not None:
        inputs.append(
            {"name": "MAX_NEW_TOKENS", "shape": [len(max_new_tokens), 1], "datatype": "INT32", "data": max_new_tokens}
        )
    return {"inputs": inputs}


def invoke(
    deployment: Deployment, customer: Customer, texts: list[str], max_new_tokens: list[int] | None = None
) -> Reply:
    """POST /models/<hash>/invoke on the SageMaker front end, as SageMaker forwards InvokeEndpoint."""
    assert deployment.sagemaker is not None
    return deployment.sagemaker.invoke(
        customer.model_name_hash, customer.target_model, kserve_body(texts, max_new_tokens)
    )


def output(reply: Reply, name: str) -> list[Any]:
    assert reply.status == 200, f"HTTP {reply.status}: {reply.body[:500]!r}"
    (found,) = [o for o in reply.json()["outputs"] if o["name"] == name]
    return list(found["data"])


def client(deployment: Deployment) -> httpclient.InferenceServerClient:
    assert deployment.server is not None
    return httpclient.InferenceServerClient(url=deployment.server.http_url, network_timeout=120.0)


def triton_infer(
    deployment: Deployment, customer: Customer, texts: list[str], max_new_tokens: list[int] | None = None
) -> Any:
    """One request through tritonclient's HTTP client; the entry model's Triton name is the TargetModel."""
    text = httpclient.InferInput("TEXT", [len(texts), 1], "BYTES")
    text.set_data_from_numpy(np.array([[t.encode()] for t in texts], dtype=np.object_))
    inputs = [text]
    if max_new_tokens is not None:
        budget = httpclient.InferInput("MAX_NEW_TOKENS", [len(max_new_tokens), 1], "INT32")
        budget.set_data_from_numpy(np.array([[n] for n in max_new_tokens], dtype=np.int32))
        inputs.append(budget)
    return client(deployment).infer(customer.target_model, inputs)


def completions(result: Any) -> list[str]:
    return [value.decode() for value in result.as_numpy("COMPLETION").reshape(-1)]


def infer_error(deployment: Deployment, customer: Customer, texts: list[str], max_new_tokens: list[int]) -> str:
    try:
        triton_infer(deployment, customer, texts, max_new_tokens)
    except InferenceServerException as err:
        return f"{err.status()} {err.message()}"
    raise AssertionError("the request was answered")


def statistics(deployment: Deployment, model: str) -> dict[str, int]:
    (stats,) = client(deployment).get_inference_statistics(model)["model_stats"]
    return {"inferences": int(stats["inference_count"]), "executions": int(stats["execution_count"])}
