"""`ServingImage`, and container image URIs inside a stack: a literal where the region is known, a
mapping lookup otherwise.

Environment-agnostic stacks resolve the registry through one `CfnMapping` on `AWS::Region`, and
each image adds a CloudFormation rule so that deploying to a region where that image is not
published fails up front with a sentence saying so, not with a bare mapping-lookup error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

import aws_cdk as cdk
from constructs import Construct

from llm_hosting.facts.images import (
    REGISTRY_ACCOUNTS,
    REGISTRY_HOSTS,
    ContainerImage,
    UnknownImageError,
    find_image,
)
from llm_hosting.packaging.serving_properties import DJL_ENGINES
from llm_hosting.stack_info import StackInfo, aws_partition, aws_region, stack_info

MAPPING_ID = "ContainerRegistries"


@dataclass(frozen=True)
class ImageReference:
    """An image as a stack sees it: its URI and the ECR repository ARN to grant pulls on."""

    uri: str
    repository_arn: str | None
    """None for custom images, whose registry the library does not manage."""
    repository: str | None = None
    """The repository's name (`djl-inference`): one pull grant covers every image in it."""


@dataclass(frozen=True)
class ServingImage:
    """The container a model runs in: an AWS Deep Learning Container by engine and version, or any URI.

    Engine images (`lmi`, `tensorrt-llm`, `fastertransformer` on DJL Serving; `triton`) resolve to
    the right registry in every region they are published in, also in environment-agnostic stacks,
    and the execution role is granted pulls on exactly their repository. A URI is used as given
    (grant pulls on a private repository yourself).
    """

    image: ContainerImage | None = None
    uri: str | None = None

    @classmethod
    def from_engine(cls, engine: str, version: str | None = None) -> ServingImage:
        """The image of `engine` (`lmi`, `tensorrt-llm`, `fastertransformer`, `triton`) at `version`;
        default: the newest version the library knows."""
        try:
            return cls(image=find_image(engine, version))
        except UnknownImageError as err:
            raise ValueError(str(err)) from None

    @classmethod
    def lmi(cls, version: str | None = None) -> ServingImage:
        """DJL Serving's Large Model Inference image (vLLM, lmi-dist)."""
        return cls.from_engine("lmi", version)

    @classmethod
    def tensorrt_llm(cls, version: str | None = None) -> ServingImage:
        return cls.from_engine("tensorrt-llm", version)

    @classmethod
    def fastertransformer(cls, version: str | None = None) -> ServingImage:
        return cls.from_engine("fastertransformer", version)

    @classmethod
    def triton(cls, version: str | None = None) -> ServingImage:
        """SageMaker's Triton Inference Server image (GPU, or CPU on instance types without GPUs)."""
        return cls.from_engine("triton", version)

    @classmethod
    def from_uri(cls, uri: str) -> ServingImage:
        """Any image, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com/my-server:1.2`."""
        if not uri or any(c.isspace() for c in uri) or len(uri) > 255:
            raise ValueError(f"{uri!r} is not an image URI (at most 255 characters, no spaces)")
        return cls(uri=uri)

    @property
    def engine(self) -> str:
        """The catalog engine name, or `custom` for a URI."""
        return self.image.engine if self.image is not None else "custom"

    @property
    def djl(self) -> bool:
        """Whether DJL Serving runs the model (it reads serving.properties)."""
        return self.engine in DJL_ENGINES

    def __str__(self) -> str:
        return f"{self.engine} {self.image.version}" if self.image is not None else str(self.uri)

    def bind(self, scope: Construct, *, gpu: bool = True) -> ImageReference:
        """The URI for the stack that holds `scope` (and the repository to grant pulls on)."""
        return resolve_image(scope, self.image if self.image is not None else str(self.uri), gpu=gpu)


def _registry_mapping(info: StackInfo) -> tuple[str, str]:
    """(host, account) of the image registry in the stack's region, from the stack's one mapping."""
    found = info.cache.get(MAPPING_ID)
    if found is None:
        mapping = cdk.CfnMapping(
            info.stack,
            MAPPING_ID,
            mapping={
                region: {"Account": account, "Host": REGISTRY_HOSTS[region]}
                for region, account in sorted(REGISTRY_ACCOUNTS.items())
            },
        )
        region = aws_region()
        found = info.cache[MAPPING_ID] = (mapping.find_in_map(region, "Host"), mapping.find_in_map(region, "Account"))
    return cast(tuple[str, str], found)


def _rule_id(image: ContainerImage) -> str:
    slug = re.sub(r"[^A-Za-z0-9]", "", f"{image.engine.title()}{image.version}")
    return f"ImageIn{slug}Regions"


def resolve_image(scope: Construct, image: ContainerImage | str, *, gpu: bool = True) -> ImageReference:
    """The URI of `image` for the stack that holds `scope` (worked out once per stack and image); a
    custom image's URI as it is, with no repository to grant pulls on."""
    if isinstance(image, str):
        return ImageReference(uri=image, repository_arn=None)
    info = stack_info(scope)
    key = ("image", image, gpu)
    reference = info.cache.get(key)
    if reference is None:
        reference = info.cache[key] = _resolve(info, image, gpu)
    return cast(ImageReference, reference)


def _resolve(info: StackInfo, image: ContainerImage, gpu: bool) -> ImageReference:
    tag = image.tag_for(gpu=gpu)
    if info.region_known:
        return ImageReference(
            uri=image.uri(info.region, gpu=gpu),
            repository_arn=image.repository_arn(info.region, info.partition),
            repository=image.repository,
        )

    region = aws_region()
    host, account = _registry_mapping(info)
    rule_id = _rule_id(image)
    if info.cache.get(rule_id) is None:
        info.cache[rule_id] = cdk.CfnRule(
            info.stack,
            rule_id,
            assertions=[
                cdk.CfnRuleAssertion(
                    assert_=cdk.Fn.condition_contains(sorted(image.regions), region),
                    assert_description=(
                        f"The {image.engine} {image.version} image ({image.repository}:{tag}) is not published "
                        "in this region. Deploy to a region that has it, or choose another image version in "
                        "the catalog."
                    ),
                )
            ],
        )
    return ImageReference(
        uri=f"{host}/{image.repository}:{tag}",
        repository_arn=f"arn:{aws_partition()}:ecr:{region}:{account}:repository/{image.repository}",
        repository=image.repository,
    )
