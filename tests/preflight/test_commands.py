"""`python -m llm_hosting preflight|limits`: exit codes, output lines, and bad input as one line on stderr."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import botocore  # type: ignore[import-untyped]
import pytest

from llm_hosting.cli import main
from tests.preflight.stacks import components_stack, line, single_model_stack
from tests.review.helpers import write_assembly
from tests.synth import ROOT, Synthesized

BOTOCORE = botocore.__version__


def run_cli(*argv: str | Path) -> int:
    """The commands as `python -m llm_hosting` runs them."""
    return main([str(arg) for arg in argv])


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_preflight_of_a_clean_assembly_exits_0_with_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write_assembly(tmp_path, {"C": components_stack(), "M": single_model_stack()})
    assert run_cli("preflight", directory) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"preflight: no problems; 13 resources in 2 stacks checked against the botocore {BOTOCORE} API models"
    ]


def test_preflight_prints_each_problem_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = components_stack()
    template["Resources"]["Component"]["Properties"]["RuntimeConfig"]["CopyCount"] = -1
    directory = write_assembly(tmp_path, {"C": template})
    assert run_cli("preflight", directory) == 1
    assert capsys.readouterr().out.splitlines() == [
        line(
            tmp_path,
            "C",
            "Component",
            "RuntimeConfig.CopyCount",
            "-1 is under the minimum of 0 (botocore sagemaker CreateInferenceComponent shape InferenceComponentCopyCount)",
        ),
        f"preflight: 1 problem in 1 stack; 7 resources in 1 stack checked against the botocore {BOTOCORE} API models",
    ]


def test_preflight_of_the_default_assembly_exits_0(
    default_synth: Synthesized, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("preflight", default_synth.outdir) == 0
    assert capsys.readouterr().out.startswith("preflight: no problems;")


def test_limits_of_the_default_assembly_exit_0(default_synth: Synthesized, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("limits", default_synth.outdir) == 0
    assert re.match(r"limits: \d+ stacks within CloudFormation's limits", capsys.readouterr().out)


def _topics(count: int) -> dict[str, Any]:
    return {"Resources": {f"Topic{n}": {"Type": "AWS::SNS::Topic"} for n in range(count)}}


def test_limits_over_a_limit_exits_1_with_the_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_assembly(tmp_path, {"Big": _topics(512)})
    assert run_cli("limits", directory) == 1
    assert capsys.readouterr().out.splitlines() == [
        "Big: 512 resources, over CloudFormation's limit of 500 per stack; split the catalog, or put fewer "
        "endpoints in one stack",
        "limits: 1 over a CloudFormation limit, 0 near one, in 1 stack",
    ]


def test_limits_near_a_limit_warns_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_assembly(tmp_path, {"Big": _topics(460), "Small": _topics(3)})
    assert run_cli("limits", directory) == 0
    assert capsys.readouterr().out.splitlines() == [
        "warning: Big: 460 resources, 92 % of CloudFormation's limit of 500 per stack; split the catalog, or put "
        "fewer endpoints in one stack",
        "limits: 2 stacks within CloudFormation's limits (largest: Big, 460 resources); 1 near a limit",
    ]


@pytest.mark.parametrize("command", ["preflight", "limits"])
def test_a_missing_directory_is_one_line_and_exit_1(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(command, tmp_path / "nope") == 1
    assert (
        one_line_error(capsys) == f"{tmp_path / 'nope'}: no such directory; pass a synthesized cloud assembly (cdk.out)"
    )


@pytest.mark.parametrize("command", ["preflight", "limits"])
def test_a_directory_that_is_not_an_assembly_is_one_line_and_exit_1(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(command, ROOT / "tests") == 1
    assert "no manifest.json" in one_line_error(capsys)


@pytest.mark.parametrize("command", ["preflight", "limits"])
def test_a_template_that_is_not_json_is_one_line_and_exit_1(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write_assembly(tmp_path, {"S": _topics(1)})
    (directory / "S.template.json").write_text("Resources: [")
    assert run_cli(command, directory) == 1
    assert "a stack template cannot be read" in one_line_error(capsys)


@pytest.mark.parametrize("command", ["preflight", "limits"])
def test_a_template_without_a_resources_object_is_one_line_and_exit_1(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write_assembly(tmp_path, {"S": {"Resources": []}})
    assert run_cli(command, directory) == 1
    assert (
        one_line_error(capsys)
        == f"{directory / 'S.template.json'}: not a CloudFormation template (no Resources object)"
    )
