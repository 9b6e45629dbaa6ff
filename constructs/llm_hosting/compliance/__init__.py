"""Security and correctness gates: cdk-nag packs and acknowledgments, lint ignores with reasons."""

from llm_hosting.compliance.acknowledgements import ignore_lint, skip_checkov
from llm_hosting.compliance.nag import PACKS, acknowledge, acknowledge_shared, acknowledge_wildcards, add_nag_packs

__all__ = [
    "PACKS",
    "acknowledge",
    "acknowledge_shared",
    "acknowledge_wildcards",
    "add_nag_packs",
    "ignore_lint",
    "skip_checkov",
]
