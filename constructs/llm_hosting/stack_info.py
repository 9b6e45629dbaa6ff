"""What the constructs ask of their stack, asked once per stack.

Every question put to a construct from Python (`Stack.of`, a stack's partition, region, account or
synthesizer, `Aws.REGION`) is a round trip to the jsii kernel. An endpoint with a thousand inference
components asked the same few answers tens of thousands of times; this module keeps them per stack.
The answers never change once a stack exists (its environment is fixed at construction).
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct


@dataclass(eq=False)
class StackInfo:
    stack: cdk.Stack
    partition: str
    region: str
    account: str
    synthesizer: cdk.IStackSynthesizer
    outdir: str
    """The assembly directory of the stack's stage (its templates and asset manifest)."""
    asset_outdir: str
    """Where CDK stages file assets for that stage (the top-level assembly directory)."""
    region_known: bool
    """False in an environment-agnostic stack, whose region is a token."""
    cache: dict[Any, Any] = field(default_factory=dict)
    """Per-stack memo for callers (image references, ...), keyed by the caller."""


_INFO: weakref.WeakKeyDictionary[cdk.Stack, StackInfo] = weakref.WeakKeyDictionary()


def stack_of(scope: IConstruct) -> cdk.Stack:
    """`Stack.of(scope)`, without the round trip when `scope` is the stack itself."""
    return scope if isinstance(scope, cdk.Stack) else cdk.Stack.of(scope)


def stack_info(scope: IConstruct) -> StackInfo:
    stack = stack_of(scope)
    info = _INFO.get(stack)
    if info is None:
        stage = cdk.Stage.of(stack)
        if stage is None:  # a Stack always has an enclosing Stage (the App at least)
            raise ValueError(f"{stack.node.path} is not inside an App or a Stage")
        region = stack.region
        info = StackInfo(
            stack=stack,
            partition=stack.partition,
            region=region,
            account=stack.account,
            synthesizer=stack.synthesizer,
            outdir=stage.outdir,
            asset_outdir=stage.asset_outdir,
            region_known=not cdk.Token.is_unresolved(region),
        )
        _INFO[stack] = info
    return info


@functools.cache
def aws_region() -> str:
    """`Aws.REGION`: one token string for the whole process."""
    return cdk.Aws.REGION


@functools.cache
def aws_partition() -> str:
    """`Aws.PARTITION`: one token string for the whole process."""
    return cdk.Aws.PARTITION
