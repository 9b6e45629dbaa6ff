"""Rules for what runs in a container: engine image, weights, serving code and DJL serving.properties."""

from __future__ import annotations

from collections.abc import Iterator

from llm_hosting.catalog.errors import Problem
from llm_hosting.catalog.resolve import ResolvedModel
from llm_hosting.catalog.rules.common import MODEL_ENV_MAX_ENTRIES, Context, environment_size
from llm_hosting.catalog.schema import ModelSpec, MultiModelSpec
from llm_hosting.endpoints.settings import COMPONENT_ENV_MAX_ENTRIES
from llm_hosting.facts.djl import architecture_problem, path_problem, property_problems, unsourced_reason
from llm_hosting.facts.images import REGISTRY_ACCOUNTS, ContainerImage, UnknownImageError, find_image
from llm_hosting.packaging.serving_properties import DJL_ENGINES, DjlServing


def image(context: Context, at: str, spec: ModelSpec | MultiModelSpec) -> Iterator[Problem]:
    """An engine image that exists (in the catalog's region, if it names one), or a custom image's URI."""
    if spec.engine == "custom":
        if spec.image is None:
            yield Problem(f"{at}.image", "engine: custom needs the container image URI; add image")
        if isinstance(spec, ModelSpec) and spec.version is not None:
            yield Problem(f"{at}.version", "engine: custom takes its version from the image tag; remove version")
        return
    if spec.image is not None:
        yield Problem(f"{at}.image", "only engine: custom takes an image; remove it or use engine: custom")
    try:
        found = find_image(spec.engine, spec.version)
    except UnknownImageError as err:
        yield Problem(f"{at}.version", f"{err}")
        return
    region = context.region
    if region in REGISTRY_ACCOUNTS and region not in found.regions:
        yield Problem(
            f"{at}.version",
            f"{spec.engine} {found.version} is not published in {region}; choose another version, region, or "
            "engine: custom with your own image",
        )


def model(
    context: Context, model: ResolvedModel, *, gpus: int | None, gpu_owner: str, component: bool
) -> Iterator[Problem]:
    """A single-model endpoint's or a component's model (`gpus`: what its tensor parallelism may use)."""
    at, spec = model.at, model.spec
    if not isinstance(spec, ModelSpec):
        raise TypeError(f"{at}: a multi-model endpoint's model has its own rules")
    yield from image(context, at, spec)

    djl = spec.engine in DJL_ENGINES
    if spec.weights is not None and not djl:
        yield Problem(
            f"{at}.weights",
            f"engine {spec.engine} does not read weights from S3 itself; package them under `code` instead",
        )
    if spec.weights_kms_key_arn is not None and spec.weights is None:
        yield Problem(
            f"{at}.weights_kms_key_arn", "names the key of weights that are not given; add weights or remove it"
        )
    if spec.batching is not None and not djl:
        yield Problem(
            f"{at}.batching",
            f"dynamic batching is a DJL Serving setting; engine {spec.engine} does not read it, remove it",
        )
    if spec.properties and not djl:
        yield Problem(
            f"{at}.properties",
            f"serving.properties is read by DJL Serving only, not by engine {spec.engine}; remove it",
        )
    if djl and spec.code is None and spec.weights is None:
        yield Problem(f"{at}", "names neither code nor weights; add weights (an S3 prefix) or code (a directory)")
    if spec.engine == "triton" and spec.code is None:
        yield Problem(f"{at}.code", "a Triton model needs its model repository; add code: <directory>")

    tp = spec.tensor_parallel_degree
    if tp is not None and gpus is not None and tp > gpus:
        yield Problem(f"{at}.tensor_parallel_degree", f"{tp} needs {tp} GPUs but {gpu_owner}")
    if tp is not None and not djl:
        yield Problem(
            f"{at}.tensor_parallel_degree",
            f"is a DJL Serving setting; engine {spec.engine} does not read it, remove it",
        )

    if spec.code is not None:
        yield from code(model, spec)
    yield from engine_facts(context, model, spec)
    limit = COMPONENT_ENV_MAX_ENTRIES if component else MODEL_ENV_MAX_ENTRIES
    serving = model.serving_environment()
    for name in sorted(set(serving) & set(spec.environment)):
        yield Problem(
            f"{at}.environment.{name}",
            f"is also made from the serving options ({serving[name]}); give the option once, under properties",
        )
    yield from environment_size(f"{at}.environment", {**serving, **spec.environment}, limit, made=len(serving))


def code(model: ResolvedModel, spec: ModelSpec) -> Iterator[Problem]:
    """The code directory exists, and its serving.properties agrees with what the catalog fills in."""
    at, directory = model.at, model.code_dir
    if directory is None or not directory.is_dir():
        yield Problem(
            f"{at}.code",
            f"'{spec.code}' is not a directory (looked in {directory}); paths are relative to the catalog file",
        )
        return
    djl = model.djl
    if djl is None:
        return  # not a DJL model
    props_file = directory / "serving.properties"
    if isinstance(djl, str):
        yield Problem(f"{at}.code", djl)
        return
    for key, in_file, in_catalog in djl.conflicts:
        yield Problem(
            at,
            f"{props_file.name} in {spec.code} sets {key}={in_file} but the catalog gives {in_catalog}; remove "
            "the line from the file (the catalog fills it in) or make them agree",
        )


def engine_facts(context: Context, model: ResolvedModel, spec: ModelSpec) -> Iterator[Problem]:
    """What the DJL engine version reads and loads (facts/djl): every serving.properties key and value,
    and the model's architecture on the path those properties select."""
    image = model.image
    if spec.engine not in DJL_ENGINES or not isinstance(image, ContainerImage):
        return
    at = model.at
    for key in sorted(set(spec.properties) & set(spec.unchecked_properties)):
        yield Problem(
            f"{at}.unchecked_properties.{key}",
            f"is also under properties; give {key} once (under properties to have it checked)",
        )
    djl = model.djl
    if not isinstance(djl, DjlServing):
        return  # a file that cannot be read: reported by `code`
    file_props, merged = djl.file, djl.properties
    unsourced = unsourced_reason(spec.engine, image.version)
    if unsourced is not None:
        context.not_checked(f"{at}.version", unsourced)
        return
    checked = {k: v for k, v in merged.items() if k not in spec.unchecked_properties}
    refused_properties = property_problems(spec.engine, image.version, checked)
    for found in refused_properties:
        if found.key in spec.properties:
            yield Problem(f"{at}.properties.{found.key}", found.message)
        elif found.key in file_props:
            yield Problem(f"{at}.code", f"serving.properties in {spec.code}: {found.message}")
        else:
            yield Problem(at, found.message)
    for key in sorted(spec.unchecked_properties):
        context.not_checked(f"{at}.unchecked_properties.{key}", f"{key} is passed on to DJL Serving as given")
    if refused_properties:
        return  # a refused key or value may be what selects the serving path: fix those first
    no_path = path_problem(spec.engine, image.version, merged)
    if no_path is not None:
        yield Problem(f"{at}.code" if "engine" in file_props else at, no_path)
        return
    if spec.architecture is None:
        context.not_checked(
            f"{at}.architecture",
            f"whether {spec.engine} {image.version} loads the model; give the model_type from its config.json as "
            "architecture",
        )
        return
    refused = architecture_problem(spec.engine, image.version, spec.architecture, properties=merged)
    if refused is not None:
        yield Problem(f"{at}.architecture", refused)
