"""Malformed input: every mistake is one line with the field path and a fix, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from llm_hosting.cli import main
from tests.catalog.helpers import base, errors, single_error, write
from tests.synth import ROOT


def test_malformed_yaml_names_the_line_and_column(tmp_path: Path) -> None:
    line = single_error(tmp_path, "project: x\nendpoints:\n  - name: a\n   type: single-model\n")
    assert line.startswith(f"{tmp_path / 'catalog.yaml'}: (yaml): not valid YAML: ")
    assert "column" in line and "fix the indentation, quoting or punctuation there (line 4)" in line


def test_a_duplicate_key_is_an_error_not_a_silent_override(tmp_path: Path) -> None:
    line = single_error(tmp_path, "project: a\nproject: b\n")
    assert line.endswith("project: appears twice (lines 1 and 2); keep one (line 2)")


def test_an_unknown_field_suggests_the_closest_name(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["instnace_type"] = data["endpoints"][0].pop("instance_type")
    found = errors(tmp_path, data)
    assert any(
        "endpoints[0].instnace_type: unknown field; did you mean 'instance_type'? Rename or remove it" in f
        for f in found
    )
    assert any("endpoints[0].instance_type: is required but missing; add it" in f for f in found)


def test_an_unknown_field_with_no_close_match_lists_the_allowed_ones(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"]["zzz"] = 1
    line = single_error(tmp_path, data)
    assert (
        "endpoints[0].model.zzz: unknown field; remove it (allowed here: architecture, batching, code, engine," in line
    )


def test_a_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["instance_count"]["max"] = "four"
    line = single_error(tmp_path, data)
    assert "endpoints[0].instance_count.max: expected a whole number, got text 'four'" in line


def test_an_unquoted_version_is_asked_to_be_quoted(tmp_path: Path) -> None:
    text = write(tmp_path, base()).read_text().replace("version: 0.21.0", "version: 24.09")
    line = single_error(tmp_path, text)
    assert "endpoints[0].model.version: expected text, got a number 24.09; quote it" in line


def test_an_unknown_endpoint_type_lists_the_types(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["type"] = "serverless"
    line = single_error(tmp_path, data)
    assert "endpoints[0].type: 'serverless' is not an endpoint type; use one of 'single-model', 'multi-model'" in line


def test_a_missing_endpoint_type_is_named(tmp_path: Path) -> None:
    data = base()
    del data["endpoints"][0]["type"]
    assert "endpoints[0].type: is required but missing; add type: single-model" in single_error(tmp_path, data)


def test_a_bad_engine_lists_the_engines(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"]["engine"] = "vllm"
    line = single_error(tmp_path, data)
    assert "endpoints[0].model.engine: 'vllm' is not allowed; use one of 'fastertransformer', 'lmi'" in line


def test_a_bad_s3_prefix_explains_the_form(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"]["weights"] = "s3://example-weights/flan-t5-xxl"
    line = single_error(tmp_path, data)
    assert (
        "endpoints[0].model.weights: 's3://example-weights/flan-t5-xxl' is not valid; use an S3 prefix ending in '/'"
        in line
    )


def test_a_list_where_a_mapping_belongs_is_named(tmp_path: Path) -> None:
    data = base()
    data["endpoints"][0]["model"] = ["fastertransformer"]
    assert "endpoints[0].model: expected a mapping of fields (key: value), got a list" in single_error(tmp_path, data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "(top level): the catalog is empty"),
        ("- a\n- b\n", "(top level): expected a mapping with project, artifacts and endpoints, got list"),
        ("project: [unclosed\n", "(yaml): not valid YAML"),
        ("? [a, b]\n: 1\n", "(top level): has a list or mapping as a key; write the key as plain text"),
    ],
)
def test_documents_that_are_not_catalogs_are_named(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in single_error(tmp_path, text)


@pytest.mark.parametrize("project", ["LLM", "a" * 25, "x-", "9lives"])
def test_a_project_name_that_cannot_start_a_bucket_name_is_rejected(tmp_path: Path, project: str) -> None:
    data = base()
    data["project"] = project
    line = single_error(tmp_path, data)
    assert f"project: {project!r} is not valid; use 1-24 lower-case letters" in line
    assert "<project>-artifacts-<account>-<region>" in line


def test_a_tag_key_reserved_by_aws_is_rejected(tmp_path: Path) -> None:
    data = base()
    data["tags"] = {"aws:owner": "me"}
    assert "tags.aws:owner: 'aws:owner' starts with 'aws:', which AWS reserves; rename the tag" in single_error(
        tmp_path, data
    )


def test_validate_prints_a_summary_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "catalog.yaml")]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"{ROOT / 'catalog.yaml'}: valid: project llm-hosting, ")
    assert len(out.splitlines()) == 1


def test_validate_prints_one_line_per_problem_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = base()
    data["endpoints"][0]["instance_count"] = {"initial": 1, "min": 2, "max": "four"}
    data["endpoints"][0]["startup"]["download_timeout_s"] = 5
    path = write(tmp_path, data)
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{path}: endpoints[0].") for line in lines)


def test_validate_on_a_missing_file_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 1
    assert (
        capsys.readouterr().err
        == f"{tmp_path / 'nope.yaml'}: (file): not found; pass the path of an existing catalog file\n"
    )


@pytest.mark.parametrize("text", ["project: [", "\x00\x01binary", "endpoints: 3", "endpoints: [{type: multi-model}]"])
def test_the_command_line_never_shows_a_traceback(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    result = subprocess.run(
        [sys.executable, "-m", "llm_hosting", "validate", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert all(line.startswith(f"{path}: ") for line in result.stderr.strip().splitlines())


def test_schema_prints_the_json_schema_the_catalog_points_at(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert printed == (ROOT / "catalog.schema.json").read_text(), "run `make schema` and commit catalog.schema.json"
    assert (ROOT / "catalog.yaml").read_text().startswith("# yaml-language-server: $schema=./catalog.schema.json")
