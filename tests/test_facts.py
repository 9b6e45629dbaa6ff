"""AWS facts as data: image URIs per region, instance types, the GPU-memory metric's scale."""

from __future__ import annotations

import pytest

from llm_hosting.facts import ENGINES, INSTANCE_TYPES, REGISTRY_ACCOUNTS, UnknownImageError, find_image
from llm_hosting.monitoring.metrics import gpu_memory_metric_target


def test_a_djl_image_uri_follows_the_sdk_template() -> None:
    image = find_image("fastertransformer", "0.21.0")
    assert image.uri("us-east-1") == (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.21.0-fastertransformer5.3.0-cu117"
    )


def test_china_registries_use_the_com_cn_host() -> None:
    assert find_image("lmi", "0.32.0").uri("cn-north-1").startswith("727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/")


def test_triton_has_gpu_and_cpu_tags() -> None:
    image = find_image("triton", "24.09")
    assert image.uri("eu-west-1").endswith("/sagemaker-tritonserver:24.09-py3")
    assert image.uri("eu-west-1", gpu=False).endswith("/sagemaker-tritonserver:24.09-py3-cpu")


def test_a_region_without_the_image_is_a_clear_error() -> None:
    with pytest.raises(UnknownImageError, match=r"fastertransformer 0\.21\.0 .* is not published in us-gov-west-1"):
        find_image("fastertransformer", "0.21.0").uri("us-gov-west-1")


def test_every_image_region_has_a_registry_account() -> None:
    for engine in ENGINES.values():
        for image in engine.versions.values():
            assert image.regions <= REGISTRY_ACCOUNTS.keys(), (engine.engine, image.version)


def test_versions_are_listed_newest_first() -> None:
    for engine in ENGINES.values():
        versions = [tuple(int(p) for p in v.split(".")) for v in engine.versions]
        assert versions == sorted(versions, reverse=True), engine.engine


def test_the_reference_instance_types_are_known() -> None:
    g5 = INSTANCE_TYPES["ml.g5.12xlarge"]
    assert (g5.gpus, g5.gpu_memory_mib, g5.vcpus, g5.memory_mib, g5.nvme) == (4, 98304, 48, 192 * 1024, True)
    p4d = INSTANCE_TYPES["ml.p4d.24xlarge"]
    assert (p4d.gpus, p4d.gpu_memory_per_gpu_mib, p4d.vcpus) == (8, 40960, 96)
    assert INSTANCE_TYPES["ml.g5.48xlarge"].gpu_memory_mib == 183104  # what the service reports, not 8 x 24 GiB


def test_rows_the_reference_marks_unconfirmed_say_so() -> None:
    assert not INSTANCE_TYPES["ml.g6e.xlarge"].confirmed
    assert INSTANCE_TYPES["ml.g4dn.xlarge"].confirmed


@pytest.mark.parametrize(("percent", "gpus", "metric"), [(80, 4, 320), (80, 1, 80), (75.5, 8, 604)])
def test_gpu_memory_targets_are_converted_to_percent_times_gpus(percent: float, gpus: int, metric: float) -> None:
    assert gpu_memory_metric_target(percent, gpus) == metric
