"""The embeddings repository's Python models alone, fast; the whole ensemble runs in a real Triton server in tests/triton."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import triton_python_backend_utils as pb_utils
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from tests.model_artifacts.triton_config import (
    TRITON,
    FakeTokenizer,
    initialize_args,
    load_python_model,
    output,
    request,
    texts_tensor,
)

preprocess_module = load_python_model("embeddings", "preprocess")
postprocess_module = load_python_model("embeddings", "postprocess")

HIDDEN = 4


@pytest.fixture(autouse=True)
def no_models_left_over() -> Iterator[None]:
    yield
    pb_utils.unregister_all_models()


@pytest.fixture
def tokenizer() -> FakeTokenizer:
    return FakeTokenizer()


@pytest.fixture
def loaded_from() -> list[str]:
    return []


@pytest.fixture
def preprocess(tokenizer: FakeTokenizer, loaded_from: list[str]) -> Any:
    def load(path: str) -> FakeTokenizer:
        loaded_from.append(path)
        return tokenizer

    model = preprocess_module.TritonPythonModel(load_tokenizer=load)
    model.initialize(initialize_args("embeddings", "preprocess"))
    return model


@pytest.fixture
def postprocess() -> Any:
    model = postprocess_module.TritonPythonModel()
    model.initialize(initialize_args("embeddings", "postprocess"))
    return model


def test_the_tokenizer_is_read_from_the_models_version_directory(preprocess: Any, loaded_from: list[str]) -> None:
    assert loaded_from == [str(TRITON / "embeddings" / "preprocess" / "1")]


def test_every_request_of_a_batch_gets_its_own_response_padded_to_one_length(preprocess: Any) -> None:
    requests = [
        request(texts_tensor("a short one")),
        request(texts_tensor("one", "two words")),
        request(texts_tensor(" ".join(["many"] * 20))),
    ]
    responses = preprocess.execute(requests)
    assert len(responses) == 3
    ids = [output(r, "INPUT_IDS") for r in responses]
    masks = [output(r, "ATTENTION_MASK") for r in responses]
    # The longest text has 21 tokens: every request is padded to 32, so the encoder can batch them.
    assert [a.shape for a in ids] == [(1, 32), (2, 32), (1, 32)]
    assert all(a.dtype == np.int64 for a in ids + masks)
    # The mask covers the words and the closing </s>, and nothing of the padding.
    assert masks[1].sum(axis=1).tolist() == [2, 3]
    assert ids[1][0, :3].tolist() == [ids[1][0, 0], 1, 0]


def test_texts_longer_than_max_length_are_cut(preprocess: Any) -> None:
    (response,) = preprocess.execute([request(texts_tensor(" ".join(["word"] * 300)))])
    ids = output(response, "INPUT_IDS")
    assert ids.shape == (1, 256)
    assert ids[0, -1] == FakeTokenizer.eos_token_id


def test_embeddings_requests_carry_no_decoder_start_ids(preprocess: Any) -> None:
    (response,) = preprocess.execute([request(texts_tensor("hello"))])
    assert pb_utils.get_output_tensor_by_name(response, "DECODER_INPUT_IDS") is None


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (request(), "the request has no TEXT input"),
        (request(texts_tensor("fine", "   ")), "TEXT[1] is empty"),
        (request(texts_tensor(b"\xff\xfe")), "TEXT[0] is not valid UTF-8"),
    ],
    ids=["no text", "blank text", "not utf-8"],
)
def test_a_bad_request_gets_an_error_and_its_neighbours_are_still_answered(
    preprocess: Any, bad: Any, reason: str
) -> None:
    responses = preprocess.execute([request(texts_tensor("first")), bad, request(texts_tensor("third"))])
    assert len(responses) == 3
    assert responses[1].has_error()
    assert reason in responses[1].error().message()
    assert responses[1].error().code() == pb_utils.TritonError.INVALID_ARG
    assert output(responses[0], "INPUT_IDS").shape == output(responses[2], "INPUT_IDS").shape == (1, 16)


def test_a_tokenizer_failure_fails_only_its_own_request(preprocess: Any, tokenizer: FakeTokenizer) -> None:
    real = tokenizer.__call__

    def fussy(texts: list[str], **kwargs: Any) -> dict[str, Any]:
        if "boom" in texts:
            raise RuntimeError("tokenizer exploded")
        return real(texts, **kwargs)

    preprocess.tokenizer = fussy
    first, second = preprocess.execute([request(texts_tensor("boom")), request(texts_tensor("fine"))])
    assert "tokenizing failed: tokenizer exploded" in first.error().message()
    assert output(second, "INPUT_IDS").shape == (1, 16)


def _states(mask: np.ndarray, values: np.ndarray) -> Any:
    return request(
        pb_utils.Tensor("LAST_HIDDEN_STATE", values.astype(np.float32)),
        pb_utils.Tensor("ATTENTION_MASK", mask.astype(np.int64)),
    )


def test_pooling_averages_only_the_real_tokens_then_normalises(postprocess: Any) -> None:
    values = np.array([[[3.0, 0, 0, 0], [0, 4.0, 0, 0], [100.0, 100.0, 100.0, 100.0]]])
    (response,) = postprocess.execute([_states(np.array([[1, 1, 0]]), values)])
    np.testing.assert_allclose(output(response, "EMBEDDING"), [[0.6, 0.8, 0.0, 0.0]], rtol=1e-6)


def test_pooling_can_leave_the_length_alone(postprocess: Any) -> None:
    args = initialize_args("embeddings", "postprocess")
    args["model_config"] = args["model_config"].replace('"string_value": "true"', '"string_value": "false"')
    postprocess.initialize(args)
    (response,) = postprocess.execute([_states(np.array([[1, 1]]), np.array([[[2.0, 0, 0, 0], [4.0, 2.0, 0, 0]]]))])
    np.testing.assert_allclose(output(response, "EMBEDDING"), [[3.0, 1.0, 0.0, 0.0]])


@given(
    states=hnp.arrays(np.float32, (2, 5, HIDDEN), elements=st.floats(-10, 10, width=32)),
    lengths=st.lists(st.integers(1, 5), min_size=2, max_size=2),
    padding=st.integers(1, 7),
)
def test_padding_never_changes_an_embedding(states: np.ndarray, lengths: list[int], padding: int) -> None:
    postprocess = postprocess_module.TritonPythonModel()
    postprocess.initialize(initialize_args("embeddings", "postprocess"))
    mask = np.array([[1] * n + [0] * (5 - n) for n in lengths])
    padded_states = np.concatenate([states, np.full((2, padding, HIDDEN), 1e6, np.float32)], axis=1)
    padded_mask = np.concatenate([mask, np.zeros((2, padding), np.int64)], axis=1)
    plain, padded = postprocess.execute([_states(mask, states), _states(padded_mask, padded_states)])
    np.testing.assert_allclose(output(plain, "EMBEDDING"), output(padded, "EMBEDDING"), atol=1e-5)


def test_a_request_whose_shapes_do_not_line_up_fails_alone(postprocess: Any) -> None:
    good = _states(np.ones((1, 2)), np.ones((1, 2, HIDDEN)))
    bad = _states(np.ones((1, 3)), np.ones((1, 2, HIDDEN)))
    first, second, third = postprocess.execute([good, bad, good])
    assert "do not line up" in second.error().message()
    assert output(first, "EMBEDDING").shape == output(third, "EMBEDDING").shape == (1, HIDDEN)
