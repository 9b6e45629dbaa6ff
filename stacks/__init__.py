"""How this app turns a catalog into stacks: one stateful artifacts stack, one stack per endpoint,
and shard stacks for endpoints with more inference components than one stack can hold."""

from stacks.artifacts import ArtifactsStack
from stacks.catalog_stacks import build_stacks
from stacks.endpoint import ComponentShardStack, EndpointStack
from stacks.plan import plan_stacks, stack_name

__all__ = ["ArtifactsStack", "ComponentShardStack", "EndpointStack", "build_stacks", "plan_stacks", "stack_name"]
