"""AWS facts as data: image URIs per region and partition, instance types, the GPU-memory metric's scale."""

from __future__ import annotations

import botocore.loaders
import botocore.regions
import pytest

from llm_hosting.facts import (
    ENGINES,
    INSTANCE_TYPE_SOURCES,
    INSTANCE_TYPES,
    REGISTRY_ACCOUNTS,
    REGISTRY_HOSTS,
    UnknownImageError,
    find_image,
    instances,
)
from llm_hosting.monitoring.metrics import gpu_memory_metric_target


def test_a_djl_image_uri_follows_the_sdk_template() -> None:
    image = find_image("fastertransformer", "0.21.0")
    assert image.uri("us-east-1") == (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.21.0-fastertransformer5.3.0-cu117"
    )


def test_china_registries_use_the_com_cn_host() -> None:
    assert find_image("lmi", "0.32.0").uri("cn-north-1").startswith("727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/")


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("us-east-1", "763104351884.dkr.ecr.us-east-1.amazonaws.com"),
        ("us-gov-west-1", "442386744353.dkr.ecr.us-gov-west-1.amazonaws.com"),
        ("cn-northwest-1", "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn"),
        ("us-iso-east-1", "886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov"),
        ("us-isob-east-1", "094389454867.dkr.ecr.us-isob-east-1.sc2s.sgov.gov"),
        ("us-isof-south-1", "454834333376.dkr.ecr.us-isof-south-1.csp.hci.ic.gov"),
        ("eu-isoe-west-1", "371248457586.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk"),
        ("eusc-de-east-1", "204133271717.dkr.ecr.eusc-de-east-1.amazonaws.eu"),
    ],
)
def test_each_partition_has_its_own_registry_host(region: str, host: str) -> None:
    assert find_image("lmi", "0.36.0").uri(region) == f"{host}/djl-inference:0.36.0-lmi27.0.0-cu130"


def test_every_registry_host_is_the_one_botocore_resolves_for_ecr() -> None:
    # image_uris.retrieve() takes the host name from botocore's endpoint data; the pinned botocore agrees
    # with the SDK's own DNS-suffix table the facts were generated from, region by region.
    resolver = botocore.regions.EndpointResolver(botocore.loaders.create_loader().load_data("endpoints"))
    for region, account in REGISTRY_ACCOUNTS.items():
        endpoint = resolver.construct_endpoint("ecr", region)
        assert endpoint is not None, region
        assert REGISTRY_HOSTS[region] == f"{account}.dkr.{endpoint['hostname']}", region


def test_a_version_can_be_in_one_partition_and_not_another() -> None:
    older, newer = find_image("lmi", "0.32.0"), find_image("lmi", "0.33.0")
    assert (
        older.uri("eusc-de-east-1")
        == "204133271717.dkr.ecr.eusc-de-east-1.amazonaws.eu/djl-inference:0.32.0-lmi14.0.0-cu126"
    )
    with pytest.raises(UnknownImageError, match=r"lmi 0\.32\.0 .* is not published in us-iso-east-1"):
        older.uri("us-iso-east-1")
    assert (
        newer.uri("us-iso-east-1")
        == "886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/djl-inference:0.33.0-lmi15.0.0-cu128"
    )


def test_triton_has_gpu_and_cpu_tags_and_djl_images_only_gpu_tags() -> None:
    image = find_image("triton", "24.09")
    assert image.uri("eu-west-1").endswith("/sagemaker-tritonserver:24.09-py3")
    assert image.uri("eu-west-1", gpu=False).endswith("/sagemaker-tritonserver:24.09-py3-cpu")
    assert find_image("lmi", "0.32.0").tag_for(gpu=False) == "0.32.0-lmi14.0.0-cu126"


def test_a_region_without_the_image_is_a_clear_error() -> None:
    with pytest.raises(UnknownImageError, match=r"fastertransformer 0\.21\.0 .* is not published in us-gov-west-1"):
        find_image("fastertransformer", "0.21.0").uri("us-gov-west-1")


def test_repository_arns_name_the_regions_registry_account() -> None:
    arn = find_image("tensorrt-llm", "0.25.0").repository_arn("us-gov-east-1", "aws-us-gov")
    assert arn == "arn:aws-us-gov:ecr:us-gov-east-1:446045086412:repository/djl-inference"


def test_every_image_region_has_a_registry_account_and_every_account_an_image() -> None:
    regions: set[str] = set()
    for engine in ENGINES.values():
        for image in engine.versions.values():
            assert image.regions <= REGISTRY_ACCOUNTS.keys(), (engine.engine, image.version)
            regions |= image.regions
    assert regions == set(REGISTRY_ACCOUNTS) == set(REGISTRY_HOSTS)


def test_versions_are_listed_newest_first_and_latest_is_the_newest() -> None:
    for engine in ENGINES.values():
        versions = [tuple(int(p) for p in v.split(".")) for v in engine.versions]
        assert versions == sorted(versions, reverse=True), engine.engine
        assert engine.latest is next(iter(engine.versions.values()))
    # What the pinned SDK names as newest (djl-lmi's and djl-tensorrtllm's `latest` alias).
    assert (find_image("lmi").version, find_image("tensorrt-llm").version) == ("0.38.0", "0.33.0")
    assert (find_image("fastertransformer").version, find_image("triton").version) == ("0.24.0", "26.05")


def test_an_unknown_engine_or_version_names_the_known_ones() -> None:
    with pytest.raises(UnknownImageError, match="use one of fastertransformer, lmi, tensorrt-llm, triton"):
        find_image("vllm")
    with pytest.raises(UnknownImageError, match=r"triton has no image version '24\.10'; use one of 26\.05, 25\.09"):
        find_image("triton", "24.10")


def test_the_reference_instance_types_are_known() -> None:
    g5 = INSTANCE_TYPES["ml.g5.12xlarge"]
    assert (g5.gpus, g5.gpu_memory_mib, g5.vcpus, g5.memory_mib, g5.nvme) == (4, 98304, 48, 192 * 1024, True)
    p4d = INSTANCE_TYPES["ml.p4d.24xlarge"]
    assert (p4d.gpus, p4d.gpu_memory_per_gpu_mib, p4d.vcpus) == (8, 40960, 96)
    assert INSTANCE_TYPES["ml.g5.48xlarge"].gpu_memory_mib == 183104  # what the service reports, not 8 x 24 GiB


def test_gpu_figures_come_from_the_sdk_wherever_it_lists_the_type() -> None:
    for name, row in INSTANCE_TYPES.items():
        sdk = instances.SDK_GPUS.get(name)
        from_sdk = INSTANCE_TYPE_SOURCES[name].startswith("GPUs: SageMaker SDK")
        assert from_sdk == (sdk is not None), name
        if sdk is not None:
            assert (row.gpus, row.gpu_memory_mib) == sdk, name


def test_hand_typed_gpu_rows_are_only_for_types_the_sdk_lacks() -> None:
    # When a newer SDK lists one of these, its row here is dead weight: delete it after `make facts`.
    assert set(instances._GPUS_NOT_IN_SDK).isdisjoint(instances.SDK_GPUS)


def test_an_instance_type_the_sdk_lacks_keeps_its_hand_typed_row_and_its_source() -> None:
    assert "ml.g6e.xlarge" not in instances.SDK_GPUS
    g6e = INSTANCE_TYPES["ml.g6e.xlarge"]
    assert (g6e.gpus, g6e.gpu_memory_mib, g6e.confirmed) == (1, 48 * 1024, False)
    assert INSTANCE_TYPE_SOURCES["ml.g6e.xlarge"].startswith("GPUs: UNCONFIRMED")
    # The SDK spells its one-GPU g5 row `ml.g5n.xlarge`; ml.g5.xlarge is typed from the Batch table.
    assert "ml.g5.xlarge" not in instances.SDK_GPUS
    assert "ml.g5n.xlarge" in instances.SDK_GPUS
    assert INSTANCE_TYPES["ml.g5.xlarge"].confirmed
    assert "AWS Batch" in INSTANCE_TYPE_SOURCES["ml.g5.xlarge"]


def test_a_row_is_confirmed_exactly_when_every_value_has_a_source() -> None:
    for name, row in INSTANCE_TYPES.items():
        assert row.confirmed == ("UNCONFIRMED" not in INSTANCE_TYPE_SOURCES[name]), name
    # The SDK confirms p4de's GPUs; its host memory still has no stored source.
    assert "vCPUs, memory: UNCONFIRMED" in INSTANCE_TYPE_SOURCES["ml.p4de.24xlarge"]
    assert not INSTANCE_TYPES["ml.p4de.24xlarge"].confirmed
    assert INSTANCE_TYPES["ml.g4dn.xlarge"].confirmed


@pytest.mark.parametrize(("percent", "gpus", "metric"), [(80, 4, 320), (80, 1, 80), (75.5, 8, 604)])
def test_gpu_memory_targets_are_converted_to_percent_times_gpus(percent: float, gpus: int, metric: float) -> None:
    assert gpu_memory_metric_target(percent, gpus) == metric


def test_the_longest_region_name_sizes_the_project_name_so_every_bucket_name_fits() -> None:
    from llm_hosting import naming

    assert max(len(region) for region in REGISTRY_ACCOUNTS) == naming.LONGEST_REGION
    longest = max(REGISTRY_ACCOUNTS, key=len)
    at_limit = naming.bucket_name("p" * naming.MAX_PROJECT_LENGTH, "123456789012", longest)
    assert len(at_limit) == naming.S3_BUCKET_NAME_MAX
    assert len(naming.bucket_name("p" * (naming.MAX_PROJECT_LENGTH + 1), "123456789012", longest)) == 64
