"""Change review: what deploying one synthesized cloud assembly over another adds, removes, replaces
and modifies, per stack, and which of those changes are risky (`python -m llm_hosting review`).
"""

from llm_hosting.review.assemblies import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_RISKY,
    Review,
    ReviewInputError,
    load_stacks,
    review_assemblies,
)
from llm_hosting.review.diff import AssemblyChange, PropertyChange, ResourceChange, StackChange, compare_assemblies
from llm_hosting.review.replacement import TypeRules, type_rules
from llm_hosting.review.report import render_json, render_text
from llm_hosting.review.rules import RULES, Finding, Rule, find_risks

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_RISKY",
    "RULES",
    "AssemblyChange",
    "Finding",
    "PropertyChange",
    "ResourceChange",
    "Review",
    "ReviewInputError",
    "Rule",
    "StackChange",
    "TypeRules",
    "compare_assemblies",
    "find_risks",
    "load_stacks",
    "render_json",
    "render_text",
    "review_assemblies",
    "type_rules",
]
