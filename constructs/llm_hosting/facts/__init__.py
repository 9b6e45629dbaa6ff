"""AWS facts the library relies on, as data: instance types and container images per region.

Image versions, registries and GPU figures are generated from the SageMaker Python SDK's own data
(`make facts`, see `tools/generate_facts.py`); what the SDK lacks is typed by hand from
`shared/reference/aws-facts.md`, and a row without a stored primary source says so
(`confirmed=False`) so a catalog can override it. Nothing here is fetched at runtime.
"""

from llm_hosting.facts.images import (
    ENGINES,
    REGISTRY_ACCOUNTS,
    REGISTRY_HOSTS,
    ContainerImage,
    UnknownImageError,
    find_image,
)
from llm_hosting.facts.instances import INSTANCE_TYPE_SOURCES, INSTANCE_TYPES, InstanceType

__all__ = [
    "ENGINES",
    "INSTANCE_TYPES",
    "INSTANCE_TYPE_SOURCES",
    "REGISTRY_ACCOUNTS",
    "REGISTRY_HOSTS",
    "ContainerImage",
    "InstanceType",
    "UnknownImageError",
    "find_image",
]
