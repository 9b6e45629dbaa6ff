"""How this app turns a catalog into stacks: one stateful artifacts stack, one stack per endpoint."""

from stacks.artifacts import ArtifactsStack
from stacks.catalog_stacks import build_stacks, stack_name
from stacks.endpoint import EndpointStack

__all__ = ["ArtifactsStack", "EndpointStack", "build_stacks", "stack_name"]
