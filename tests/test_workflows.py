"""The example GitHub Actions workflows: triggers, gate order, OIDC without stored keys, one deploy at
a time, and the repository's pinned CDK CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.synth import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
CONFIGURE_AWS = "aws-actions/configure-aws-credentials@"

CDK_COMMAND = re.compile(r"(?P<cdk>\S*\bcdk)\s+(?:synth|diff|deploy|destroy|bootstrap|ls|list|watch|import|drift|gc)\b")
"""A CDK CLI command; `cdk` is whatever path runs it (`npx cdk`, `node_modules/.bin/cdk`, `cdk`)."""


def load(path: Path) -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load(path.read_text())
    return workflow


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """YAML 1.1 (PyYAML) reads the key `on` as the boolean True."""
    on: dict[str, Any] = workflow["on"] if "on" in workflow else workflow[True]
    return on


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def first(found: list[int]) -> int:
    assert found, "no such step"
    return found[0]


def step_index(workflow: dict[str, Any], predicate: Any) -> list[int]:
    return [i for i, step in enumerate(steps(workflow)) if predicate(step)]


@pytest.fixture(scope="module", params=[PULL_REQUEST, DEPLOY], ids=["pull-request", "deploy"])
def workflow_path(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


def test_the_pull_request_workflow_runs_on_pull_requests_to_main() -> None:
    assert triggers(load(PULL_REQUEST)) == {"pull_request": {"branches": ["main"]}}


def test_the_deploy_workflow_runs_on_pushes_to_main_and_by_hand_on_main_only() -> None:
    workflow = load(DEPLOY)
    assert triggers(workflow) == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert workflow["jobs"]["deploy"]["if"] == "github.ref == 'refs/heads/main'"


def test_make_test_runs_before_any_credentials_diff_or_deploy(workflow_path: Path) -> None:
    workflow = load(workflow_path)
    make_test = first(step_index(workflow, lambda s: s.get("run", "").strip() == "make test"))
    later = step_index(
        workflow,
        lambda s: CONFIGURE_AWS in s.get("uses", "") or CDK_COMMAND.search(s.get("run", "")) is not None,
    )
    assert later
    assert all(i > make_test for i in later)


def test_python_3_11_and_a_cache_keyed_on_the_requirement_and_lock_files(workflow_path: Path) -> None:
    workflow = load(workflow_path)
    (python,) = (s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    (cache,) = (s for s in steps(workflow) if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"].split() == [".venv", "node_modules"]
    for name in ("requirements.txt", "requirements-dev.txt", "constructs/pyproject.toml", "package-lock.json"):
        assert f"'{name}'" in cache["with"]["key"]
    assert "steps.python.outputs.python-version" in cache["with"]["key"]


def test_the_deploy_job_has_only_oidc_and_read_permissions_and_an_environment() -> None:
    workflow = load(DEPLOY)
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["deploy"]
    assert job["permissions"] == {"id-token": "write", "contents": "read"}
    assert job["environment"] == "production"


def test_the_pull_request_job_may_read_get_a_token_and_comment_only() -> None:
    workflow = load(PULL_REQUEST)
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}


def test_aws_credentials_come_from_oidc_and_a_repository_variable(workflow_path: Path) -> None:
    workflow = load(workflow_path)
    (configure,) = (s for s in steps(workflow) if CONFIGURE_AWS in s.get("uses", ""))
    assert set(configure["with"]) == {"role-to-assume", "role-session-name", "aws-region"}
    assert re.fullmatch(r"\$\{\{ vars\.AWS_[A-Z_]+_ROLE_ARN \}\}", configure["with"]["role-to-assume"])


def test_no_long_lived_keys_anywhere(workflow_path: Path) -> None:
    text = workflow_path.read_text().lower()
    for key in ("aws_access_key_id", "aws_secret_access_key", "aws-access-key-id", "aws-secret-access-key"):
        assert key not in text
    assert "secrets." not in text


def test_deploys_never_overlap() -> None:
    concurrency = load(DEPLOY)["concurrency"]
    assert concurrency == {"group": "deploy", "cancel-in-progress": False}


def test_the_deploy_needs_no_prompt_and_deploys_every_stack() -> None:
    (deploy,) = (s for s in steps(load(DEPLOY)) if "cdk deploy" in s.get("run", ""))
    assert "--all" in deploy["run"].split()
    assert "--require-approval never" in deploy["run"]
    text = DEPLOY.read_text()
    assert "# --require-approval never: " in text  # the reason is written beside it


def test_every_cdk_command_uses_the_repositorys_pinned_cli(workflow_path: Path) -> None:
    commands = 0
    for step in steps(load(workflow_path)):
        for match in CDK_COMMAND.finditer(step.get("run", "")):
            commands += 1
            line = step["run"][: match.start("cdk")].rsplit("\n", 1)[-1]
            pinned = match.group("cdk").endswith("node_modules/.bin/cdk") or re.search(r"\bnpx\s+$", line)
            assert pinned, f"{step.get('name')}: {match.group(0)}"
    assert commands > 0
    text = workflow_path.read_text()
    assert not re.search(r"npm\s+(install|i)\s+(-g|--global)", text)
    assert "aws-cdk@" not in text


def test_the_pull_request_posts_the_diff_and_the_review_as_a_comment() -> None:
    workflow = load(PULL_REQUEST)
    runs = [s.get("run", "") for s in steps(workflow)]
    assert any("npx cdk diff" in run for run in runs)
    assert any("-m llm_hosting review" in run and "base.cdk.out" in run for run in runs)
    (comment,) = (s for s in steps(workflow) if s.get("uses", "").startswith("actions/github-script@"))
    assert "createComment" in comment["with"]["script"]
    assert "cdk-diff.txt" in comment["with"]["script"]
    assert "review.txt" in comment["with"]["script"]


def test_third_party_actions_are_pinned_to_full_commit_shas(workflow_path: Path) -> None:
    uses = [s["uses"] for s in steps(load(workflow_path)) if "uses" in s]
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
    for line in workflow_path.read_text().splitlines():
        if "uses: " in line:
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line  # the tag, for readers


def test_run_scripts_take_github_values_from_env_not_from_expressions(workflow_path: Path) -> None:
    """`${{ }}` inside a script is pasted into the shell before it runs: a pull request's text
    (its title, branch or description) could run as commands."""
    for step in steps(load(workflow_path)):
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is needed to check the scripts")
def test_run_scripts_are_valid_bash(workflow_path: Path) -> None:
    for step in steps(load(workflow_path)):
        if "run" in step:
            result = subprocess.run(
                ["bash", "-n"], input=step["run"], capture_output=True, text=True, check=False, timeout=30
            )
            assert result.returncode == 0, f"{step.get('name')}: {result.stderr}"


def test_the_comment_script_is_valid_javascript(tmp_path: Path) -> None:
    node = Path(ROOT / ".venv" / "bin" / "node")
    if not node.exists():
        pytest.skip("the venv's Node is missing: run make test")
    (comment,) = (s for s in steps(load(PULL_REQUEST)) if s.get("uses", "").startswith("actions/github-script@"))
    script = tmp_path / "comment.js"
    # github-script runs the text as the body of an async function.
    script.write_text(f"(async function (github, context) {{\n{comment['with']['script']}\n}});\n")
    result = subprocess.run(
        [str(node), "--check", str(script)], capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 0, result.stderr


CHECK = "-m llm_hosting check"


def test_check_runs_with_the_credentials_and_before_anything_deploys(workflow_path: Path) -> None:
    workflow = load(workflow_path)
    credentials = first(step_index(workflow, lambda s: CONFIGURE_AWS in s.get("uses", "")))
    (check,) = step_index(workflow, lambda s: CHECK in s.get("run", ""))
    deploys = step_index(workflow, lambda s: "cdk deploy" in s.get("run", ""))
    assert check > credentials
    assert all(check < i for i in deploys)
    # Where the credentials step is conditional (pull requests from forks get none), check is too.
    assert steps(workflow)[check].get("if") == steps(workflow)[credentials].get("if")
    assert '"$CATALOG"' in steps(workflow)[check]["run"]


def test_a_failed_check_stops_the_deploy_and_fails_the_pull_request_after_its_comment() -> None:
    (deploy_check,) = (s for s in steps(load(DEPLOY)) if CHECK in s.get("run", ""))
    assert deploy_check["run"].strip() == '.venv/bin/python -m llm_hosting check "$CATALOG"'
    assert "continue-on-error" not in deploy_check

    workflow = load(PULL_REQUEST)
    (check,) = (s for s in steps(workflow) if CHECK in s.get("run", ""))
    assert "status=$?" in check["run"] and 'echo "status=$status" >> "$GITHUB_OUTPUT"' in check["run"]
    assert "$GITHUB_STEP_SUMMARY" in check["run"]
    comment = first(step_index(workflow, lambda s: s.get("uses", "").startswith("actions/github-script@")))
    fail = first(step_index(workflow, lambda s: f"steps.{check['id']}.outputs.status" in s.get("if", "")))
    assert fail > comment
    assert steps(workflow)[fail]["run"].strip().endswith("exit 1")
