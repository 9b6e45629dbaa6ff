"""Customers' archives side by side on a real Triton server, loaded and invoked through SageMaker's routes.

Seven archives are loaded at once (tests/triton/deployment.py): three autocomplete and two embeddings
customers published by `publish` (models renamed per archive), and two autocomplete archives packed
as before that rename. The shipped Python models, ensembles, BLS loop, tokenizer loading and packed
environment all run as shipped; only the customers' networks are stand-ins (network_standins.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from tritonclient.utils import InferenceServerException

from tests.triton.clients import (
    client,
    completions,
    infer_error,
    invoke,
    output,
    statistics,
    triton_infer,
)
from tests.triton.deployment import CUSTOMERS, Customer, Deployment

pytestmark = pytest.mark.triton

PUBLISHED = [c for c in CUSTOMERS if c.rewrite]
AUTOCOMPLETE = [c for c in PUBLISHED if c.task == "autocomplete"]
EMBEDDINGS = [c for c in PUBLISHED if c.task == "embeddings"]
NOT_RENAMED = [c for c in CUSTOMERS if not c.rewrite]
PROMPT = "the quick brown fox jumps over the lazy dog"


def _ids(customers: list[Customer]) -> list[str]:
    return [c.name for c in customers]


def test_every_archive_loads_through_the_sagemaker_front_end(deployment: Deployment) -> None:
    assert {name: reply.status for name, reply in deployment.loads.items()} == {c.name: 200 for c in CUSTOMERS}
    assert deployment.sagemaker is not None
    listed = deployment.sagemaker.list()
    assert listed.status == 200
    # One entry per archive. The front end checks readiness under the hash it was sent as model_name, but
    # Triton knows the entry model by the TargetModel header, so a ready archive is listed as {} (as it is
    # on SageMaker, where the two differ too; SageMakerMMEListModel in src/sagemaker_server.cc).
    assert listed.json() == {"models": [{}] * len(CUSTOMERS)}


def test_three_autocomplete_customers_answer_side_by_side(deployment: Deployment) -> None:
    answers = {c.name: output(invoke(deployment, c, [PROMPT, "hello world"]), "COMPLETION") for c in AUTOCOMPLETE}

    assert answers == {c.name: [c.completion(PROMPT), c.completion("hello world")] for c in AUTOCOMPLETE}
    # Each customer's vocabulary is its own, so each answer is too: no archive answered for another.
    assert len({tuple(a) for a in answers.values()}) == len(AUTOCOMPLETE)


def test_two_embeddings_customers_answer_side_by_side(deployment: Deployment) -> None:
    texts = ["hello world", "green tea on cold stone"]
    answers = {c.name: output(invoke(deployment, c, texts), "EMBEDDING") for c in EMBEDDINGS}

    for customer in EMBEDDINGS:
        expected = np.stack([customer.embedding(t) for t in texts])
        got = np.array(answers[customer.name], dtype=np.float32).reshape(expected.shape)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    first, second = (np.array(answers[c.name]) for c in EMBEDDINGS)
    assert not np.allclose(first, second)


@pytest.mark.parametrize("customer", AUTOCOMPLETE[:1], ids=_ids(AUTOCOMPLETE[:1]))
def test_max_new_tokens_is_optional_and_cuts_each_completion(deployment: Deployment, customer: Customer) -> None:
    # Through tritonclient's HTTP client (KServe API): the entry model's name is the TargetModel.
    absent = completions(triton_infer(deployment, customer, [PROMPT]))
    one = completions(triton_infer(deployment, customer, [PROMPT], [1]))
    mixed = completions(triton_infer(deployment, customer, [PROMPT, "hello world"], [3, 128]))

    assert absent == [customer.completion(PROMPT)]
    assert one == [customer.completion(PROMPT, max_new_tokens=1)]
    assert mixed == [customer.completion(PROMPT, max_new_tokens=3), customer.completion("hello world")]


@pytest.mark.parametrize(("budget", "message"), [(0, "got 0"), (129, "got 129")])
def test_max_new_tokens_out_of_range_is_a_400_with_the_models_message(
    deployment: Deployment, budget: int, message: str
) -> None:
    customer = AUTOCOMPLETE[0]
    expected = f"MAX_NEW_TOKENS must be between 1 and 128, {message}"

    reply = invoke(deployment, customer, [PROMPT], [budget])

    assert reply.status == 400
    assert reply.error == f"in ensemble '{customer.target_model}', {expected}"
    assert infer_error(deployment, customer, [PROMPT], [budget]) == (
        f"400 in ensemble '{customer.target_model}', {expected}"
    )


def test_an_empty_text_is_a_400_naming_the_text(deployment: Deployment) -> None:
    customer = EMBEDDINGS[0]

    reply = invoke(deployment, customer, ["  "])

    assert (reply.status, reply.error) == (400, f"in ensemble '{customer.target_model}', TEXT[0] is empty")


def test_concurrent_clients_each_get_their_own_answer_and_share_batches(deployment: Deployment) -> None:
    customer = EMBEDDINGS[0]
    encoder = f"{customer.name}--encoder"
    words = customer.words[:-1]
    texts = [" ".join(words[(i + k) % len(words)] for k in range(1 + i % 4)) for i in range(24)]
    before = statistics(deployment, encoder)

    def one(text: str) -> list[float]:
        return output(invoke(deployment, customer, [text]), "EMBEDDING")

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(one, texts))

    for text, answer in zip(texts, answers, strict=True):
        np.testing.assert_allclose(np.array(answer, dtype=np.float32), customer.embedding(text), rtol=1e-6, atol=1e-7)
    after = statistics(deployment, encoder)
    inferences = after["inferences"] - before["inferences"]
    executions = after["executions"] - before["executions"]
    # Triton's dynamic batcher gathered concurrent requests into fewer encoder executions.
    assert inferences == len(texts)
    assert executions < inferences


def test_concurrent_autocomplete_clients_of_different_customers(deployment: Deployment) -> None:
    prompts = [" ".join(WORDS_FOR[i % 3]) for i in range(12)]
    jobs = [(AUTOCOMPLETE[i % len(AUTOCOMPLETE)], prompt) for i, prompt in enumerate(prompts)]

    def one(job: tuple[Customer, str]) -> list[str]:
        customer, prompt = job
        return output(invoke(deployment, customer, [prompt]), "COMPLETION")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, jobs))

    assert answers == [[customer.completion(prompt)] for customer, prompt in jobs]


WORDS_FOR = (["hello", "world"], ["green", "tea", "on", "old", "roofs"], ["rain", "falls"])


def test_archives_published_without_renaming_fail_side_by_side(deployment: Deployment) -> None:
    # Both keep the shipped name `decoder`; `generate` calls it through BLS, which Triton resolves by
    # name across every loaded archive, and with two of them it finds none it can use.
    replies = {c.name: invoke(deployment, c, ["hello world"]) for c in NOT_RENAMED}

    for customer in NOT_RENAMED:
        reply = replies[customer.name]
        assert (reply.status, reply.error) == (
            400,
            f"in ensemble '{customer.target_model}', generation failed: decoder 'decoder': Model decoder - Error when "
            "running inference: Failed for execute the inference request. Model 'decoder' is not ready.",
        )
    # A name two archives share cannot be asked about by name either, e.g. the statistics of `encoder`.
    with pytest.raises(InferenceServerException) as refused:
        client(deployment).get_inference_statistics("encoder")
    assert str(refused.value) == "[400] requested model 'encoder' is not available"
