"""What onboarding needs to know of a loaded catalog, read in this one module.

Models that read weights, the instance counts a catalog can reach, instance-type facts and image
URIs all come from catalog internals (schema classes, rule helpers, the planner, the image facts)
that are being reshaped into a resolved catalog; `stage` and `check` see only the plain records
below, so rewiring them is a change here alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from llm_hosting.catalog import LoadedCatalog
from llm_hosting.catalog.errors import Loc, format_path
from llm_hosting.catalog.rules import component_endpoint_counts, instance_counts
from llm_hosting.catalog.schema import (
    InferenceComponentEndpointSpec,
    ModelSpec,
    MultiModelEndpointSpec,
    MultiModelSpec,
    SingleModelEndpointSpec,
)
from llm_hosting.facts.images import REGISTRY_ACCOUNTS, UnknownImageError, find_image
from llm_hosting.packaging.serving_properties import DJL_ENGINES, merge_properties, parse_properties
from llm_hosting.planner import PlacementError, required_instances


@dataclass(frozen=True)
class DjlModel:
    """A model served by a DJL engine: the one kind that reads weights from an S3 prefix."""

    loc: Loc
    """Where the model mapping is in the catalog file, e.g. ('endpoints', 0, 'components', 1, 'model')."""
    endpoint: str
    component: str | None
    engine: str
    version: str
    """The image version (the catalog's, or the newest known when it names none)."""
    weights: str | None
    architecture: str | None
    properties: Mapping[str, str] = field(default_factory=dict)
    """The serving.properties the model archive carries (the code directory's file and the catalog's values)."""

    @property
    def at(self) -> str:
        return format_path(self.loc)

    @property
    def name(self) -> str:
        return f"{self.endpoint}/{self.component}" if self.component else self.endpoint


@dataclass(frozen=True)
class InstanceNeed:
    """The most instances of one type an endpoint can run (scaling, managed instance scaling)."""

    endpoint: str
    at: str
    instance_type: str
    max_instances: int


@dataclass(frozen=True)
class ImageNeed:
    """An ECR image an endpoint pulls."""

    at: str
    endpoint: str
    uri: str
    registry: str
    region: str
    repository: str
    tag: str


@dataclass(frozen=True)
class OtherEndpoint:
    """An endpoint without a DJL model (multi-model), by name and type, for messages."""

    name: str
    type: str
    loc: Loc


def djl_models(catalog: LoadedCatalog) -> list[DjlModel]:
    """Every DJL model of the catalog, in catalog order (single-model endpoints and components)."""
    found: list[DjlModel] = []
    for i, endpoint in enumerate(catalog.spec.endpoints):
        models: list[tuple[Loc, str | None, ModelSpec]] = []
        if isinstance(endpoint, SingleModelEndpointSpec):
            models.append((("endpoints", i, "model"), None, endpoint.model))
        elif isinstance(endpoint, InferenceComponentEndpointSpec):
            models.extend(
                (("endpoints", i, "components", j, "model"), c.name, c.model) for j, c in enumerate(endpoint.components)
            )
        for loc, component, model in models:
            if model.engine not in DJL_ENGINES:
                continue
            found.append(
                DjlModel(
                    loc=loc,
                    endpoint=endpoint.name,
                    component=component,
                    engine=model.engine,
                    version=find_image(model.engine, model.version).version,
                    weights=model.weights,
                    architecture=model.architecture,
                    properties=_serving_properties(catalog, model),
                )
            )
    return found


def _serving_properties(catalog: LoadedCatalog, model: ModelSpec) -> dict[str, str]:
    file_props: dict[str, str] = {}
    if model.code is not None:
        path = catalog.resolve(model.code) / "serving.properties"
        if path.is_file():  # the loader has read it already, so it reads
            file_props = parse_properties(path.read_text(encoding="utf-8"))
    merged, _ = merge_properties(file_props, model)
    return merged


def endpoint_kinds(catalog: LoadedCatalog) -> dict[str, OtherEndpoint]:
    """Every endpoint by name, with its type and place (to explain why one takes no weights)."""
    return {e.name: OtherEndpoint(e.name, e.type, ("endpoints", i)) for i, e in enumerate(catalog.spec.endpoints)}


def components_of(catalog: LoadedCatalog, endpoint: str) -> list[str]:
    for e in catalog.spec.endpoints:
        if e.name == endpoint and isinstance(e, InferenceComponentEndpointSpec):
            return [c.name for c in e.components]
    return []


def instance_needs(catalog: LoadedCatalog) -> list[InstanceNeed]:
    """Per endpoint, the most instances it can reach: `instance_count.max`, and for an
    inference-component endpoint what the planner needs for every component's maximum copies,
    bounded by that maximum (managed instance scaling stops there)."""
    needs: list[InstanceNeed] = []
    for i, endpoint in enumerate(catalog.spec.endpoints):
        at = f"endpoints[{i}].instance_count"
        if isinstance(endpoint, InferenceComponentEndpointSpec):
            instance = catalog.instance(endpoint.instance_type)
            bound = component_endpoint_counts(endpoint, instance).max
            try:
                planned = required_instances(endpoint, instance, copies="max").instance_count
            except PlacementError:  # the loader reports a copy that fits no instance; it cannot load then
                planned = bound
            count = min(planned, bound)
        else:
            count = instance_counts(endpoint.instance_count).max
        needs.append(InstanceNeed(endpoint.name, at, endpoint.instance_type, count))
    return needs


_ECR_URI = re.compile(
    r"^(?P<registry>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<repository>[^:@]+):(?P<tag>[\w.-]+)$"
)


def images(catalog: LoadedCatalog, region: str) -> tuple[list[ImageNeed], list[tuple[str, str]]]:
    """The ECR images the catalog's endpoints pull in `region`, and (field path, problem) for those
    the facts say are not published there. Custom images outside ECR are left out."""
    needs: list[ImageNeed] = []
    problems: list[tuple[str, str]] = []
    for i, endpoint in enumerate(catalog.spec.endpoints):
        gpu = catalog.instance(endpoint.instance_type).gpus > 0
        models: list[tuple[str, ModelSpec | MultiModelSpec]] = []
        if isinstance(endpoint, SingleModelEndpointSpec | MultiModelEndpointSpec):
            models.append((f"endpoints[{i}].model", endpoint.model))
        else:
            models.extend((f"endpoints[{i}].components[{j}].model", c.model) for j, c in enumerate(endpoint.components))
        for at, model in models:
            if model.engine == "custom":
                match = _ECR_URI.match(model.image or "")
                if match:
                    needs.append(ImageNeed(f"{at}.image", endpoint.name, model.image or "", **match.groupdict()))
                continue
            try:
                image = find_image(model.engine, model.version)
                uri = image.uri(region, gpu=gpu)
            except UnknownImageError as err:
                problems.append((f"{at}.version", str(err)))
                continue
            needs.append(
                ImageNeed(
                    at=f"{at}.version",
                    endpoint=endpoint.name,
                    uri=uri,
                    registry=REGISTRY_ACCOUNTS[region],
                    region=region,
                    repository=image.repository,
                    tag=image.tag_for(gpu=gpu),
                )
            )
    return needs, problems
