"""The apps `peer_bench.py` synthesizes, written from one list of endpoints so they stay equivalent.

`single_model_endpoints(N)` is the list; from it come this project's catalog (`project_catalog`) and
the peer's app input (`peer_spec`, read by `apps/peer_app.py`). `write_app` lays out an app's folder
(its cdk.json with the project's feature flags, its script and data); `endpoint_facts` reads back,
from either app's cloud assembly, what each endpoint serves, to check the two said the same thing.
Plain Python: no CDK, no jsii.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from llm_hosting.facts.images import ENGINES

ROOT = Path(__file__).resolve().parent.parent
APPS = Path(__file__).resolve().parent / "apps"

INSTANCE_TYPE = "ml.g5.2xlarge"
"""One A10G: an LMI model of up to ~7B parameters in fp16 on one GPU; the peer knows the type."""
ENGINE, ENGINE_VERSION = "lmi", "0.32.0"
INSTANCE_COUNT = {"initial": 1, "min": 1, "max": 2}
"""The peer always adds scaling, between `min_capacity` (default 1) and `max_capacity` (default 2):
the project's endpoints get the same range, so both make a scalable target and its policies."""
STARTUP = {"download_timeout_s": 600, "health_check_timeout_s": 600}
"""The peer's defaults (`modelDataDownloadTimeoutInSeconds`, `startupHealthCheckTimeoutInSeconds`)."""
PROJECT_SCALING = {"invocations_per_instance": 100}
"""The project needs a target for its scaling; the peer's is fixed (step scaling on the backlog)."""

PEER_RESOURCES_PER_ENDPOINT = 11
"""What one `CustomSageMakerEndpoint` makes (0.1.320): a role and its policy, the model, endpoint
config and endpoint, a scalable target and its role, and two step-scaling policies each with an
alarm. Counted from its synthesized template."""
TEMPLATE_RESOURCE_LIMIT = 500
PEER_ENDPOINTS_PER_STACK = (TEMPLATE_RESOURCE_LIMIT - 1) // PEER_RESOURCES_PER_ENDPOINT
"""The peer puts everything in the stack it is given, so its app fills each stack as far as
CloudFormation allows (one resource is the stack's CDKMetadata): 45 endpoints, 3 stacks for 100."""


@dataclass(frozen=True)
class Endpoint:
    """One single-model endpoint, as both apps are told to make it."""

    name: str
    instance_type: str
    image_repository: str
    image_tag: str
    weights: str
    initial: int
    min: int
    max: int
    download_timeout_s: int
    health_check_timeout_s: int


def single_model_endpoints(count: int) -> list[Endpoint]:
    """`count` LMI endpoints, one model each, weights from their own S3 prefix, no code of their own."""
    image = ENGINES[ENGINE].versions[ENGINE_VERSION]
    width = max(3, len(str(count - 1)))
    return [
        Endpoint(
            name=f"llm-{i:0{width}d}",
            instance_type=INSTANCE_TYPE,
            image_repository=image.repository,
            image_tag=image.tag,
            weights=f"s3://example-weights/llm-{i:0{width}d}/",
            **INSTANCE_COUNT,
            **STARTUP,
        )
        for i in range(count)
    ]


def default_catalog() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "catalog.yaml").read_text(encoding="utf-8"))
    return loaded


def catalog_settings(catalog: Mapping[str, Any]) -> dict[str, Any]:
    """A catalog's project settings: everything but its endpoints."""
    return {key: value for key, value in catalog.items() if key != "endpoints"}


def project_catalog(endpoints: list[Endpoint]) -> dict[str, Any]:
    """The endpoints as this project's catalog, with the default catalog's project settings."""
    return {
        **catalog_settings(default_catalog()),
        "endpoints": [
            {
                "name": endpoint.name,
                "type": "single-model",
                "instance_type": endpoint.instance_type,
                "instance_count": {"initial": endpoint.initial, "min": endpoint.min, "max": endpoint.max},
                "startup": {
                    "download_timeout_s": endpoint.download_timeout_s,
                    "health_check_timeout_s": endpoint.health_check_timeout_s,
                },
                "model": {"engine": ENGINE, "version": ENGINE_VERSION, "weights": endpoint.weights},
                "scaling": dict(PROJECT_SCALING),
            }
            for endpoint in endpoints
        ],
    }


def peer_spec(endpoints: list[Endpoint]) -> dict[str, Any]:
    """What `apps/peer_app.py` reads: the endpoints and how many go in one stack."""
    return {
        "project": default_catalog()["project"],
        "endpoints_per_stack": PEER_ENDPOINTS_PER_STACK,
        "endpoints": [asdict(endpoint) for endpoint in endpoints],
    }


def cdk_context(**extra: Any) -> dict[str, Any]:
    """The project's cdk.json context (its feature flags) without its default catalog, plus `extra`."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    context.pop("catalog", None)
    return {**context, **extra}


def write_app(directory: Path, app: str, context: Mapping[str, Any], files: Mapping[str, str | bytes] = ()) -> Path:
    """An app's folder: cdk.json (`app` and `context`) and `files` by name (text or bytes)."""
    directory.mkdir(parents=True, exist_ok=True)
    document = {"app": app, "context": dict(context)}
    (directory / "cdk.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    for name, content in dict(files).items():
        target = directory / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return directory


def app_script(name: str) -> str:
    """The text of one of the standalone apps in benchmarks/apps/."""
    return (APPS / name).read_text(encoding="utf-8")


def write_catalog(path: Path, catalog: Mapping[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(dict(catalog), sort_keys=False), encoding="utf-8")
    return path


# --- reading back what each endpoint serves -----------------------------------------------------


@dataclass(frozen=True)
class EndpointFacts:
    """What a synthesized endpoint serves, in terms both apps' templates can be read in."""

    instance_type: str
    image: str
    """repository:tag, the literal end of the image URI (the registry host is per region)."""
    weights: str
    initial: int
    min: int | None
    max: int | None
    download_timeout_s: int | None
    health_check_timeout_s: int | None


def _referenced(value: Any) -> Iterator[str]:
    """Logical IDs named by Ref / Fn::GetAtt anywhere in `value`."""
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            yield value["Fn::GetAtt"][0]
        for item in value.values():
            yield from _referenced(item)
    elif isinstance(value, list):
        for item in value:
            yield from _referenced(item)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


_IMAGE_TAIL = re.compile(r"/([\w.-]+:[\w.-]+)$")
"""The literal end of an image URI joined from tokens: `/repository:tag`."""


def _weights(container: Mapping[str, Any]) -> str:
    """The S3 prefix the model's weights come from: the peer names it in ModelDataSource; this
    project, whose models have no code and so no archive, in the container's `HF_MODEL_ID` (what DJL
    reads as `option.model_id`)."""
    source = container.get("ModelDataSource", {}).get("S3DataSource", {})
    if "S3Uri" in source:
        return str(source["S3Uri"])
    model_id = container.get("Environment", {}).get("HF_MODEL_ID")
    return model_id if isinstance(model_id, str) else "?"


def endpoint_facts(outdir: Path) -> dict[str, EndpointFacts]:
    """Every SageMaker endpoint in a cloud assembly by name, with what it serves and how it scales."""
    facts: dict[str, EndpointFacts] = {}
    for template_path in sorted(outdir.glob("*.template.json")):
        resources: dict[str, Any] = json.loads(template_path.read_text(encoding="utf-8")).get("Resources", {})
        targets = {
            logical_id: res["Properties"]
            for logical_id, res in resources.items()
            if res["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
        }
        for logical_id, res in resources.items():
            if res["Type"] != "AWS::SageMaker::Endpoint":
                continue
            props = res["Properties"]
            name = props["EndpointName"]
            config = resources[next(_referenced(props["EndpointConfigName"]))]["Properties"]
            variant = config["ProductionVariants"][0]
            container = resources[next(_referenced(variant["ModelName"]))]["Properties"]["PrimaryContainer"]
            tails = [
                match.group(1) for text in _strings(container["Image"]) for match in [_IMAGE_TAIL.search(text)] if match
            ]
            image = tails[-1] if tails else "?"
            scaling = next(
                (
                    target
                    for target in targets.values()
                    if logical_id in set(_referenced(target["ResourceId"]))
                    or target["ResourceId"] == f"endpoint/{name}/variant/{variant['VariantName']}"
                ),
                {},
            )
            facts[name] = EndpointFacts(
                instance_type=variant["InstanceType"],
                image=image,
                weights=_weights(container),
                initial=variant["InitialInstanceCount"],
                min=scaling.get("MinCapacity"),
                max=scaling.get("MaxCapacity"),
                download_timeout_s=variant.get("ModelDataDownloadTimeoutInSeconds"),
                health_check_timeout_s=variant.get("ContainerStartupHealthCheckTimeoutInSeconds"),
            )
    return facts


def expected_facts(endpoints: list[Endpoint]) -> dict[str, EndpointFacts]:
    """What `endpoint_facts` should read back for `endpoints` from either app."""
    return {
        e.name: EndpointFacts(
            instance_type=e.instance_type,
            image=f"{e.image_repository}:{e.image_tag}",
            weights=e.weights,
            initial=e.initial,
            min=e.min,
            max=e.max,
            download_timeout_s=e.download_timeout_s,
            health_check_timeout_s=e.health_check_timeout_s,
        )
        for e in endpoints
    }


def facts_differences(
    label: str, found: Mapping[str, EndpointFacts], expected: Mapping[str, EndpointFacts]
) -> list[str]:
    """One line per endpoint that is missing, extra or different from what it was told to be."""
    lines = [f"{label}: endpoint {name} is missing" for name in sorted(set(expected) - set(found))]
    lines += [f"{label}: endpoint {name} was not asked for" for name in sorted(set(found) - set(expected))]
    for name in sorted(set(found) & set(expected)):
        if found[name] != expected[name]:
            have, want = asdict(found[name]), asdict(expected[name])
            fields = ", ".join(
                f"{key} {have[key]!r} (expected {want[key]!r})" for key in have if have[key] != want[key]
            )
            lines.append(f"{label}: endpoint {name}: {fields}")
    return lines
