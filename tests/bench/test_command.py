"""`bench` on the command line: outputs written, the summary on stdout, exit codes and one-line errors."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from llm_hosting.commands import bench as bench_command
from tests.bench.conftest import ENDPOINT, closed_port_url
from tests.standins.sagemaker_runtime import Behaviour, SageMakerRuntimeStandIn

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm_hosting")
    commands = parser.add_subparsers(dest="command", required=True)
    bench_command.register(commands)
    args = parser.parse_args(["bench", *(str(a) for a in argv)])
    code: int = args.run(args)
    return code


def output(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], list[str]]:
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err.splitlines()


def test_a_run_prints_the_summary_and_writes_json_csv_and_png(
    standin: SageMakerRuntimeStandIn, payload_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.on_component("codegen-inline", Behaviour.ok({"generated_text": "x", "details": {"generated_tokens": 5}}))
    files = {name: tmp_path / f"bench.{name}" for name in ("json", "csv", "png")}

    code = run(
        *("--endpoint", ENDPOINT, "--component", "codegen-inline", "--payload", payload_file),
        *("--concurrency", "3", "--requests", "12", "--warmup-requests", "2", "--endpoint-url", standin.url),
        *("--json", files["json"], "--csv", files["csv"], "--plot", files["png"]),
    )
    out, err = output(capsys)

    assert (code, err) == (0, [])
    assert out[0] == "endpoint      codegen, inference component codegen-inline (InvokeEndpoint)"
    assert any(line.startswith("requests      12 finished in ") for line in out)
    assert any("reported by the model (details.generated_tokens) in 12 of 12" in line for line in out)
    assert out[-1] == f"wrote {files['json']}, {files['csv']}, {files['png']}"

    data = json.loads(files["json"].read_text())
    assert data["requests"] == {"finished": 12, "succeeded": 12, "failed": 0, "warmup": 2, "warmup_failed": 0}
    assert data["tokens"]["output_total"] == 60
    assert data["settings"]["timeout_s"] == 65.0
    with files["csv"].open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12
    assert {r["status"] for r in rows} == {"ok"}
    assert files["png"].read_bytes()[:8] == PNG_MAGIC
    assert standin.received == 14


def test_failed_requests_still_exit_0_and_are_in_the_numbers(
    standin: SageMakerRuntimeStandIn, payload_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.default = Behaviour.throttled()

    code = run("--endpoint", ENDPOINT, "--payload", payload_file, "--requests", "4", "--endpoint-url", standin.url)
    out, err = output(capsys)

    assert (code, err) == (0, [])
    assert "errors        4 (100.0%): model 0, throttling 4, validation 0, timeout 0, other 0" in out
    assert "              ThrottlingException x4: Rate exceeded" in out


def test_a_stream_run_reports_time_to_first_token(
    standin: SageMakerRuntimeStandIn, payload_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.default = Behaviour.stream(["Hello", ", world!"], part_delay_s=0.01)

    code = run("--endpoint", ENDPOINT, "--payload", payload_file, "--requests", "3", "--stream")
    out, _ = output(capsys)

    assert code == 0
    assert any(line.startswith("first token ") for line in out)
    assert any("estimated from response text in 3 of 3" in line for line in out)


def test_the_command_runs_on_its_own(
    standin: SageMakerRuntimeStandIn, payload_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = bench_command.main(["--endpoint", ENDPOINT, "--payload", str(payload_file), "--requests", "2"])

    assert code == 0
    assert standin.received == 2
    assert capsys.readouterr().out.startswith("endpoint ")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--payload", "{missing}", "--requests", "1"],
            "--payload {missing}: no such file",
        ),
        (
            ["--payload", "{invalid}", "--requests", "1"],
            "--payload {invalid}: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 "
            "(char 1)); fix the file or pass the right --content-type",
        ),
        (
            ["--payload", "{empty}", "--requests", "1"],
            "--payload {empty}: the file is empty",
        ),
        (
            ["--payload", "{payload}", "--requests", "1", "--target-model", "a.tar.gz", "--component", "ic"],
            "--target-model (a multi-model endpoint) and --component (an inference component) cannot be used "
            "together; pass one",
        ),
        (
            ["--payload", "{payload}", "--requests", "1", "--target-model", "a.tar.gz", "--stream"],
            "--stream cannot be used with --target-model: multi-model endpoints do not stream",
        ),
        (
            ["--payload", "{payload}"],
            "pass --requests K, --duration-s S, or both",
        ),
        (
            ["--payload", "{payload}", "--requests", "1", "--json", "{tmp}/nowhere/bench.json"],
            "--json {tmp}/nowhere/bench.json: the folder {tmp}/nowhere does not exist",
        ),
        (
            ["--payload", "{payload}", "--requests", "1", "--timeout-s", "0"],
            "--timeout-s must be more than 0, got 0",
        ),
        (
            ["--payload", "{payload}", "--requests", "1", "--concurrency", "0"],
            "concurrency must be 1 or more, got 0",
        ),
        (
            ["--payload", "{payload}", "--requests", "1", "--endpoint", "not_an_endpoint"],
            "endpoint name 'not_an_endpoint' is not a SageMaker endpoint name (up to 63 letters, digits and "
            "inner hyphens)",
        ),
    ],
)
def test_bad_input_exits_1_with_one_line_and_sends_nothing(
    standin: SageMakerRuntimeStandIn,
    payload_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    arguments: list[str],
    message: str,
) -> None:
    (tmp_path / "invalid.json").write_text("{inputs: 1}")
    (tmp_path / "empty.json").write_text("")
    names = {
        "missing": str(tmp_path / "missing.json"),
        "invalid": str(tmp_path / "invalid.json"),
        "empty": str(tmp_path / "empty.json"),
        "payload": str(payload_file),
        "tmp": str(tmp_path),
    }
    argv = [a.format(**names) for a in arguments]
    if "--endpoint" not in argv:
        argv = ["--endpoint", ENDPOINT, *argv]

    code = run(*argv)
    out, err = output(capsys)

    assert (code, out, err) == (1, [], [message.format(**names)])
    assert standin.received == 0


def test_a_non_json_content_type_accepts_any_payload(
    standin: SageMakerRuntimeStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("def main(")

    code = run("--endpoint", ENDPOINT, "--payload", prompt, "--content-type", "text/plain", "--requests", "1")

    assert code == 0
    assert [(c.request.content_type, c.request.body) for c in standin.calls] == [("text/plain", b"def main(")]


def test_an_unreachable_endpoint_url_exits_1_with_one_line(
    payload_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = closed_port_url()

    code = run("--endpoint", ENDPOINT, "--payload", payload_file, "--requests", "5", "--endpoint-url", url)
    out, err = output(capsys)

    assert (code, out) == (1, [])
    assert err == [
        f'Could not connect to the endpoint URL: "{url}/endpoints/{ENDPOINT}/invocations"; check --endpoint-url'
    ]


def test_missing_credentials_exit_1_with_one_line(
    standin: SageMakerRuntimeStandIn,
    payload_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    code = run("--endpoint", ENDPOINT, "--payload", payload_file, "--requests", "5")
    out, err = output(capsys)

    assert (code, out, len(err)) == (1, [], 1)
    assert err[0].startswith("no AWS credentials found; configure them")
    assert standin.received == 0


def test_rejected_credentials_exit_1_with_one_line(
    standin: SageMakerRuntimeStandIn, payload_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.default = Behaviour.error("UnrecognizedClientException", 403, "The security token included is invalid.")

    code = run("--endpoint", ENDPOINT, "--payload", payload_file, "--requests", "5")
    out, err = output(capsys)

    assert (code, out) == (1, [])
    assert err == [
        "InvokeEndpoint: AWS does not accept these credentials (UnrecognizedClientException); check the access key "
        "and region"
    ]
    assert standin.received == 1  # the first answer ended the run


def test_no_region_exits_1_with_one_line(
    payload_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    code = run("--endpoint", ENDPOINT, "--payload", payload_file, "--requests", "5")
    out, err = output(capsys)

    assert (code, out) == (1, [])
    assert err == ["no AWS region set; pass --region, set AWS_REGION, or set environment.region in the catalog"]


def test_an_adapter_is_benchmarked_by_its_own_component_name(
    standin: SageMakerRuntimeStandIn, payload_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a shared endpoint that, like SageMaker, serves only the components and adapters it hosts
    standin.components = {ENDPOINT: {"code-assist-base", "code-assist-acme"}}
    summary = tmp_path / "acme.json"
    # WHEN a customer's adapter is benchmarked
    code = run(
        *("--endpoint", ENDPOINT, "--component", "code-assist-acme", "--payload", payload_file),
        *("--requests", "4", "--endpoint-url", standin.url, "--json", summary),
    )
    out, err = output(capsys)
    # THEN every request went to that adapter, and succeeded
    assert (code, err) == (0, [])
    assert out[0] == f"endpoint      {ENDPOINT}, inference component code-assist-acme (InvokeEndpoint)"
    assert {c.request.inference_component for c in standin.calls} == {"code-assist-acme"}
    assert json.loads(summary.read_text())["requests"]["succeeded"] == 4
    # AND an adapter the endpoint does not host fails every request as SageMaker's validation error
    standin.reset()
    code = run(
        *("--endpoint", ENDPOINT, "--component", "code-assist-acm", "--payload", payload_file),
        *("--requests", "2", "--endpoint-url", standin.url, "--json", summary),
    )
    assert code == 0  # the benchmark ran; the numbers report the failures
    assert json.loads(summary.read_text())["requests"]["failed"] == 2
