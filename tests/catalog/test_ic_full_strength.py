"""Inference components at full strength, at their limits: instance pools, provisioning timeout, capacity
reservations, scale-in, scheduling, per-type reservations and adapters are accepted exactly at each limit
(botocore's sagemaker model; DJL's adapter facts) and reach the resolved catalog and the construct
settings as given; each mistake past a limit is one line naming the field and the fix (the corpus in
tests/bad_catalogs pins the exact text one past each limit)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from llm_hosting.catalog import LoadedCatalog, settings as catalog_settings
from llm_hosting.catalog.resolve import ResolvedCompute, ResolvedEndpoint
from llm_hosting.catalog.schema import InferenceComponentEndpointSpec
from llm_hosting.endpoints.from_catalog import Target, production_variant
from llm_hosting.endpoints.settings import ScaleInPolicy, Scheduling
from llm_hosting.storage.artifact_store import ArtifactStore
from tests.catalog.helpers import errors, load
from tests.synth import ROOT, cdk_json_context

ADAPTER = {"name": "code-assist-acme", "weights": "s3://example-weights/adapters/acme.tar.gz"}
BASE_COMPONENT: dict[str, Any] = {
    "name": "code-assist-base",
    "model": {
        "engine": "lmi",
        "version": "0.32.0",
        "architecture": "llama",
        "weights": "s3://example-weights/codellama-7b/",
        "tensor_parallel_degree": 1,
        "properties": {"option.rolling_batch": "vllm", "option.enable_lora": "true"},
    },
    "memory_mb": 32768,
    "cpu_cores": 4,
    "copies": {"initial": 1, "min": 1, "max": 2},
    "scaling": {"invocations_per_copy": 10},
    "adapters": [ADAPTER],
}
TRITON_CODE = str(ROOT / "model_artifacts" / "triton" / "embeddings")
RESERVATION_HEAD = "arn:aws:sagemaker:us-east-1:123456789012:training-plan/"


def ic_catalog(*, component: dict[str, Any] | None = None, **endpoint_fields: Any) -> dict[str, Any]:
    """One inference-component endpoint on ml.g5.12xlarge (4 GPUs, 48 vCPUs, 192 GiB) with one base
    component and one adapter; `endpoint_fields` and `component` replace fields of each."""
    return {
        "project": "demo",
        "endpoints": [
            {
                "name": "code-assist",
                "type": "inference-components",
                "instance_type": "ml.g5.12xlarge",
                "instance_count": {"initial": 1, "min": 1, "max": 2},
                **endpoint_fields,
                "components": [{**copy.deepcopy(BASE_COMPONENT), **(component or {})}],
            }
        ],
    }


def with_model(**changes: Any) -> dict[str, Any]:
    """The base component with its model's fields changed."""
    return {"model": {**copy.deepcopy(BASE_COMPONENT["model"]), **changes}}


def the_endpoint(loaded: LoadedCatalog) -> tuple[ResolvedEndpoint, InferenceComponentEndpointSpec]:
    (endpoint,) = loaded.endpoints
    return endpoint, endpoint.spec_as(InferenceComponentEndpointSpec)


@pytest.fixture(scope="module")
def store() -> ArtifactStore:
    """A real artifact store in a stack: what `production_variant` reads for an EBS volume's key."""
    return ArtifactStore(cdk.Stack(cdk.App(context=cdk_json_context()), "Artifacts"), "Store")


# --- the variant: instance pools, provisioning timeout, capacity reservation ------------------------


@pytest.mark.parametrize("timeout", [300, 3600])
def test_a_provision_timeout_at_either_limit_reaches_the_variant(
    tmp_path: Path, store: ArtifactStore, timeout: int
) -> None:
    loaded = load(tmp_path, ic_catalog(instance_pools=["ml.g6.12xlarge"], provision_timeout_s=timeout))
    endpoint, spec = the_endpoint(loaded)
    variant = production_variant(endpoint, Target(catalog=loaded, store=store))
    assert (spec.provision_timeout_s, variant.problems()) == (timeout, [])
    assert variant.property().variant_instance_provision_timeout_in_seconds == timeout


def test_four_fallback_types_make_five_pools_in_priority_order(tmp_path: Path, store: ArtifactStore) -> None:
    fallbacks = ["ml.g6.12xlarge", "ml.g5.24xlarge", "ml.g6.24xlarge", "ml.g6e.12xlarge"]
    loaded = load(tmp_path, ic_catalog(instance_pools=fallbacks))
    endpoint, _ = the_endpoint(loaded)
    assert [name for name, _ in endpoint.pools] == ["ml.g5.12xlarge", *fallbacks]
    assert all(facts is not None for _, facts in endpoint.pools)
    variant = production_variant(endpoint, Target(catalog=loaded, store=store))
    assert variant.problems() == []
    rendered = variant.property()
    assert rendered.instance_type is None  # the pools name the types
    assert [(p.priority, p.instance_type) for p in rendered.instance_pools] == list(
        enumerate(["ml.g5.12xlarge", *fallbacks], start=1)
    )


def test_one_fallback_type_makes_two_pools(tmp_path: Path, store: ArtifactStore) -> None:
    loaded = load(tmp_path, ic_catalog(instance_pools=["ml.g6.12xlarge"]))
    endpoint, _ = the_endpoint(loaded)
    rendered = production_variant(endpoint, Target(catalog=loaded, store=store)).property()
    assert [(p.priority, p.instance_type) for p in rendered.instance_pools] == [
        (1, "ml.g5.12xlarge"),
        (2, "ml.g6.12xlarge"),
    ]


def test_without_pools_the_variant_names_its_one_type(tmp_path: Path, store: ArtifactStore) -> None:
    loaded = load(tmp_path, ic_catalog())
    endpoint, _ = the_endpoint(loaded)
    rendered = production_variant(endpoint, Target(catalog=loaded, store=store)).property()
    assert (rendered.instance_type, rendered.instance_pools) == ("ml.g5.12xlarge", None)
    assert endpoint.pools == (("ml.g5.12xlarge", loaded.instance_types["ml.g5.12xlarge"]),)


def test_a_reservation_arn_of_exactly_258_characters_reaches_the_variant(tmp_path: Path, store: ArtifactStore) -> None:
    arn = RESERVATION_HEAD + "p" * (258 - len(RESERVATION_HEAD))
    loaded = load(tmp_path, ic_catalog(capacity_reservation=arn))
    endpoint, spec = the_endpoint(loaded)
    assert spec.capacity_reservation == arn and len(arn) == 258
    config = production_variant(endpoint, Target(catalog=loaded, store=store)).property().capacity_reservation_config
    assert (config.capacity_reservation_preference, config.ml_reservation_arn) == ("capacity-reservations-only", arn)


def test_the_shortest_reservation_arn_the_pattern_allows_is_accepted(tmp_path: Path) -> None:
    # botocore's MlReservationArn allows 20-258 characters, but its pattern (one-character resource, empty
    # region) already needs 35: the length floor never binds, so the shortest valid ARN is the limit.
    arn = "arn:aws:sagemaker::123456789012:a/b"
    assert len(arn) == 35
    (_, spec) = the_endpoint(load(tmp_path, ic_catalog(capacity_reservation=arn)))
    assert spec.capacity_reservation == arn


# --- managed instance scaling: scale-in ------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"), [("cooldown_minutes", 5), ("cooldown_minutes", 1440), ("max_step", 1), ("max_step", 100)]
)
def test_consolidation_settings_at_either_limit_reach_the_construct(tmp_path: Path, field: str, value: int) -> None:
    scale_in = {"strategy": "consolidation", field: value}
    (_, spec) = the_endpoint(load(tmp_path, ic_catalog(instance_scaling={"scale_in": scale_in})))
    assert catalog_settings.scale_in(spec.instance_scaling) == ScaleInPolicy(strategy="consolidation", **{field: value})


def test_idle_release_alone_reaches_the_construct_with_sagemakers_defaults(tmp_path: Path) -> None:
    (_, spec) = the_endpoint(load(tmp_path, ic_catalog(instance_scaling={"scale_in": {"strategy": "idle-release"}})))
    assert catalog_settings.scale_in(spec.instance_scaling) == ScaleInPolicy(strategy="idle-release")


# --- scheduling and data caching ---------------------------------------------------------------------


@pytest.mark.parametrize("imbalance", [0, 100])
def test_a_zone_imbalance_at_either_limit_reaches_the_construct(tmp_path: Path, imbalance: int) -> None:
    scheduling = {"placement": "binpack", "az_max_imbalance": imbalance}
    (endpoint, _) = the_endpoint(load(tmp_path, ic_catalog(component={"scheduling": scheduling})))
    (component,) = endpoint.components
    assert catalog_settings.scheduling(component.spec.scheduling) == Scheduling(
        placement="binpack", az_max_imbalance=imbalance
    )


def test_a_placement_without_an_imbalance_keeps_zones_even(tmp_path: Path) -> None:
    (endpoint, _) = the_endpoint(load(tmp_path, ic_catalog(component={"scheduling": {"placement": "spread"}})))
    assert catalog_settings.scheduling(endpoint.components[0].spec.scheduling) == Scheduling(placement="spread")


def test_a_component_overrides_the_endpoints_data_cache(tmp_path: Path) -> None:
    (endpoint, spec) = the_endpoint(load(tmp_path, ic_catalog(data_cache=True, component={"data_cache": False})))
    assert (spec.data_cache, endpoint.components[0].spec.data_cache) == (True, False)


# --- per-type reservations -----------------------------------------------------------------------------


def test_a_reservation_that_fills_a_fallback_type_exactly_is_accepted(tmp_path: Path) -> None:
    # ml.g5.2xlarge: 1 GPU, 8 vCPUs, 32768 MiB; the floor of cpu_cores is 0.25, max_memory_mb may equal memory_mb.
    exact = {"accelerators": 1, "memory_mb": 32768, "max_memory_mb": 32768, "cpu_cores": 8}
    smallest = {"memory_mb": 128, "cpu_cores": 0.25}
    data = ic_catalog(
        instance_pools=["ml.g5.2xlarge", "ml.g6.2xlarge"],
        component={"compute_by_instance_type": {"ml.g5.2xlarge": exact, "ml.g6.2xlarge": smallest}},
    )
    (endpoint, _) = the_endpoint(load(tmp_path, data))
    (component,) = endpoint.components
    assert component.compute_on("ml.g5.2xlarge") == ResolvedCompute(
        accelerators=1, memory_mb=32768, max_memory_mb=32768, cpu_cores=8
    )
    assert component.compute_on("ml.g6.2xlarge") == ResolvedCompute(
        accelerators=1, memory_mb=128, max_memory_mb=None, cpu_cores=0.25
    )
    assert component.compute_on(None) == component.compute  # the endpoint's own type
    assert component.demand(instance_type="ml.g5.2xlarge").memory_mib == 32768


def test_a_per_type_reservation_may_give_exactly_the_tensor_parallel_degree(tmp_path: Path) -> None:
    data = ic_catalog(
        instance_pools=["ml.g6.12xlarge"],
        component={
            **with_model(tensor_parallel_degree=2),
            "accelerators": 4,
            "compute_by_instance_type": {"ml.g6.12xlarge": {"accelerators": 2, "memory_mb": 32768}},
        },
    )
    (endpoint, _) = the_endpoint(load(tmp_path, data))
    assert endpoint.components[0].compute_on("ml.g6.12xlarge").accelerators == 2


def test_a_copy_that_fills_a_fallback_type_exactly_needs_no_reservation_of_its_own(tmp_path: Path) -> None:
    data = ic_catalog(
        instance_pools=["ml.g5.2xlarge"], component={"accelerators": 1, "memory_mb": 32768, "cpu_cores": 8}
    )
    assert errors(tmp_path, data) == []


# --- adapters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "properties"),
    [
        ("0.31.0", {"option.rolling_batch": "vllm"}),  # the first LMI that reads the adapter headers
        ("0.31.0", {"option.rolling_batch": "lmi-dist"}),
        ("0.32.0", {"option.rolling_batch": "lmi-dist"}),  # the last with lmi-dist adapters
        ("0.33.0", {"option.rolling_batch": "vllm"}),
        ("0.34.0", {"option.rolling_batch": "vllm", "option.async_mode": "true"}),  # async adapters from here
    ],
)
def test_adapters_load_on_each_lmi_that_serves_them(tmp_path: Path, version: str, properties: dict[str, str]) -> None:
    model = with_model(version=version, properties={**properties, "option.enable_lora": "true"})
    (endpoint, _) = the_endpoint(load(tmp_path, ic_catalog(component=model)))
    assert [(a.name, a.base) for a in endpoint.adapters] == [("code-assist-acme", "code-assist-base")]


def test_adapters_load_on_lmi_035s_async_vllm_handler(tmp_path: Path) -> None:
    properties = {"option.rolling_batch": "disable", "option.async_mode": "true", "option.enable_lora": "true"}
    assert errors(tmp_path, ic_catalog(component=with_model(version="0.35.0", properties=properties))) == []


def test_an_adapter_archive_uri_of_exactly_1024_characters_is_accepted(tmp_path: Path) -> None:
    head, tail = "s3://example-weights/", ".tar.gz"
    weights = head + "a" * (1024 - len(head) - len(tail)) + tail
    (endpoint, _) = the_endpoint(load(tmp_path, ic_catalog(component={"adapters": [{**ADAPTER, "weights": weights}]})))
    (adapter,) = endpoint.adapters
    assert (adapter.spec.weights, len(weights)) == (weights, 1024)


def test_adapter_tags_that_make_exactly_50_with_the_catalogs_are_accepted(tmp_path: Path) -> None:
    data = ic_catalog(component={"adapters": [{**ADAPTER, "tags": {f"adapter{i:02d}": "x" for i in range(20)}}]})
    data["tags"] = {f"catalog{i:02d}": "x" for i in range(30)}
    (endpoint, _) = the_endpoint(load(tmp_path, data))
    assert len(endpoint.adapters[0].spec.tags) == 20


def test_an_adapter_on_a_custom_image_is_listed_as_not_checked(tmp_path: Path) -> None:
    model = {"engine": "custom", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-lora-server:1"}
    loaded = load(tmp_path, ic_catalog(component={"model": model}))
    assert any(
        "endpoints[0].components[0].adapters: not checked: whether the custom image serves LoRA adapters" in notice
        for notice in loaded.notices
    )


# --- each mistake: one line, the field path, then the fix ---------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set the dotted `path` below the endpoint (`c.` for the component, `a.` for its adapter)."""

    def change(data: dict[str, Any]) -> None:
        node = data["endpoints"][0]
        head, _, rest = path.partition(".")
        if head == "c":
            node = node["components"][0]
        elif head == "a":
            node = node["components"][0]["adapters"][0]
        else:
            rest = path
        *parents, last = rest.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value

    return change


POOLS = _set("instance_pools", ["ml.g6.12xlarge"])
E = "endpoints[0]"
C = f"{E}.components[0]"
MISTAKES: list[tuple[str, list[Callable[[dict[str, Any]], None]], str, str]] = [
    ("provision_timeout_s", [_set("provision_timeout_s", 299)], f"{E}.provision_timeout_s", "use 300 or more"),
    ("instance_pools", [_set("instance_pools", [])], f"{E}.instance_pools", "leave instance_pools out"),
    (
        "reservation",
        [_set("capacity_reservation", "arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-1")],
        f"{E}.capacity_reservation",
        "use the ARN of an ML capacity reservation",
    ),
    (
        "cooldown",
        [_set("instance_scaling.scale_in", {"strategy": "consolidation", "cooldown_minutes": 1441})],
        f"{E}.instance_scaling.scale_in.cooldown_minutes",
        "use 1440 or less",
    ),
    (
        "idle-release step",
        [_set("instance_scaling.scale_in", {"strategy": "idle-release", "max_step": 2})],
        f"{E}.instance_scaling.scale_in.max_step",
        "remove it or use strategy: consolidation",
    ),
    (
        "imbalance",
        [_set("c.scheduling", {"placement": "spread", "az_max_imbalance": 101})],
        f"{C}.scheduling.az_max_imbalance",
        "use 100 or less",
    ),
    (
        "pool is instance_type",
        [_set("instance_pools", ["ml.g5.12xlarge"])],
        f"{E}.instance_pools[0]",
        "list only the fallback types",
    ),
    (
        "pool repeated",
        [_set("instance_pools", ["ml.g6.12xlarge", "ml.g6.12xlarge"])],
        f"{E}.instance_pools[1]",
        "give each type once",
    ),
    (
        "per-type not a pool",
        [POOLS, _set("c.compute_by_instance_type", {"ml.g6e.2xlarge": {"memory_mb": 1024}})],
        f"{C}.compute_by_instance_type.ml.g6e.2xlarge",
        "add it to instance_pools or remove this entry",
    ),
    (
        "per-type own type",
        [POOLS, _set("c.compute_by_instance_type", {"ml.g5.12xlarge": {"memory_mb": 1024}})],
        f"{C}.compute_by_instance_type.ml.g5.12xlarge",
        "give that reservation on the component itself",
    ),
    (
        "copy too big",
        [_set("instance_pools", ["ml.g5.xlarge"]), _set("c.cpu_cores", 8)],
        C,
        "give a smaller reservation for ml.g5.xlarge under compute_by_instance_type",
    ),
    (
        "per-type too big",
        [POOLS, _set("c.compute_by_instance_type", {"ml.g6.12xlarge": {"accelerators": 8, "memory_mb": 1024}})],
        f"{C}.compute_by_instance_type.ml.g6.12xlarge",
        "lower it",
    ),
    (
        "per-type max memory",
        [POOLS, _set("c.compute_by_instance_type", {"ml.g6.12xlarge": {"memory_mb": 1024, "max_memory_mb": 512}})],
        f"{C}.compute_by_instance_type.ml.g6.12xlarge.max_memory_mb",
        "raise it or remove it",
    ),
    (
        "per-type below tp",
        [
            POOLS,
            _set("c.model.tensor_parallel_degree", 2),
            _set("c.accelerators", 2),
            _set("c.compute_by_instance_type", {"ml.g6.12xlarge": {"accelerators": 1, "memory_mb": 1024}}),
        ],
        f"{C}.compute_by_instance_type.ml.g6.12xlarge.accelerators",
        "raise it to 2 or remove it",
    ),
    (
        "adapter weights",
        [_set("a.weights", "s3://example-weights/adapters/acme/")],
        f"{C}.adapters[0].weights",
        "use the S3 URI of one .tar.gz archive",
    ),
    ("adapter on old lmi", [_set("c.model.version", "0.30.0")], f"{C}.adapters", "serve it on lmi 0.31.0 or later"),
    ("adapter without lora", [_set("c.model.properties", {"option.rolling_batch": "vllm"})], f"{C}.adapters", "add it"),
    (
        "adapter on triton",
        [_set("c.model", {"engine": "triton", "version": "24.05", "code": TRITON_CODE})],
        f"{C}.adapters",
        "serve the base on lmi 0.31.0 or later",
    ),
    (
        "adapter base to zero",
        [_set("c.copies", {"initial": 1, "min": 0, "max": 2})],
        f"{C}.copies.min",
        "keep copies.min at 1 or more",
    ),
    (
        "adapter named as base",
        [_set("a.name", "code-assist-base")],
        f"{C}.adapters[0].name",
        "must be unique in the account and region",
    ),
]


def _mistakes() -> Iterator[Any]:
    for name, changes, field, fix in MISTAKES:
        yield pytest.param(changes, field, fix, id=name)


@pytest.mark.parametrize(("changes", "field", "fix"), list(_mistakes()))
def test_each_mistake_is_one_line_naming_the_field_then_the_fix(
    tmp_path: Path, changes: list[Callable[[dict[str, Any]], None]], field: str, fix: str
) -> None:
    data = ic_catalog()
    for change in changes:
        change(data)
    (line,) = errors(tmp_path, data)
    catalog = str(tmp_path / "catalog.yaml")
    match = re.fullmatch(rf"{re.escape(catalog)}: (\S+): (.+); (.+?)(?: \(line \d+\))?", line)
    assert match is not None, line
    assert match.group(1) == field
    assert fix in match.group(3), line
