"""The bad-catalog corpus: every file in tests/bad_catalogs/ holds one mistake and pins its exact error.

`NNN-slug.yaml` is a catalog whose first line, a comment, names the mistake; `NNN-slug.expected` holds
the exact lines `load_catalog` must raise, with `{path}` for the catalog's path and `{dir}` for the
corpus directory (problems about code directories name the resolved directory). Series: 0xx the file
and its YAML, 1xx shape and ranges, 15x-17x patterns, 2xx cross-field rules, 3xx files the catalog
points at, 9xx the loader findings of FINDINGS.md (fixed; each case pins the fix). A new finding gets a
9xx case marked xfail(strict) in KNOWN_GAPS until the library is fixed.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from llm_hosting.catalog import CatalogError, json_schema, load_catalog, loader as loader_module, rules as rules_module
from llm_hosting.endpoints import settings as construct_settings

CORPUS = Path(__file__).resolve().parent / "bad_catalogs"
CASES = sorted(CORPUS.glob("*.yaml"))
MIN_CASES = 50

# File name -> (FINDINGS.md entry, whether the form test fails too: a crash, a split line, no error at all).
# Empty while the library has no known gap: a new gap gets a 9xx case and an entry here until it is fixed.
KNOWN_GAPS: dict[str, tuple[str, bool]] = {}

# Representative cases that also run through `python -m llm_hosting validate` (a subprocess each).
CLI_CASES = (
    "001-yaml-unclosed-brace.yaml",
    "006-yaml-not-utf8.yaml",
    "102-unknown-key-no-match.yaml",
    "203-instance-count-min-above-max.yaml",
    "244-ic-initial-copies-need-more-instances.yaml",
    "303-serving-properties-conflict.yaml",
)

SPECIAL_PATHS = ("(yaml)", "(file)", "(top level)")
# A first segment that is a field name, then `.key` (dict keys may hold : ! . and the like) or `[n]`.
# A key that is not plain text (empty, spaces, line breaks) is quoted: `["instance\\ncount"]`.
FIELD_PATH = re.compile(r'[A-Za-z_][\w-]*(?:\[\d+\]|\.[^\s\[\]"]+|\["(?:[^"\\]|\\.)*"\])*')


def expected_lines(case: Path) -> list[str]:
    text = case.with_suffix(".expected").read_text(encoding="utf-8")
    return text.replace("{path}", str(case)).replace("{dir}", str(CORPUS)).splitlines()


def problem_lines(case: Path) -> list[str]:
    with pytest.raises(CatalogError) as raised:
        load_catalog(case)
    lines = str(raised.value).splitlines()
    assert len(lines) == len(raised.value.problems), "a problem's message spans more than one line"
    return lines


def split_line(case: Path, line: str) -> tuple[str, str]:
    """(field path, message) of one `FILE: field.path: message (line N)` line."""
    prefix = f"{case}: "
    assert line.startswith(prefix), f"does not start with the catalog path: {line!r}"
    field, sep, message = line[len(prefix) :].partition(": ")
    assert sep, f"no `field: message` after the path: {line!r}"
    return field, message


def params(cases: list[Path], *, form_only: bool = False) -> Iterator[object]:
    for case in cases:
        gap = KNOWN_GAPS.get(case.name)
        if gap is None or (form_only and not gap[1]):
            yield pytest.param(case, id=case.name)
        else:
            yield pytest.param(case, id=case.name, marks=pytest.mark.xfail(strict=True, reason=gap[0]))


def pinned_messages() -> list[str]:
    """The messages of every non-xfail expected line: what the library says today."""
    return [split_line(case, line)[1] for case in CASES if case.name not in KNOWN_GAPS for line in expected_lines(case)]


# --- the corpus itself -----------------------------------------------------------------------------


def test_the_corpus_holds_at_least_50_bad_catalogs_each_with_its_expected_error() -> None:
    assert len([c for c in CASES if c.name not in KNOWN_GAPS]) >= MIN_CASES
    assert {c.stem for c in CASES} == {e.stem for e in CORPUS.glob("*.expected")}
    assert set(KNOWN_GAPS) <= {c.name for c in CASES if c.name.startswith("9")}, "a gap is a 9xx case"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_catalog_names_its_one_mistake_in_a_leading_comment(case: Path) -> None:
    first = case.read_bytes().split(b"\n", 1)[0].decode("ascii")
    assert re.fullmatch(r"# Mistake: \S.*\.", first), first


# --- what loading gives ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(params(CASES)))
def test_a_bad_catalog_gives_exactly_its_expected_lines(case: Path) -> None:
    assert problem_lines(case) == expected_lines(case)


@pytest.mark.parametrize("case", list(params(CASES, form_only=True)))
def test_every_line_names_the_file_then_a_field_path_then_the_problem(case: Path) -> None:
    for line in problem_lines(case):
        field, message = split_line(case, line)
        assert field in SPECIAL_PATHS or FIELD_PATH.fullmatch(field), f"not a field path: {field!r}"
        assert message.strip() == message and message, f"empty or padded message: {line!r}"


@pytest.mark.parametrize("name", CLI_CASES)
def test_the_validate_command_prints_the_same_lines_and_exits_1(name: str) -> None:
    case = CORPUS / name
    result = subprocess.run(
        [sys.executable, "-m", "llm_hosting", "validate", str(case)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == expected_lines(case)


# --- coverage: every rule, every kind of shape error, every pattern ----------------------------------


def _message_regex(node: ast.expr) -> tuple[str, str]:
    """(regex, readable text) of a message literal: f-string holes match any text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value), node.value
    assert isinstance(node, ast.JoinedStr), ast.dump(node)
    regex = "".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".+?" for v in node.values)
    text = "".join(str(v.value) if isinstance(v, ast.Constant) else "…" for v in node.values)
    return regex, text


def _sources(module: object) -> list[Path]:
    """A module's file, or every module file of a package."""
    path = Path(str(getattr(module, "__file__", "")))
    return sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path]


def _is_message(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant | ast.JoinedStr)


def problem_messages(module: object) -> list[tuple[str, str]]:
    """The message of every `Problem(path, "message")` written in a module's (or package's) source, and
    of every `(field, "message")` a settings check appends (calls that pass on a message made
    elsewhere, such as the loader's pydantic errors, are not literals and are skipped)."""
    found = []
    for source in _sources(module):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name) and node.func.id == "Problem" and _is_message(node.args[1]):
                found.append(_message_regex(node.args[1]))
            elif (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "append"
                and node.args
                and isinstance(node.args[0], ast.Tuple)
                and len(node.args[0].elts) == 2
                and _is_message(node.args[0].elts[1])
            ):
                found.append(_message_regex(node.args[0].elts[1]))
    return found


# Problems no catalog file can produce, with the reason.
NOT_FROM_A_FILE = {
    "endpoints are not supported yet": "every endpoint type the schema accepts is supported",
    "not found; pass the path": "a corpus case is a file that exists (test_loader_errors.py covers it)",
    "is a directory; pass the path": "a corpus case is a file",
    "; check its permissions": "file permissions are not part of a catalog",
    "nests too deeply or refers to itself": "only PyYAML without libyaml recurses; the depth check (902) comes first",
    "holds a value that cannot be read": "a guard: dates (921), long numbers (903) and aliases (901) are checked first",
    "not checked: ": "a notice of what the rules skipped, not an error: tests/catalog/test_rules.py pins each kind",
}


@pytest.mark.parametrize(
    "module", [rules_module, loader_module, construct_settings], ids=["rules", "loader", "construct-settings"]
)
def test_the_corpus_exercises_every_problem_the_rules_and_the_loader_report(module: object) -> None:
    messages = pinned_messages()
    found = problem_messages(module)
    assert len(found) > 5, "no Problem(...) calls found: has the module changed shape?"
    exempt = [text for _, text in found if any(reason in text for reason in NOT_FROM_A_FILE)]
    missing = [
        text
        for regex, text in found
        if text not in exempt and not any(re.search(regex, message) for message in messages)
    ]
    assert missing == [], "add a bad catalog for each of these problems"


def test_every_exemption_names_a_problem_that_exists() -> None:
    texts = [
        text for module in (rules_module, loader_module, construct_settings) for _, text in problem_messages(module)
    ]
    assert all(sum(reason in text for text in texts) == 1 for reason in NOT_FROM_A_FILE)


# One fragment per kind of shape error the loader words itself (errors.py) and per YAML-level error.
SHAPE_ERRORS = {
    "missing field": "is required but missing; add it",
    "missing endpoint type": "is required but missing; add type: single-model, multi-model or inference-components",
    "unknown field, close match": "unknown field; did you mean '",
    "unknown field, no close match": "unknown field; remove it (allowed here: ",
    "value not in a list": "is not allowed; use one of ",
    "unknown endpoint type": "is not an endpoint type; use one of ",
    "whole number": "expected a whole number, got ",
    "number": "expected a number, got ",
    "true/false": "expected true or false, got ",
    "text": "expected text, got ",
    "text, quote it": "; quote it",
    "mapping": "expected a mapping of fields (key: value), got ",
    "list": "expected a list, got ",
    ">= minimum": "is too small; use ",
    "> minimum": "is too small; use more than ",
    "<= maximum": "is too large; use ",
    "text too long": "characters long; use at most ",
    "list too long": "entries; at most ",
    "list too short": "entries; at least ",
    "pattern": "is not valid; ",
    "SageMaker name": "is not a valid SageMaker name",
    "SageMaker name length": "SageMaker names allow at most 63, shorten it",
    "aws: tag": "starts with 'aws:', which AWS reserves; rename the tag",
    "YAML syntax": "not valid YAML: ",
    "YAML tab": "found character '\\t' that cannot start any token",
    "YAML key not text": "has a list or mapping as a key; write the key as plain text",
    "one property value": "expected text, a number or true/false, got ",
    "JSON payload": "expected JSON values (text, numbers, true/false, lists, mappings), got ",
    "infinity": "got infinity (.inf); write a finite number",
    "too large for a whole number": "is too large for a whole number; use a smaller one",
    "date for text": "expected text, got a date 2024-05-01; quote it",
    "multiple documents": "holds more than one YAML document; keep one",
    "control character": "contains a character YAML does not accept (U+0000); remove it",
    "duplicate key": "appears twice (lines ",
    "empty file": "the catalog is empty",
    "not a mapping": "expected a mapping with project, artifacts and endpoints, got ",
    "not UTF-8": "is not UTF-8 text; save it as UTF-8",
}


@pytest.mark.parametrize("kind", SHAPE_ERRORS)
def test_the_corpus_exercises_every_kind_of_shape_and_yaml_error(kind: str) -> None:
    assert any(SHAPE_ERRORS[kind] in message for message in pinned_messages())


# Every constrained text field (and constrained dict key) -> the case that breaks its pattern.
PATTERN_CASES = {
    r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$": "151-endpoint-name-underscore",
    r"^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$": "154-project-upper-case",
    r"^ml\.[a-z0-9-]+\.[a-z0-9]+$": "155-instance-type-without-ml",
    r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(.+/)?$": "156-s3-prefix-without-slash",
    r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[a-zA-Z0-9/_-]+$": "157-kms-arn-bad",
    r"^[a-zA-Z_][a-zA-Z0-9_]*$": "158-env-key-starts-with-digit",
    r"^[\w.:/=+@ -]+$": "910-tag-key-bad-character",
    r"^[\w.:/=+@ -]*$": "911-tag-value-bad-character",
    r"^subnet-[0-9a-f]+$": "160-subnet-bad",
    r"^sg-[0-9a-f]+$": "161-security-group-bad",
    r"^[a-z]{2}(-[a-z]+)+-\d$": "162-region-bad",
    r"^\d{12}$": "163-account-bad",
    r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$": "164-schedule-bad",
    r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$": "165-sns-arn-bad",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "166-email-bad",
    r"^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection/[a-f0-9-]+$": (
        "167-connection-arn-bad"
    ),
    r"^[\w.-]+/[\w.-]+$": "168-repository-bad",
    r"^[A-Za-z][A-Za-z0-9-]{0,63}$": "169-pipeline-stage-name-bad",
    r"^\S+$": "170-image-with-space",
    r"^[a-zA-Z][\w.-]*$": "171-property-key-bad",
    r"^[a-z][a-z0-9_]*$": "261-architecture-not-a-model-type",
    r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\.tar\.gz$": "174-adapter-weights-not-tar-gz",
    r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:\d{12}:[a-z0-9-]{1,14}/.+$": "175-reservation-arn-from-ec2",
}


def _schema_patterns(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern":
                yield value
            yield from _schema_patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schema_patterns(value)


def test_every_pattern_in_the_schema_has_a_bad_catalog() -> None:
    assert set(_schema_patterns(json_schema())) <= set(PATTERN_CASES), "add a case for the new pattern"


@pytest.mark.parametrize("name", sorted(set(PATTERN_CASES.values())))
def test_a_pattern_case_is_reported_as_an_invalid_value(name: str) -> None:
    (line,) = expected_lines(CORPUS / f"{name}.yaml")
    assert "is not valid; " in line or "is not a valid SageMaker name" in line
