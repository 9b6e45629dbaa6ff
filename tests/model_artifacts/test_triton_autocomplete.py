"""The autocomplete repository's Python models alone: the greedy BLS loop's edge cases, fast.

A fake decoder, checked against its real config, answers the BLS calls; the encoder states it is handed
carry each token's id in dimension 0, so it can see which prefix a row belongs to: a decoder handed the
wrong row's cached states would complete the wrong prefix. The whole ensemble runs in a real Triton
server in tests/triton.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import triton_python_backend_utils as pb_utils

from tests.model_artifacts.triton_config import (
    TRITON,
    FakeTokenizer,
    initialize_args,
    load_python_model,
    output,
    request,
    serve_fake_model,
)

generate_module = load_python_model("autocomplete", "generate")
preprocess_module = load_python_model("autocomplete", "preprocess")

VOCABULARY = 64
HIDDEN = 4
EOS = FakeTokenizer.eos_token_id


class FakeDecoder:
    """Picks each next token with `script(prefix ids, tokens so far)`, from the states it is handed."""

    def __init__(self, script: Callable[[list[int], list[int]], int]) -> None:
        self.script = script
        self.calls: list[dict[str, np.ndarray]] = []

    def __call__(self, req: Any) -> Any:
        seen = {t.name(): t.as_numpy() for t in req.inputs()}
        self.calls.append(seen)
        ids, states, mask = seen["input_ids"], seen["encoder_hidden_states"], seen["encoder_attention_mask"]
        logits = np.zeros((*ids.shape, VOCABULARY), np.float32)
        for row in range(ids.shape[0]):
            prefix = [int(v) for v, m in zip(states[row, :, 0], mask[row], strict=True) if m]
            logits[row, -1, self.script(prefix, ids[row, 1:].tolist())] = 10.0
        return pb_utils.InferenceResponse([pb_utils.Tensor("logits", logits)])


def counting_from_the_prefix(prefix: list[int], so_far: list[int]) -> int:
    """Never ends: continues with ids after the prefix's first token, so each row's output is its own."""
    return 10 + (prefix[0] + len(so_far)) % 40


@pytest.fixture(autouse=True)
def no_models_left_over() -> Iterator[None]:
    yield
    pb_utils.unregister_all_models()


@pytest.fixture
def tokenizer() -> FakeTokenizer:
    tokenizer = FakeTokenizer()
    for word in (f"w{n}" for n in range(VOCABULARY)):
        tokenizer.token_id(word)
    return tokenizer


@pytest.fixture
def loaded_from() -> list[str]:
    return []


def _loader(tokenizer: FakeTokenizer, loaded_from: list[str]) -> Callable[[str], FakeTokenizer]:
    def load(path: str) -> FakeTokenizer:
        loaded_from.append(path)
        return tokenizer

    return load


@pytest.fixture
def generate(tokenizer: FakeTokenizer, loaded_from: list[str]) -> Any:
    model = generate_module.TritonPythonModel(load_tokenizer=_loader(tokenizer, loaded_from))
    model.initialize(initialize_args("autocomplete", "generate"))
    return model


@pytest.fixture
def preprocess(tokenizer: FakeTokenizer, loaded_from: list[str]) -> Any:
    model = preprocess_module.TritonPythonModel(load_tokenizer=_loader(tokenizer, loaded_from))
    model.initialize(initialize_args("autocomplete", "preprocess"))
    return model


def serve_decoder(script: Callable[[list[int], list[int]], int]) -> FakeDecoder:
    decoder = FakeDecoder(script)
    serve_fake_model("autocomplete", "decoder", decoder)
    return decoder


def first_step(prefixes: list[list[int]], script: Callable[[list[int], list[int]], int]) -> dict[str, np.ndarray]:
    """What the ensemble hands `generate`: encoder states, mask, start ids and the first step's logits."""
    length = max(len(p) for p in prefixes)
    ids = np.array([p + [0] * (length - len(p)) for p in prefixes], np.int64)
    mask = np.array([[1] * len(p) + [0] * (length - len(p)) for p in prefixes], np.int64)
    states = np.zeros((len(prefixes), length, HIDDEN), np.float32)
    states[..., 0] = ids
    logits = np.zeros((len(prefixes), 1, VOCABULARY), np.float32)
    for row, prefix in enumerate(prefixes):
        logits[row, 0, script(prefix, [])] = 10.0
    return {
        "ENCODER_HIDDEN_STATES": states,
        "ATTENTION_MASK": mask,
        "DECODER_INPUT_IDS": np.zeros((len(prefixes), 1), np.int64),
        "LOGITS": logits,
    }


def generate_request(tensors: dict[str, np.ndarray], max_new_tokens: list[int] | None = None) -> Any:
    inputs = [pb_utils.Tensor(name, value) for name, value in tensors.items()]
    if max_new_tokens is not None:
        inputs.append(pb_utils.Tensor("MAX_NEW_TOKENS", np.array(max_new_tokens, np.int32).reshape(-1, 1)))
    return request(*inputs)


def completions(response: Any) -> list[str]:
    return [value.decode("utf-8") for value in output(response, "COMPLETION").reshape(-1)]


def words(*ids: int) -> str:
    return " ".join(f"w{i - 3}" for i in ids)


def test_the_tokenizer_is_the_one_preprocess_loads(generate: Any, loaded_from: list[str]) -> None:
    (path,) = loaded_from
    assert Path(path).resolve() == (TRITON / "autocomplete" / "preprocess" / "1").resolve()


def test_the_loop_stops_at_max_new_tokens(generate: Any) -> None:
    decoder = serve_decoder(counting_from_the_prefix)
    (response,) = generate.execute([generate_request(first_step([[20]], counting_from_the_prefix), [3])])
    assert completions(response) == [words(30, 31, 32)]
    # The first token came with the ensemble's first decoder step; two more needed two BLS calls.
    assert [call["input_ids"].tolist() for call in decoder.calls] == [[[0, 30]], [[0, 30, 31]]]


def test_the_loop_stops_at_eos_and_leaves_it_out(generate: Any) -> None:
    def two_then_eos(prefix: list[int], so_far: list[int]) -> int:
        return EOS if len(so_far) == 2 else 40 + len(so_far)

    decoder = serve_decoder(two_then_eos)
    (response,) = generate.execute([generate_request(first_step([[5, 6]], two_then_eos), [10])])
    assert completions(response) == [words(40, 41)]
    assert len(decoder.calls) == 2


def test_eos_from_the_first_step_gives_an_empty_completion_without_a_decoder_call(generate: Any) -> None:
    decoder = serve_decoder(lambda prefix, so_far: EOS)
    (response,) = generate.execute([generate_request(first_step([[5]], lambda prefix, so_far: EOS))])
    assert completions(response) == [""]
    assert decoder.calls == []


def test_without_max_new_tokens_the_configured_default_applies(generate: Any) -> None:
    decoder = serve_decoder(counting_from_the_prefix)
    (response,) = generate.execute([generate_request(first_step([[20]], counting_from_the_prefix))])
    assert len(completions(response)[0].split()) == 32
    assert len(decoder.calls) == 31


def test_every_decoder_call_reuses_the_cached_encoder_states(generate: Any) -> None:
    decoder = serve_decoder(counting_from_the_prefix)
    tensors = first_step([[20, 21], [7, 8]], counting_from_the_prefix)
    generate.execute([generate_request(tensors, [4, 4])])
    assert len(decoder.calls) == 3
    # Not recomputed, not copied: the very arrays the encoder step produced.
    assert all(call["encoder_hidden_states"] is tensors["ENCODER_HIDDEN_STATES"] for call in decoder.calls)
    assert all(call["encoder_attention_mask"] is tensors["ATTENTION_MASK"] for call in decoder.calls)


def test_rows_that_finish_drop_out_and_the_others_keep_their_own_cache(generate: Any) -> None:
    def stop_early_for_prefix_7(prefix: list[int], so_far: list[int]) -> int:
        return EOS if prefix[0] == 7 and len(so_far) == 1 else counting_from_the_prefix(prefix, so_far)

    decoder = serve_decoder(stop_early_for_prefix_7)
    tensors = first_step([[7, 8], [20, 21], [9]], stop_early_for_prefix_7)
    (response,) = generate.execute([generate_request(tensors, [5, 4, 2])])
    assert completions(response) == [words(17), words(30, 31, 32, 33), words(19, 20)]
    assert [call["input_ids"].shape[0] for call in decoder.calls] == [3, 1, 1]
    assert decoder.calls[-1]["encoder_hidden_states"][0, 0, 0] == 20


@pytest.mark.parametrize(
    ("max_new_tokens", "reason"),
    [([0], "MAX_NEW_TOKENS must be between 1 and 128, got 0"), ([129], "got 129"), ([3, 3], "2 values for 1 texts")],
)
def test_a_bad_max_new_tokens_fails_only_its_request(generate: Any, max_new_tokens: list[int], reason: str) -> None:
    serve_decoder(counting_from_the_prefix)
    good = generate_request(first_step([[20]], counting_from_the_prefix), [2])
    bad = generate_request(first_step([[20]], counting_from_the_prefix), max_new_tokens)
    responses = generate.execute([good, bad, good])
    assert len(responses) == 3
    assert reason in responses[1].error().message()
    assert responses[1].error().code() == pb_utils.TritonError.INVALID_ARG
    assert completions(responses[0]) == completions(responses[2]) == [words(30, 31)]


def test_a_request_missing_the_encoder_states_fails_alone(generate: Any) -> None:
    serve_decoder(counting_from_the_prefix)
    tensors = first_step([[20]], counting_from_the_prefix)
    broken = {name: value for name, value in tensors.items() if name != "ENCODER_HIDDEN_STATES"}
    first, second = generate.execute([generate_request(broken, [2]), generate_request(tensors, [2])])
    assert "no ENCODER_HIDDEN_STATES input" in first.error().message()
    assert completions(second) == [words(30, 31)]


def test_a_failing_decoder_call_fails_its_request_and_not_the_next(generate: Any) -> None:
    def refuse_prefix_13(prefix: list[int], so_far: list[int]) -> int:
        if prefix[0] == 13:
            raise RuntimeError("CUDA error: an illegal memory access")
        return counting_from_the_prefix(prefix, so_far)

    serve_decoder(refuse_prefix_13)
    doomed = generate_request(first_step([[13]], counting_from_the_prefix), [3])
    fine = generate_request(first_step([[20]], counting_from_the_prefix), [3])
    first, second = generate.execute([doomed, fine])
    assert "generation failed: decoder 'decoder': CUDA error" in first.error().message()
    assert completions(second) == [words(30, 31, 32)]


def test_a_decoder_that_is_not_loaded_is_reported_by_name(generate: Any) -> None:
    (response,) = generate.execute([generate_request(first_step([[20]], counting_from_the_prefix), [3])])
    assert "Request for unknown model: 'decoder' is not found" in response.error().message()


def test_preprocess_gives_the_decoder_its_start_token(preprocess: Any) -> None:
    prompts = np.array([[b"def add"], [b"return"]], dtype=np.object_)
    (response,) = preprocess.execute([request(pb_utils.Tensor("TEXT", prompts))])
    assert output(response, "DECODER_INPUT_IDS").tolist() == [[0], [0]]
    assert output(response, "INPUT_IDS").shape == (2, 16)


def test_both_repositories_ship_the_same_preprocess_code() -> None:
    # Each archive must carry its own copy; this keeps a fix in one from missing the other.
    embeddings = TRITON / "embeddings" / "preprocess" / "1" / "model.py"
    autocomplete = TRITON / "autocomplete" / "preprocess" / "1" / "model.py"
    assert autocomplete.read_bytes() == embeddings.read_bytes()
