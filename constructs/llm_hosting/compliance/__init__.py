"""Security and correctness gates: lint and scanner acknowledgements (each with its reason), cdk-nag."""

from llm_hosting.compliance.acknowledgements import ignore_lint

__all__ = ["ignore_lint"]
