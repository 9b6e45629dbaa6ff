"""Rules that relate catalog fields to each other and to AWS facts, on the resolved catalog.

Each check yields `Problem(path, message)`; the message says what is wrong and how to fix it. All
rules run on every load so a user sees every problem at once, not one per attempt. The rules of an
endpoint type live in the module of that type; `ENDPOINT_RULES` is the one table that names them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.resolve import ResolvedEndpoint
from llm_hosting.catalog.rules import inference_components, multi_model, single_model
from llm_hosting.catalog.rules.common import Context, endpoint_basics, environment, unique_names

EndpointRules = Callable[[Context, ResolvedEndpoint], Iterator[Problem]]

ENDPOINT_RULES: Mapping[str, EndpointRules] = {
    "single-model": single_model.check,
    "multi-model": multi_model.check,
    "inference-components": inference_components.check,
}
"""The rules of each endpoint type, by `type`. A type missing here is refused, never checked by another's rules."""


def check_catalog(context: Context) -> list[Problem]:
    """Every cross-field and fact-based problem in an otherwise well-formed catalog."""
    return list(_run(context))


def _run(context: Context) -> Iterator[Problem]:
    yield from environment(context)
    yield from unique_names(context)
    for endpoint in context.endpoints:
        rules = ENDPOINT_RULES.get(endpoint.type)
        if rules is None:
            yield Problem(
                f"{endpoint.at}.type",
                f"'{endpoint.type}' endpoints are not supported yet (supported: "
                f"{', '.join(sorted(ENDPOINT_RULES))}); remove this endpoint or change its type",
            )
            continue
        yield from endpoint_basics(context, endpoint)
        yield from rules(context, endpoint)


__all__ = ["ENDPOINT_RULES", "Context", "check_catalog"]
