"""What onboarding needs to know of a loaded catalog, read in this one module.

Models that read weights, the instance counts a catalog can reach, instance-type facts and image
URIs all come from the resolved catalog (`catalog.resolve`); `stage` and `check` see only the plain
records below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from llm_hosting.catalog import LoadedCatalog
from llm_hosting.catalog.errors import Loc, format_path
from llm_hosting.catalog.resolve import ResolvedModel
from llm_hosting.catalog.schema import ModelSpec
from llm_hosting.facts.images import REGISTRY_ACCOUNTS, ContainerImage, UnknownImageError, find_image
from llm_hosting.packaging.serving_properties import DJL_ENGINES


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


def djl_models(catalog: LoadedCatalog) -> list[DjlModel]:
    """Every DJL model of the catalog, in catalog order (single-model endpoints and components)."""
    found: list[DjlModel] = []
    for endpoint in catalog.endpoints:
        models: list[tuple[ResolvedModel, str | None]] = [(c.model, c.name) for c in endpoint.components]
        if endpoint.model is not None:
            models.insert(0, (endpoint.model, None))
        for model, component in models:
            spec, image = model.spec, model.image
            if (
                not isinstance(spec, ModelSpec)
                or spec.engine not in DJL_ENGINES
                or not isinstance(image, ContainerImage)
            ):
                continue
            found.append(
                DjlModel(
                    loc=_loc(model.at),
                    endpoint=endpoint.name,
                    component=component,
                    engine=spec.engine,
                    version=image.version,
                    weights=spec.weights,
                    architecture=spec.architecture,
                    properties=model.serving_properties(),
                )
            )
    return found


def _loc(at: str) -> Loc:
    """`endpoints[0].components[1].model` -> ('endpoints', 0, 'components', 1, 'model')."""
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", at))


def instance_needs(catalog: LoadedCatalog) -> list[InstanceNeed]:
    """Per endpoint, the most instances it can reach: `instance_count.max`, and for an
    inference-component endpoint what the planner needs for every component's maximum copies,
    bounded by that maximum (managed instance scaling stops there)."""
    return [
        InstanceNeed(e.name, f"{e.at}.instance_count", e.spec.instance_type, e.reachable_instances)
        for e in catalog.endpoints
    ]


_ECR_URI = re.compile(
    r"^(?P<registry>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<repository>[^:@]+):(?P<tag>[\w.-]+)$"
)


def images(catalog: LoadedCatalog, region: str) -> tuple[list[ImageNeed], list[tuple[str, str]]]:
    """The ECR images the catalog's endpoints pull in `region`, and (field path, problem) for those
    the facts say are not published there. Custom images outside ECR are left out."""
    needs: list[ImageNeed] = []
    problems: list[tuple[str, str]] = []
    for endpoint in catalog.endpoints:
        gpu = endpoint.instance is not None and endpoint.instance.gpus > 0
        resolved = [endpoint.model] if endpoint.model is not None else [c.model for c in endpoint.components]
        for found in resolved:
            at, model, image = found.at, found.spec, found.image
            if model.engine == "custom":
                match = _ECR_URI.match(model.image or "")
                if match:
                    needs.append(ImageNeed(f"{at}.image", endpoint.name, model.image or "", **match.groupdict()))
                continue
            try:
                if not isinstance(image, ContainerImage):  # not resolved: find_image says why
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
