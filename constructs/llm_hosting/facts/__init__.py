"""AWS facts the library relies on, as data: instance types and container images per region.

Values come from `shared/reference/aws-facts.md`. Where the reference marks a value UNCONFIRMED the
entry says so (`confirmed=False`) and a catalog can override it; nothing here is fetched at runtime.
"""

from llm_hosting.facts.images import (
    ENGINES,
    REGISTRY_ACCOUNTS,
    ContainerImage,
    UnknownImageError,
    find_image,
)
from llm_hosting.facts.instances import INSTANCE_TYPES, InstanceType

__all__ = [
    "ENGINES",
    "INSTANCE_TYPES",
    "REGISTRY_ACCOUNTS",
    "ContainerImage",
    "InstanceType",
    "UnknownImageError",
    "find_image",
]
