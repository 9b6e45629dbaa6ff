"""The warm-up Lambda function: configuration from its environment, bounded by the invocation's time."""

from __future__ import annotations

import ast
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from llm_hosting.endpoints.settings import WarmupSettings
from llm_hosting.warmup import FUNCTION_DIR, HANDLER, function_environment, function_timeout_s
from tests.mme.conftest import ENDPOINT, put_models
from tests.standins.sagemaker_runtime import Behaviour, SageMakerRuntimeStandIn

MODELS = ["a.tar.gz", "b.tar.gz", "c.tar.gz", "d.tar.gz"]


class Context:
    """The part of Lambda's context object the handler uses."""

    def __init__(self, remaining_s: float) -> None:
        self.remaining_s = remaining_s

    def get_remaining_time_in_millis(self) -> int:
        return int(self.remaining_s * 1000)


@pytest.fixture
def handler_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """`handler.py` imported the way Lambda imports it: with the function directory as the root."""
    monkeypatch.syspath_prepend(FUNCTION_DIR)
    for name in ("handler", "warmup"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    module = importlib.import_module(HANDLER.rsplit(".", 1)[0])
    yield module
    for name in ("handler", "warmup"):
        sys.modules.pop(name, None)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, s3: Any, bucket: str) -> dict[str, str]:
    put_models(s3, bucket, f"{ENDPOINT}/", MODELS)
    env = function_environment(
        endpoint_name=ENDPOINT,
        bucket=bucket,
        prefix=f"{ENDPOINT}/",
        settings=WarmupSettings(
            payload={"text": "hi"}, content_type="application/json", concurrency=2, request_timeout_s=1
        ),
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_the_handler_warms_every_model_with_the_configured_payload(
    handler_module: ModuleType,
    environment: dict[str, str],
    standin: SageMakerRuntimeStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = handler_module.handler({"source": "aws.events"}, Context(remaining_s=900))

    assert json.loads(json.dumps(result)) == {
        "endpoint_name": ENDPOINT,
        "total": 4,
        "warmed": MODELS,
        "failed": {},
        "skipped": [],
        "duration_s": result["duration_s"],
    }
    assert {(c.request.body, c.request.content_type) for c in standin.calls} == {(b'{"text":"hi"}', "application/json")}
    emf = json.loads(capsys.readouterr().out.strip())
    assert (emf["EndpointName"], emf["ModelsWarmed"], emf["ModelsFailed"]) == (ENDPOINT, 4, 0)


def test_the_remaining_invocation_time_caps_the_budget(
    handler_module: ModuleType,
    environment: dict[str, str],
    standin: SageMakerRuntimeStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    standin.default = Behaviour.ok(delay_s=0.8)
    monkeypatch.setenv("CONCURRENCY", "1")
    # TIME_BUDGET_S is 600, but after one request timeout (1 s) and the reserve only 1.5 s remain,
    # of which making clients and listing take some: time to start two of the four models one at
    # a time (at 0 s and 0.8 s), not a third (1.6 s).
    result = handler_module.handler({}, Context(remaining_s=1 + handler_module.RESERVE_S + 1.5))

    assert result["warmed"] == ["a.tar.gz", "b.tar.gz"]
    assert result["skipped"] == ["c.tar.gz", "d.tar.gz"]


def test_too_little_remaining_time_skips_every_model_without_invoking_any(
    handler_module: ModuleType, environment: dict[str, str], standin: SageMakerRuntimeStandIn
) -> None:
    result = handler_module.handler({}, Context(remaining_s=2))

    assert result["skipped"] == MODELS
    assert standin.received == 0


def test_the_environment_a_construct_sets_is_what_the_handler_reads(handler_module: ModuleType) -> None:
    settings = WarmupSettings(
        payload={"inputs": [1, 2]},
        content_type="application/json",
        concurrency=7,
        time_budget_s=120,
        request_timeout_s=9,
    )
    env = function_environment(endpoint_name="e", bucket="b", prefix="e/", settings=settings)

    read = handler_module.Settings.from_env(env)

    assert read == handler_module.Settings(
        endpoint_name="e",
        bucket="b",
        prefix="e/",
        payload=b'{"inputs":[1,2]}',
        content_type="application/json",
        concurrency=7,
        time_budget_s=120,
        request_timeout_s=9,
    )


def test_the_handler_defaults_are_the_catalog_defaults(handler_module: ModuleType) -> None:
    required = {"ENDPOINT_NAME": "e", "BUCKET": "b", "PREFIX": "e/"}
    from_catalog = function_environment(endpoint_name="e", bucket="b", prefix="e/", settings=WarmupSettings())

    assert handler_module.Settings.from_env(required) == handler_module.Settings.from_env(from_catalog)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BUCKET": "b", "PREFIX": "e/"}, "ENDPOINT_NAME is not set"),
        ({"ENDPOINT_NAME": "e", "BUCKET": "b", "PREFIX": "e/", "CONCURRENCY": "four"}, "CONCURRENCY must be a whole"),
        ({"ENDPOINT_NAME": "e", "BUCKET": "b", "PREFIX": "e/", "TIME_BUDGET_S": "-1"}, "TIME_BUDGET_S must be greater"),
        ({"ENDPOINT_NAME": "e", "BUCKET": "b", "PREFIX": "e/", "PAYLOAD": "{inputs"}, "PAYLOAD must be JSON text"),
    ],
)
def test_a_missing_or_malformed_variable_is_named(
    handler_module: ModuleType, env: dict[str, str], message: str
) -> None:
    with pytest.raises(handler_module.ConfigurationError, match=message):
        handler_module.Settings.from_env(env)


def test_the_function_timeout_fits_budget_and_last_request_within_lambdas_limit() -> None:
    assert function_timeout_s(WarmupSettings()) == 600 + 60 + 30
    assert function_timeout_s(WarmupSettings(time_budget_s=840, request_timeout_s=600)) == 900


def test_the_function_code_imports_only_what_the_lambda_runtime_has() -> None:
    allowed = set(sys.stdlib_module_names) | {"boto3", "botocore", "warmup"}
    for path in Path(FUNCTION_DIR).glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0
        }
        assert imported <= allowed, f"{path.name} imports {sorted(imported - allowed)}"
