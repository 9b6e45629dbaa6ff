"""Bad input is one line on stderr and exit code 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.helpers import endpoint_stack, run_cli, write_assembly
from tests.synth import ROOT


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_assembly(tmp_path / "good", {"llm-chat": endpoint_stack()})


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_a_missing_directory_is_bad_input(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(tmp_path / "nope", good) == 1
    assert "nope: no such directory" in one_line_error(capsys)


def test_a_directory_that_is_not_an_assembly_is_bad_input(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(good, ROOT / "tests") == 1
    assert "no manifest.json" in one_line_error(capsys)


def test_a_manifest_naming_a_missing_template_is_bad_input(
    tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = write_assembly(tmp_path / "broken", {"llm-chat": endpoint_stack()})
    (broken / "llm-chat.template.json").unlink()
    assert run_cli(good, broken) == 1
    assert "a stack template cannot be read" in one_line_error(capsys)


def test_a_template_that_is_not_json_is_bad_input(
    tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = write_assembly(tmp_path / "broken", {"llm-chat": endpoint_stack()})
    (broken / "llm-chat.template.json").write_text("Resources: [")
    assert run_cli(broken, good) == 1
    assert "a stack template cannot be read" in one_line_error(capsys)


def test_a_template_without_a_resources_object_is_bad_input(
    tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = write_assembly(tmp_path / "broken", {"llm-chat": {"Resources": []}})
    assert run_cli(good, broken) == 1
    assert "not a CloudFormation template" in one_line_error(capsys)
