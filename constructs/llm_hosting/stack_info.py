"""What the constructs ask of their stack, asked once per stack.

Every question put to a construct from Python (`Stack.of`, a stack's partition, region, account or
synthesizer, `Aws.REGION`) is a round trip to the jsii kernel. An endpoint with a thousand inference
components asked the same few answers tens of thousands of times; this module keeps them per stack.
The answers never change once a stack exists (its environment is fixed at construction).
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct


class StackInfo:
    """One stack's answers, each asked of the kernel the first time a caller needs it."""

    def __init__(self, stack: cdk.Stack) -> None:
        self.stack = stack
        self.cache: dict[Any, Any] = {}
        """Per-stack memo for callers (image references, ...), keyed by the caller."""

    @functools.cached_property
    def partition(self) -> str:
        return self.stack.partition

    @functools.cached_property
    def region(self) -> str:
        return self.stack.region

    @functools.cached_property
    def account(self) -> str:
        return self.stack.account

    @functools.cached_property
    def region_known(self) -> bool:
        """False in an environment-agnostic stack, whose region is a token."""
        return not cdk.Token.is_unresolved(self.region)

    @functools.cached_property
    def synthesizer(self) -> cdk.IStackSynthesizer:
        return self.stack.synthesizer

    @functools.cached_property
    def _stage(self) -> cdk.Stage:
        stage = cdk.Stage.of(self.stack)
        if stage is None:  # a Stack always has an enclosing Stage (the App at least)
            raise ValueError(f"{self.stack.node.path} is not inside an App or a Stage")
        return stage

    @functools.cached_property
    def outdir(self) -> str:
        """The assembly directory of the stack's stage (its templates and asset manifest)."""
        return self._stage.outdir

    @functools.cached_property
    def asset_outdir(self) -> str:
        """Where CDK stages file assets for that stage (the top-level assembly directory)."""
        return self._stage.asset_outdir


_INFO: weakref.WeakKeyDictionary[cdk.Stack, StackInfo] = weakref.WeakKeyDictionary()
_STACK_OF: weakref.WeakKeyDictionary[IConstruct, cdk.Stack] = weakref.WeakKeyDictionary()


def stack_of(scope: IConstruct) -> cdk.Stack:
    """`Stack.of(scope)`, asked once per construct (and never of the stack itself)."""
    if isinstance(scope, cdk.Stack):
        return scope
    stack = _STACK_OF.get(scope)
    if stack is None:
        stack = _STACK_OF[scope] = cdk.Stack.of(scope)
    return stack


def stack_info(scope: IConstruct) -> StackInfo:
    stack = stack_of(scope)
    info = _INFO.get(stack)
    if info is None:
        info = _INFO[stack] = StackInfo(stack)
    return info


@functools.cache
def aws_region() -> str:
    """`Aws.REGION`: one token string for the whole process."""
    return cdk.Aws.REGION


@functools.cache
def aws_partition() -> str:
    """`Aws.PARTITION`: one token string for the whole process."""
    return cdk.Aws.PARTITION
