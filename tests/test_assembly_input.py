"""Every command that reads a cloud assembly answers a malformed one in one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm_hosting.cli import main

COMMANDS = [["stacks"], ["limits"], ["preflight"], ["review", "{assembly}"]]
"""Each command with its arguments before the assembly (review compares it with itself)."""


@pytest.mark.parametrize("command", COMMANDS, ids=lambda argv: argv[0])
@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ("[1, 2]", "manifest.json: not a cloud assembly manifest"),
        ('{"artifacts": {"S": {"type": "aws:cloudformation:stack"}}}', "manifest.json: a stack artifact has no"),
        ("{", "manifest.json: cannot be read"),
    ],
    ids=["a list", "a stack without a template", "not JSON"],
)
def test_a_malformed_manifest_is_one_line_and_exit_1(
    tmp_path: Path, command: list[str], manifest: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "manifest.json").write_text(manifest)
    argv = [arg.format(assembly=tmp_path) for arg in command]
    assert main([*argv, str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert expected in line
