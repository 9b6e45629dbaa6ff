"""Security and correctness gates: acknowledgments of findings and lint ignores, each with its reason.

The cdk-nag packs themselves are in `llm_hosting.compliance.packs` (only apps that run them need cdk-nag).
"""

from llm_hosting.compliance.acknowledgements import ignore_lint, skip_checkov
from llm_hosting.compliance.nag import acknowledge, acknowledge_shared, acknowledge_wildcards

__all__ = [
    "acknowledge",
    "acknowledge_shared",
    "acknowledge_wildcards",
    "ignore_lint",
    "skip_checkov",
]
