"""`ModelDefinition`: what runs in a container (image, serving code, weights, DJL settings), and the
container it becomes inside a stack: an image URI, a staged model archive and an environment.

A DJL model without serving code gets no archive: its serving options reach the container as
environment variables (`HF_MODEL_ID`, `OPTION_*`, `SERVING_*`; `facts.djl.environment` says which
engine version reads which), so a template diff shows the option that changed. With code, or on an
engine version that cannot take an option that way, the options go into the archive's
serving.properties."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from aws_cdk import aws_kms as kms
from constructs import Construct

from llm_hosting.endpoints.images import ImageReference, ServingImage
from llm_hosting.endpoints.model_archive import StagedArchive, build_model_archive, stage_archive
from llm_hosting.endpoints.settings import DynamicBatching
from llm_hosting.packaging.serving_properties import (
    DjlServing,
    djl_serving,
    read_serving_properties,
    render_properties,
)
from llm_hosting.storage.artifact_store import S3Location

PropertyValue = str | int | float | bool


@dataclass(frozen=True, kw_only=True)
class ModelDefinition:
    """One model: the image it runs in, its serving code, its weights and how DJL Serving runs it."""

    image: ServingImage
    code: str | os.PathLike[str] | None = None
    """A directory packaged into the model archive (`model.tar.gz`, reproducibly), with the DJL settings
    below in its serving.properties. Default: no code and no archive; a DJL model then gets those
    settings as environment variables where its engine version reads each of them (else an archive
    holding only the serving.properties)."""
    weights: str | None = None
    """An S3 prefix (`s3://bucket/prefix/`) the container downloads the weights from; the execution
    role may read it, and DJL Serving is told where it is (`option.s3url` / `option.model_id`)."""
    weights_key: kms.IKey | None = None
    """The KMS key that encrypts the weights, if any: the role may decrypt with it."""
    tensor_parallel_degree: int | None = None
    """DJL Serving: GPUs one copy of the model is split across. Default: the engine's default."""
    batching: DynamicBatching | None = None
    """DJL Serving's dynamic batching. Default: none (one request per call)."""
    serving_properties: Mapping[str, PropertyValue] = field(default_factory=dict)
    """More DJL serving.properties entries, e.g. `{"option.dtype": "fp16"}`."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """The container's own environment variables (beside those a DJL model without code gets)."""

    @property
    def code_dir(self) -> Path | None:
        return Path(self.code).resolve() if self.code is not None else None

    @cached_property
    def _djl(self) -> DjlServing:
        """The code directory's serving.properties, this definition's settings, their merge and its
        environment form (a DJL model's only; read once)."""
        image = self.image.image
        return djl_serving(
            self.image.engine,
            read_serving_properties(self.code_dir),
            tensor_parallel_degree=self.tensor_parallel_degree,
            weights=self.weights,
            batching=self.batching,
            extra=self.serving_properties,
            environment_image=image if self.code is None else None,
        )

    def djl_properties(self) -> tuple[dict[str, str], list[str]]:
        """The serving.properties a DJL model runs with (the code directory's file plus this
        definition's settings), and the problems: a file value that disagrees with a setting here."""
        djl = self._djl
        return dict(djl.properties), [
            f"serving.properties in {self.code} sets {key}={in_file} but the model definition gives {given}; "
            "remove the line from the file or make them agree"
            for key, in_file, given in djl.conflicts
        ]

    @property
    def options_in_environment(self) -> bool:
        """A DJL model without code whose engine version reads each of its serving options from the
        environment: it gets environment variables, not an archive."""
        if not self.image.djl or self.code is not None or self.image.image is None:
            return False
        return self._djl.environment is not None

    def serving_environment(self) -> dict[str, str]:
        """The environment variables that carry a DJL model's serving options (empty when they go into an
        archive instead)."""
        if not self.options_in_environment:
            return {}
        return dict(self._djl.environment or {})

    def container_environment(self) -> dict[str, str]:
        """Everything the container's environment holds: the serving options' variables, then the
        definition's own (which `problems` keeps from repeating one)."""
        return {**self.serving_environment(), **self.environment}

    def _environment_problems(self) -> list[str]:
        serving = self.serving_environment()
        return [
            f"environment {name} is also made from the serving options ({serving[name]}); give the option once, "
            "as a serving property"
            for name in sorted(set(serving) & set(self.environment))
        ]

    def problems(self, *, gpus: int | None, gpu_owner: str) -> list[str]:
        """What cannot work, each with its fix (`gpus`: what tensor parallelism may use, from `gpu_owner`)."""
        problems: list[str] = []
        code_dir = self.code_dir
        if code_dir is not None and not code_dir.is_dir():
            problems.append(f"code {str(self.code)!r} is not a directory; pass the serving code's directory")
        tp = self.tensor_parallel_degree
        if not self.image.djl:
            for name, given in (
                ("tensor_parallel_degree", tp is not None),
                ("batching", self.batching is not None),
                ("serving_properties", bool(self.serving_properties)),
            ):
                if given:
                    problems.append(f"{name} is a DJL Serving setting, but {self.image} does not read it; remove it")
        elif code_dir is None or code_dir.is_dir():
            problems.extend(self.djl_properties()[1])
            problems.extend(self._environment_problems())
        if tp is not None and gpus is not None and tp > gpus:
            problems.append(f"tensor_parallel_degree {tp} needs {tp} GPUs but {gpu_owner}")
        if self.weights is not None:
            try:
                S3Location.parse(self.weights)
            except ValueError:
                problems.append(f"weights {self.weights!r} is not an S3 prefix; use s3://bucket/prefix/")
        return problems

    def weights_location(self) -> S3Location | None:
        if self.weights is None:
            return None
        return S3Location.parse(self.weights, self.weights_key.key_arn if self.weights_key is not None else None)


@dataclass(frozen=True)
class Container:
    """A model definition as one stack sees it."""

    image: ImageReference
    archive: StagedArchive | None
    environment: dict[str, str] | None

    @property
    def model_data_url(self) -> str | None:
        return self.archive.s3_url if self.archive is not None else None


def package(definition: ModelDefinition, *, name: str) -> Path | None:
    """The model archive of `definition`, named after `name` (its endpoint or component); None if it
    needs none (no code). A DJL model's archive carries its serving.properties, the code directory's
    with this definition's settings filled in."""
    if definition.code_dir is None and (not definition.image.djl or definition.options_in_environment):
        return None
    if definition.image.djl:
        properties, _ = definition.djl_properties()
        return build_model_archive(
            name, code_dir=definition.code_dir, replace={"serving.properties": render_properties(properties).encode()}
        )
    return build_model_archive(name, code_dir=definition.code_dir) if definition.code_dir is not None else None


def container(scope: Construct, definition: ModelDefinition, *, name: str, gpu: bool) -> Container:
    """Bind `definition` into the stack of `scope`: its image URI, its staged archive (named after
    `name`, the endpoint or component) and its environment."""
    archive_path = package(definition, name=name)
    return Container(
        image=definition.image.bind(scope, gpu=gpu),
        archive=stage_archive(scope, archive_path) if archive_path is not None else None,
        environment=definition.container_environment() or None,
    )
