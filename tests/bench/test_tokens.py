"""Token counts come from the answer when it reports them, in each common format, else from an estimate."""

from __future__ import annotations

import json

import pytest

from llm_hosting.bench import TokenCount, count_response_tokens, count_stream_tokens, estimate_tokens


def body(document: object) -> bytes:
    return json.dumps(document).encode()


def sse(*events: object) -> bytes:
    return b"".join(b"data:" + json.dumps(e).encode() + b"\n\n" for e in events)


def jsonlines(*events: object) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


# --- InvokeEndpoint answers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param(
            [{"generated_text": "x", "details": {"finish_reason": "length", "generated_tokens": 17, "seed": None}}],
            TokenCount(17, "reported", "details.generated_tokens"),
            id="tgi",
        ),
        pytest.param(
            {"generated_text": "x", "details": {"finish_reason": "eos_token", "generated_tokens": 9, "inputs": "y"}},
            TokenCount(9, "reported", "details.generated_tokens"),
            id="djl-lmi-with-details",
        ),
        pytest.param(
            [{"generated_text": "a", "details": {"generated_tokens": 3}}, {"details": {"generated_tokens": 4}}],
            TokenCount(7, "reported", "details.generated_tokens"),
            id="tgi-batch-is-summed",
        ),
        pytest.param(
            {
                "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello there"}}],
                "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
            },
            TokenCount(5, "reported", "usage.completion_tokens"),
            id="openai-chat",
        ),
        pytest.param(
            {"choices": [{"text": "def main():"}], "usage": {"prompt_tokens": 3, "completion_tokens": 4}},
            TokenCount(4, "reported", "usage.completion_tokens"),
            id="openai-completion",
        ),
        pytest.param(
            {"content": [{"type": "text", "text": "hi"}], "usage": {"input_tokens": 3, "output_tokens": 2}},
            TokenCount(2, "reported", "usage.output_tokens"),
            id="usage-output-tokens",
        ),
    ],
)
def test_a_reported_count_is_used_as_it_is(answer: object, expected: TokenCount) -> None:
    assert count_response_tokens(body(answer)) == expected


@pytest.mark.parametrize(
    ("answer", "field", "text"),
    [
        pytest.param({"generated_text": "Hello, world!"}, "generated_text", "Hello, world!", id="djl-lmi"),
        pytest.param([{"generated_text": "Hello, world!"}], "generated_text", "Hello, world!", id="hf-pipeline"),
        pytest.param(
            {"choices": [{"message": {"role": "assistant", "content": "Hello, world!"}}]},
            "choices[].message.content",
            "Hello, world!",
            id="openai-chat-without-usage",
        ),
        pytest.param({"choices": [{"text": "Hello, world!"}]}, "choices[].text", "Hello, world!", id="openai-text"),
        pytest.param(
            # A batch where one item reports and one does not: a partial sum would be wrong, so estimate.
            [{"generated_text": "Hello,", "details": {"generated_tokens": 2}}, {"generated_text": "world!"}],
            "generated_text",
            "Hello,\nworld!",
            id="batch-partly-reported",
        ),
        pytest.param(
            {"outputs": [{"name": "TEXT", "datatype": "BYTES", "data": ["Hello, world!"]}]},
            "response strings",
            "TEXT BYTES Hello, world!",
            id="other-shape",
        ),
    ],
)
def test_without_a_count_the_generated_text_is_estimated(answer: object, field: str, text: str) -> None:
    assert count_response_tokens(body(answer)) == TokenCount(estimate_tokens(text), "estimated", field)


def test_a_boolean_is_not_a_token_count() -> None:
    answer = {"generated_text": "Hello, world!", "details": {"generated_tokens": True}}

    assert count_response_tokens(body(answer)).source == "estimated"


def test_a_plain_text_answer_is_estimated_as_a_whole() -> None:
    assert count_response_tokens(b"def main():\n    return 0\n") == TokenCount(
        estimate_tokens("def main():\nreturn 0"), "estimated", "response text"
    )


def test_json_lines_in_one_answer_are_read_like_a_stream() -> None:
    answer = jsonlines({"token": {"id": [1], "text": "Hel"}}, {"token": {"id": [2], "text": "lo"}})

    assert count_response_tokens(answer) == TokenCount(2, "counted", "token events")


# --- response streams -----------------------------------------------------------------------------


def test_a_tgi_stream_reports_its_count_in_the_final_event() -> None:
    stream = sse(
        {"index": 1, "token": {"id": 5, "text": "Hel", "special": False}, "generated_text": None, "details": None},
        {"index": 2, "token": {"id": 6, "text": "lo", "special": False}, "generated_text": None, "details": None},
        {
            "index": 3,
            "token": {"id": 2, "text": "</s>", "special": True},
            "generated_text": "Hello",
            "details": {"finish_reason": "eos_token", "generated_tokens": 3, "seed": None},
        },
    )

    assert count_stream_tokens(stream) == TokenCount(3, "reported", "details.generated_tokens")


def test_token_events_without_details_are_counted_one_each() -> None:
    tgi = sse(*({"index": i, "token": {"id": i, "text": "x"}, "details": None} for i in range(5)))
    lmi = jsonlines(*({"token": {"id": [i], "text": "x", "log_prob": -0.1}} for i in range(4)))

    assert count_stream_tokens(tgi) == TokenCount(5, "counted", "token events")
    assert count_stream_tokens(lmi) == TokenCount(4, "counted", "token events")


def test_an_openai_stream_uses_the_final_usage_chunk_else_estimates_the_deltas() -> None:
    chunks = [{"choices": [{"index": 0, "delta": {"content": piece}}]} for piece in ("Hello", ", ", "world!")]
    with_usage = (
        sse(*chunks, {"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 3}}) + b"data: [DONE]\n\n"
    )
    without_usage = sse(*chunks) + b"data: [DONE]\n\n"

    assert count_stream_tokens(with_usage) == TokenCount(3, "reported", "usage.completion_tokens")
    assert count_stream_tokens(without_usage) == TokenCount(
        estimate_tokens("Hello, world!"), "estimated", "choices[].delta.content"
    )


def test_an_event_split_across_payload_parts_is_read_whole() -> None:
    stream = sse({"token": {"text": "a"}}, {"generated_text": "a", "details": {"generated_tokens": 1}})
    parts = [stream[:7], stream[7:30], stream[30:]]

    assert count_stream_tokens(b"".join(parts)) == TokenCount(1, "reported", "details.generated_tokens")


def test_sse_comments_and_fields_other_than_data_are_ignored() -> None:
    stream = b": keep-alive\nevent: message\nid: 1\n" + sse({"token": {"text": "a"}}) + b"retry: 10\n"

    assert count_stream_tokens(stream) == TokenCount(1, "counted", "token events")


def test_several_objects_on_one_line_are_all_read() -> None:
    stream = b'{"token": {"text": "a"}}{"token": {"text": "b"}} {"token": {"text": "c"}}'

    assert count_stream_tokens(stream) == TokenCount(3, "counted", "token events")


def test_a_stream_of_plain_text_is_estimated() -> None:
    assert count_stream_tokens(b"Hello, wor" + b"ld!") == TokenCount(
        estimate_tokens("Hello, world!"), "estimated", "response text"
    )


def test_a_final_generated_text_alone_is_estimated() -> None:
    assert count_stream_tokens(jsonlines({"generated_text": "Hello, world!"})) == TokenCount(
        estimate_tokens("Hello, world!"), "estimated", "generated_text"
    )


# --- the estimate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("   \n\t", 0),
        ("Hello, world!", 4),  # Hello , world !
        ("def main():", 5),  # def main ( ) :
        ("internationalization", 4),  # 20 letters: one per 6 started
        ("max_in_flight", 5),  # max _ in _ flight
        ("1234567", 3),  # digits: one per 3 started
        ("你好世界", 4),  # one per CJK character
        ("naïve café", 2),  # accented letters are letters
    ],
)
def test_the_word_piece_estimate(text: str, tokens: int) -> None:
    assert estimate_tokens(text) == tokens


def test_the_estimate_grows_with_the_text() -> None:
    sentence = "The quick brown fox jumps over the lazy dog. "

    assert estimate_tokens(sentence * 10) == 10 * estimate_tokens(sentence)
