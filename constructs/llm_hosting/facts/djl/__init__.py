"""What each DJL Serving engine version loads and accepts, as cited data, and the checks built on it.

Architectures per serving path (`architecture_problem`), serving.properties keys and values
(`property_problems`), LoRA adapters (`adapter_problem`) and the environment-variable form of the
options (`environment_for_properties`). Sources: deepjavalibrary/djl-serving at the refs in
`sources.REFS`.
"""

from llm_hosting.facts.djl.adapters import adapter_problem
from llm_hosting.facts.djl.architectures import (
    Support,
    UnknownEngineVersion,
    architecture_problem,
    first_version_loading,
    path_problem,
    selected_path,
    support,
)
from llm_hosting.facts.djl.coverage import DEFAULT_DJL_ENGINE, DJL_ENGINES, sourced_versions, unsourced_reason
from llm_hosting.facts.djl.environment import (
    environment_configuration_problem,
    environment_for_properties,
    environment_if_possible,
)
from llm_hosting.facts.djl.properties import PropertyProblem, known_property_keys, property_problems

__all__ = [
    "DEFAULT_DJL_ENGINE",
    "DJL_ENGINES",
    "PropertyProblem",
    "Support",
    "UnknownEngineVersion",
    "adapter_problem",
    "architecture_problem",
    "environment_configuration_problem",
    "environment_for_properties",
    "environment_if_possible",
    "first_version_loading",
    "known_property_keys",
    "path_problem",
    "property_problems",
    "selected_path",
    "sourced_versions",
    "support",
    "unsourced_reason",
]
