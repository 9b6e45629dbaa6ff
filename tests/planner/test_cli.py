"""`plan [PATH] [--json] [--svg FILE]`: exit 0 with a report, exit 1 with one line per problem."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # our own output, not untrusted input
from pathlib import Path

import pytest

from llm_hosting.cli import main
from tests.planner.catalogs import catalog, component, endpoint, write


def run(*argv: str) -> int:
    return main(["plan", *argv])


def valid(tmp_path: Path) -> Path:
    ep = endpoint(
        "codegen",
        components=[component("inline", copies={"initial": 2, "min": 1, "max": 3}), component("blockgen")],
    )
    return write(tmp_path, catalog(ep))


def test_a_valid_catalog_prints_the_table_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(valid(tmp_path))) == 0
    out, err = capsys.readouterr()
    assert "codegen: ml.p4d.24xlarge" in out
    assert "instances needed" in out
    assert err == ""


def test_json_prints_only_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(valid(tmp_path)), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in data["endpoints"]] == ["codegen"]


def test_svg_writes_the_picture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    picture = tmp_path / "plan.svg"
    assert run(str(valid(tmp_path)), "--json", "--svg", str(picture)) == 0
    json.loads(capsys.readouterr().out)  # still nothing but JSON on stdout
    ET.parse(picture)  # noqa: S314


def test_the_path_defaults_to_catalog_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    valid(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run() == 0
    assert capsys.readouterr().out.startswith("catalog.yaml: 1 inference-component endpoint;")


def test_a_bad_catalog_prints_its_problems_one_per_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = catalog(endpoint(components=[component("x", accelerators=0)]))
    path = write(tmp_path, data)
    assert run(str(path)) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert lines and all(line.startswith(f"{path}: endpoints[0].components[0]") for line in lines)
    assert "Traceback" not in err


def test_a_missing_catalog_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(tmp_path / "nope.yaml")) == 1
    assert capsys.readouterr().err.strip().endswith("not found; pass the path of an existing catalog file")


def test_an_svg_that_cannot_be_written_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing-dir" / "plan.svg"
    assert run(str(valid(tmp_path)), "--svg", str(target)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{target}: cannot write the SVG")
    assert len(err.strip().splitlines()) == 1
