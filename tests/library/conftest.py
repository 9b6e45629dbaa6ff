"""The construct library on its own, as a CDK user drives it: no catalog anywhere."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions

from tests.synth import cdk_json_context


def new_stack(**kwargs: Any) -> cdk.Stack:
    """A stack in an app with cdk.json's feature flags (a bare App() has none)."""
    return cdk.Stack(cdk.App(context=cdk_json_context()), "Test", **kwargs)


def template(stack: cdk.Stack) -> dict[str, Any]:
    result: dict[str, Any] = assertions.Template.from_stack(stack).to_json()
    return result


@pytest.fixture
def stack() -> cdk.Stack:
    return new_stack()
