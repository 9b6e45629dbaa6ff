"""Catalog -> stacks: `<project>-artifacts`, `<project>-<endpoint>` and its `-partN` shards, and
`<project>-<component>-adapters` for a component's LoRA adapters."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from llm_hosting.catalog.loader import LoadedCatalog
from llm_hosting.compliance.packs import add_nag_packs
from llm_hosting.endpoints.from_catalog import Target
from llm_hosting.endpoints.inference_components import InferenceComponentEndpoint
from stacks.artifacts import ArtifactsStack
from stacks.endpoint import AdapterStack, ComponentShardStack, EndpointStack
from stacks.plan import plan_stacks

QUALIFIER_CONTEXT = "@aws-cdk/core:bootstrapQualifier"
"""The context key `cdk bootstrap --qualifier` users set; it names the bootstrap roles."""


def build_stacks(scope: Construct, catalog: LoadedCatalog) -> list[cdk.Stack]:
    """Add the catalog's stacks to `scope` (the app, or one stage of the pipeline), with the
    catalog's compliance packs; returns the stacks in deployment order.

    Each stack is named explicitly: inside a Stage, CDK would otherwise name it `<Stage>-<id>`, and a
    stack the pipeline deploys would not be the one `cdk deploy` deployed."""
    spec = catalog.spec
    add_nag_packs(scope, spec.compliance.packs)
    plan = plan_stacks(catalog)
    env = cdk.Environment(account=catalog.account, region=catalog.region) if catalog.account or catalog.region else None
    qualifier = scope.node.try_get_context(QUALIFIER_CONTEXT) or cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER

    artifacts = ArtifactsStack(
        scope,
        plan.artifacts,
        stack_name=plan.artifacts,
        project=spec.project,
        artifacts=spec.artifacts,
        notifications=spec.notifications,
        qualifier=qualifier,
        env=env,
        description=f"{spec.project}: model artifact bucket and key (stateful, retained)",
    )
    stacks: list[cdk.Stack] = [artifacts]
    target = Target(catalog=catalog, store=artifacts.store, alarm_topic=artifacts.alarm_topic)
    for planned in plan.endpoints:
        endpoint = catalog.endpoints[planned.index]
        stack = EndpointStack(
            scope,
            planned.stack_name,
            stack_name=planned.stack_name,
            endpoint=endpoint,
            target=target,
            components=planned.components,
            env=env,
            description=f"{spec.project}: SageMaker {endpoint.type} endpoint {endpoint.name}",
        )
        stack.add_stack_dependency(artifacts)
        group: list[cdk.Stack] = [stack]
        if isinstance(stack.endpoint, InferenceComponentEndpoint):
            for shard in planned.shards:
                group.append(
                    ComponentShardStack(
                        scope,
                        shard.stack_name,
                        stack_name=shard.stack_name,
                        resolved=endpoint,
                        endpoint=stack.endpoint,
                        project=spec.project,
                        shard=shard,
                        env=env,
                        description=(
                            f"{spec.project}: inference components {shard.start + 1}-{shard.stop} of endpoint "
                            f"{endpoint.name}"
                        ),
                    )
                )
            # Every component was added above, in catalog order (the endpoint's stack, then each shard's):
            # the endpoint's list is indexed like the catalog's.
            built = stack.endpoint.components
            for adapters in planned.adapters:
                resolved = endpoint.components[adapters.component]
                group.append(
                    AdapterStack(
                        scope,
                        adapters.stack_name,
                        stack_name=adapters.stack_name,
                        resolved=resolved,
                        base=built[adapters.component],
                        project=spec.project,
                        shard=adapters,
                        env=env,
                        description=(
                            f"{spec.project}: LoRA adapters {adapters.start + 1}-{adapters.stop} on inference "
                            f"component {resolved.name} of endpoint {endpoint.name}"
                        ),
                    )
                )
        for member in group:
            for key, value in endpoint.spec.tags.items():
                cdk.Tags.of(member).add(key, value)
        stacks.extend(group)

    for member in stacks:
        for key, value in spec.tags.items():
            cdk.Tags.of(member).add(key, value)
    return stacks
