"""Container images for the serving engines: repository, tag per version, and the regions that publish them.

Sources: `aws-facts.md` section C for tags and per-region registry accounts; the SageMaker Python
SDK's `image_uri_config/*.json` for which regions list each version. Where the region list we hold
is smaller than the reference's count for that image, the version is `regions_confirmed=False`:
the list is a safe subset, and a catalog can name the image URI itself (`engine: custom`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

REGISTRY_ACCOUNTS: Mapping[str, str] = {
    **dict.fromkeys(
        (
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "ca-central-1",
            "sa-east-1",
            "eu-central-1",
            "eu-north-1",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-south-1",
            "ap-southeast-1",
            "ap-southeast-2",
        ),
        "763104351884",
    ),
    "af-south-1": "626614931356",
    "ap-east-1": "871362719292",
    "ap-east-2": "975050140332",
    "ap-northeast-3": "364406365360",
    "ap-south-2": "772153158452",
    "ap-southeast-3": "907027046896",
    "ap-southeast-4": "457447274322",
    "ap-southeast-5": "550225433462",
    "ap-southeast-6": "633930458069",
    "ap-southeast-7": "590183813437",
    "ca-west-1": "204538143572",
    "cn-north-1": "727897471807",
    "cn-northwest-1": "727897471807",
    "eu-central-2": "380420809688",
    "eu-south-1": "692866216735",
    "eu-south-2": "503227376785",
    "il-central-1": "780543022126",
    "me-central-1": "914824155844",
    "me-south-1": "217643126080",
    "mx-central-1": "637423239942",
    "us-gov-east-1": "446045086412",
    "us-gov-west-1": "442386744353",
}
"""ECR account that serves the AWS Deep Learning Containers in each region."""

# Region lists, named by the first image that publishes exactly that set.
_CORE_26 = frozenset((
    "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ca-central-1", "ca-west-1",
    "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "il-central-1", "me-south-1", "sa-east-1", "us-east-1",
    "us-east-2", "us-west-1", "us-west-2",
))  # fmt: skip
_NEWER_COMMERCIAL = frozenset((
    "ap-south-2", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "eu-central-2",
    "eu-south-2", "me-central-1", "mx-central-1",
))  # fmt: skip
_GOVCLOUD = frozenset(("us-gov-east-1", "us-gov-west-1"))
_CHINA = frozenset(("cn-north-1", "cn-northwest-1"))

_FASTERTRANSFORMER_34 = _CORE_26 | _NEWER_COMMERCIAL
_LMI_36 = _FASTERTRANSFORMER_34 | _GOVCLOUD
_TENSORRTLLM_28 = _CORE_26 | _GOVCLOUD
_TRITON_35 = _FASTERTRANSFORMER_34 | {"ap-east-2"}
_TRITON_LATEST = _TRITON_35 - _CHINA  # the reference: 34 regions, none in China; we hold 33 of them


@dataclass(frozen=True)
class ContainerImage:
    """One image version: where it lives and how to address it in a region."""

    engine: str
    version: str
    repository: str
    tag: str
    regions: frozenset[str]
    regions_confirmed: bool = True
    cpu_tag: str | None = None

    def registry_host(self, region: str) -> str:
        """`763104351884.dkr.ecr.us-east-1.amazonaws.com` (`.com.cn` in China)."""
        suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        return f"{REGISTRY_ACCOUNTS[region]}.dkr.ecr.{region}.{suffix}"

    def uri(self, region: str, *, gpu: bool = True) -> str:
        if region not in self.regions:
            raise UnknownImageError(
                f"{self.engine} {self.version} ({self.repository}:{self.tag}) is not published in "
                f"{region}; it is in {', '.join(sorted(self.regions))}"
            )
        return f"{self.registry_host(region)}/{self.repository}:{self.tag_for(gpu=gpu)}"

    def tag_for(self, *, gpu: bool) -> str:
        if gpu or self.cpu_tag is None:
            return self.tag
        return self.cpu_tag

    def repository_arn(self, region: str, partition: str = "aws") -> str:
        return f"arn:{partition}:ecr:{region}:{REGISTRY_ACCOUNTS[region]}:repository/{self.repository}"


@dataclass(frozen=True)
class EngineImages:
    engine: str
    repository: str
    versions: Mapping[str, ContainerImage]
    """Newest first."""

    @property
    def latest(self) -> ContainerImage:
        return next(iter(self.versions.values()))


class UnknownImageError(ValueError):
    """An engine, version or region has no image in the catalog of facts."""


def _engine(
    engine: str,
    repository: str,
    versions: Iterable[tuple[str, str, frozenset[str], bool]],
    *,
    cpu_tags: bool = False,
) -> EngineImages:
    images = {
        version: ContainerImage(
            engine=engine,
            version=version,
            repository=repository,
            tag=tag,
            regions=regions,
            regions_confirmed=confirmed,
            cpu_tag=f"{tag}-cpu" if cpu_tags else None,
        )
        for version, tag, regions, confirmed in versions
    }
    return EngineImages(engine=engine, repository=repository, versions=images)


ENGINES: Mapping[str, EngineImages] = {
    "fastertransformer": _engine(
        "fastertransformer",
        "djl-inference",
        [
            ("0.24.0", "0.24.0-fastertransformer5.3.0-cu118", _FASTERTRANSFORMER_34, True),
            ("0.23.0", "0.23.0-fastertransformer5.3.0-cu118", _FASTERTRANSFORMER_34, True),
            ("0.22.1", "0.22.1-fastertransformer5.3.0-cu118", _FASTERTRANSFORMER_34, True),
            ("0.21.0", "0.21.0-fastertransformer5.3.0-cu117", _FASTERTRANSFORMER_34, True),
        ],
    ),
    "lmi": _engine(
        "lmi",
        "djl-inference",
        [
            # The reference counts 44 regions for >= 0.33 (with ISO and EU sovereign regions, whose
            # registries have other host names); we list the 36 commercial/China/GovCloud ones.
            ("0.36.0", "0.36.0-lmi27.0.0-cu130", _LMI_36, False),
            ("0.35.0", "0.35.0-lmi17.0.0-cu128", _LMI_36, False),
            ("0.34.0", "0.34.0-lmi16.0.0-cu128", _LMI_36, False),
            ("0.33.0", "0.33.0-lmi15.0.0-cu128", _LMI_36, False),
            ("0.32.0", "0.32.0-lmi14.0.0-cu126", _LMI_36, True),
            ("0.31.0", "0.31.0-lmi13.0.0-cu124", _LMI_36, True),
            ("0.30.0", "0.30.0-lmi12.0.0-cu124", _LMI_36, True),
            ("0.29.0", "0.29.0-lmi11.0.0-cu124", _LMI_36, True),
            ("0.28.0", "0.28.0-lmi10.0.0-cu124", _LMI_36, True),
        ],
    ),
    "tensorrt-llm": _engine(
        "tensorrt-llm",
        "djl-inference",
        [
            # The reference counts 36 regions; the SDK copy we hold lists 28.
            ("0.33.0", "0.33.0-tensorrtllm0.21.0-cu128", _TENSORRTLLM_28, False),
            ("0.32.0", "0.32.0-tensorrtllm0.12.0-cu125", _TENSORRTLLM_28, False),
            ("0.30.0", "0.30.0-tensorrtllm0.12.0-cu125", _TENSORRTLLM_28, False),
            ("0.29.0", "0.29.0-tensorrtllm0.11.0-cu124", _TENSORRTLLM_28, False),
            ("0.28.0", "0.28.0-tensorrtllm0.9.0-cu122", _TENSORRTLLM_28, False),
            ("0.27.0", "0.27.0-tensorrtllm0.8.0-cu122", _CORE_26, False),
            ("0.26.0", "0.26.0-tensorrtllm0.7.1-cu122", _CORE_26, False),
            ("0.25.0", "0.25.0-tensorrtllm0.5.0-cu122", _CORE_26, False),
        ],
    ),
    "triton": _engine(
        "triton",
        "sagemaker-tritonserver",
        [
            ("26.05", "26.05-py3", _TRITON_LATEST, False),
            ("25.09", "25.09-py3", _TRITON_LATEST, False),
            ("25.04", "25.04-py3", _TRITON_35, True),
            ("24.09", "24.09-py3", _CORE_26, True),
            ("24.05", "24.05-py3", _CORE_26, True),
            ("24.03", "24.03-py3", _CORE_26, True),
            ("24.01", "24.01-py3", _CORE_26, True),
            ("23.12", "23.12-py3", _CORE_26, True),
        ],
        cpu_tags=True,
    ),
}
"""Images per catalog engine name."""


def find_image(engine: str, version: str | None = None) -> ContainerImage:
    """The image for `engine` at `version` (the newest known when `version` is None)."""
    images = ENGINES.get(engine)
    if images is None:
        raise UnknownImageError(f"no images are known for engine '{engine}'; use one of {', '.join(ENGINES)}")
    if version is None:
        return images.latest
    image = images.versions.get(version)
    if image is None:
        raise UnknownImageError(f"{engine} has no image version '{version}'; use one of {', '.join(images.versions)}")
    return image
