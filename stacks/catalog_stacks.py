"""Catalog -> stacks. Stack names are `<project>-artifacts` and `<project>-<endpoint name>`."""

from __future__ import annotations

import aws_cdk as cdk

from llm_hosting.catalog.loader import LoadedCatalog
from stacks.artifacts import ArtifactsStack
from stacks.endpoint import EndpointStack

QUALIFIER_CONTEXT = "@aws-cdk/core:bootstrapQualifier"
"""The context key `cdk bootstrap --qualifier` users set; it names the bootstrap roles."""


def stack_name(project: str, suffix: str) -> str:
    return f"{project}-{suffix}"


def build_stacks(app: cdk.App, catalog: LoadedCatalog) -> list[cdk.Stack]:
    """Add the catalog's stacks to `app`; returns them in deployment order."""
    spec = catalog.spec
    env = cdk.Environment(account=catalog.account, region=catalog.region) if catalog.account or catalog.region else None

    qualifier = app.node.try_get_context(QUALIFIER_CONTEXT) or cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER
    artifacts = ArtifactsStack(
        app,
        stack_name(spec.project, "artifacts"),
        project=spec.project,
        artifacts=spec.artifacts,
        qualifier=qualifier,
        env=env,
        description=f"{spec.project}: model artifact bucket and key (stateful, retained)",
    )
    stacks: list[cdk.Stack] = [artifacts]
    for endpoint in spec.endpoints:
        stack = EndpointStack(
            app,
            stack_name(spec.project, endpoint.name),
            spec=endpoint,
            catalog=catalog,
            store=artifacts.store,
            env=env,
            description=f"{spec.project}: SageMaker {endpoint.type} endpoint {endpoint.name}",
        )
        stack.add_stack_dependency(artifacts)
        for key, value in endpoint.tags.items():
            cdk.Tags.of(stack).add(key, value)
        stacks.append(stack)

    for stack in stacks:
        for key, value in spec.tags.items():
            cdk.Tags.of(stack).add(key, value)
    return stacks
