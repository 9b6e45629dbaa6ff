"""The generated facts are what the pinned SageMaker SDK wheel says, and the generator refuses what it cannot translate."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tools import generate_facts as generate
from tools.generate_facts import FactsError, ensure_wheel, render

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "constructs" / "llm_hosting" / "facts"
CACHE = ROOT / ".cache" / "sdk"  # where `make sdk-wheel` (a step of `make test`) puts the wheel
GENERATED = (generate.IMAGES_FILE, generate.GPUS_FILE)


@pytest.fixture(scope="module")
def sdk_wheel() -> Path:
    return ensure_wheel(CACHE)  # a hash check when cached; otherwise one `pip download --no-deps`


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def first_difference(committed: Path, generated: Path) -> str | None:
    """Where a committed facts file first differs from a fresh generation, as one line a person can act on."""
    if not committed.is_file():
        return f"{shown(committed)} is missing"
    old, new = committed.read_text().splitlines(), generated.read_text().splitlines()
    for number, (was, now) in enumerate(zip(old, new, strict=False), start=1):
        if was != now:
            return f"{shown(committed)} line {number} is {was.strip()!r}, the pinned wheel gives {now.strip()!r}"
    if len(old) != len(new):
        return f"{shown(committed)} has {len(old)} lines, the pinned wheel gives {len(new)}"
    if committed.read_bytes() != generated.read_bytes():
        return f"{shown(committed)} differs from the pinned wheel's in whitespace or line endings"
    return None


def test_the_committed_facts_are_what_the_pinned_wheel_generates(sdk_wheel: Path, tmp_path: Path) -> None:
    assert generate.main(["--cache", str(CACHE), "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED)
    for name in GENERATED:
        difference = first_difference(FACTS / name, tmp_path / name)
        assert difference is None, f"{difference}: run make facts and review the diff"


def test_a_drifted_file_is_named_with_its_first_differing_line(sdk_wheel: Path, tmp_path: Path) -> None:
    files = render(sdk_wheel)
    fresh = tmp_path / "fresh"
    generate.write(files, fresh)
    lines = files[generate.IMAGES_FILE].splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, start=1) if line.strip() == '"us-isob-east-1",')
    lines[number - 1] = lines[number - 1].replace("us-isob-east-1", "us-isob-west-1")
    stale = tmp_path / "stale.json"
    stale.write_text("".join(lines))
    message = first_difference(stale, fresh / generate.IMAGES_FILE)
    assert message is not None
    assert f"line {number} is" in message
    assert "'\"us-isob-west-1\",'" in message


def test_regenerating_gives_the_same_bytes_and_writes_nothing(sdk_wheel: Path, tmp_path: Path) -> None:
    assert generate.write(render(sdk_wheel), tmp_path) == list(GENERATED)
    before = {name: (tmp_path / name).stat().st_mtime_ns for name in GENERATED}
    assert generate.write(render(sdk_wheel), tmp_path) == []
    assert {name: (tmp_path / name).stat().st_mtime_ns for name in GENERATED} == before


def test_the_header_names_the_wheel_its_hash_and_the_command(sdk_wheel: Path) -> None:
    for name in GENERATED:
        header = json.loads((FACTS / name).read_text())["generated"]
        assert header["from"] == f"sagemaker-core 2.27.0: {generate.SDK_WHEEL}, sha256 {generate.SDK_WHEEL_SHA256}"
        assert header["by"].startswith("make facts")


def test_region_counts_per_version_are_the_sdks() -> None:
    engines = json.loads((FACTS / generate.IMAGES_FILE).read_text())["engines"]
    counts = {(e, row["version"]): len(row["regions"]) for e, data in engines.items() for row in data["versions"]}
    assert counts["lmi", "0.36.0"] == 44
    assert counts["lmi", "0.32.0"] == 39
    assert counts["tensorrt-llm", "0.25.0"] == 36
    assert counts["triton", "26.05"] == 34


def test_no_gpu_row_differs_between_regions_in_the_pinned_wheel() -> None:
    gpus = json.loads((FACTS / generate.GPUS_FILE).read_text())
    assert len(gpus["regions"]) == 30
    assert gpus["regional_differences"] == {}


# --- what the generator refuses, from the real wheel with one member edited --------------------


def edited_wheel(source: Path, target: Path, member: str, edit: Callable[[str], str]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, edit(data.decode()).encode() if info.filename == member else data)
    return target


def edited_json(source: Path, target: Path, member: str, edit: Callable[[dict[str, Any]], None]) -> Path:
    def apply(text: str) -> str:
        data = json.loads(text)
        edit(data)
        return json.dumps(data)

    return edited_wheel(source, target, member, apply)


LMI = "sagemaker/core/image_uri_config/djl-lmi.json"
GPU_INFO = "sagemaker/core/image_uri_config/instance_gpu_info.json"


def test_a_version_key_that_changes_the_tag_stops_the_generator(sdk_wheel: Path, tmp_path: Path) -> None:
    def add_container_version(data: dict[str, Any]) -> None:
        data["versions"]["0.36.0"]["container_version"] = {"gpu": "cu130"}

    wheel = edited_json(sdk_wheel, tmp_path / "w.whl", LMI, add_container_version)
    with pytest.raises(FactsError, match=r"djl-lmi\.json version 0\.36\.0 has container_version, which changes"):
        render(wheel)


def test_a_latest_alias_that_is_not_the_newest_version_stops_the_generator(sdk_wheel: Path, tmp_path: Path) -> None:
    def alias_older(data: dict[str, Any]) -> None:
        data["version_aliases"]["latest"] = "0.36.0"

    wheel = edited_json(sdk_wheel, tmp_path / "w.whl", LMI, alias_older)
    with pytest.raises(FactsError, match=r"aliases latest to 0\.36\.0, but its newest version is 0\.38\.0"):
        render(wheel)


def test_a_region_with_two_registry_accounts_stops_the_generator(sdk_wheel: Path, tmp_path: Path) -> None:
    def other_account(data: dict[str, Any]) -> None:
        data["versions"]["0.28.0"]["registries"]["us-east-1"] = "111122223333"

    wheel = edited_json(sdk_wheel, tmp_path / "w.whl", LMI, other_account)
    with pytest.raises(FactsError, match=r"us-east-1 has registry 111122223333 in .*djl-lmi\.json version 0\.28\.0"):
        render(wheel)


def test_a_changed_triton_tag_rule_in_the_sdk_stops_the_generator(sdk_wheel: Path, tmp_path: Path) -> None:
    member = "sagemaker/core/image_uris.py"
    wheel = edited_wheel(sdk_wheel, tmp_path / "w.whl", member, lambda s: s.replace('tag.rstrip("-gpu")', "tag"))
    with pytest.raises(FactsError, match=r"_get_image_tag\(\) no longer has `tag = tag.rstrip\(\"-gpu\"\)`"):
        render(wheel)


def test_a_new_partition_domain_in_the_sdk_reaches_the_hosts(sdk_wheel: Path, tmp_path: Path) -> None:
    member = "sagemaker/core/common_utils.py"
    wheel = edited_wheel(sdk_wheel, tmp_path / "w.whl", member, lambda s: s.replace('"amazonaws.eu"', '"example.eu"'))
    registries = json.loads(render(wheel)[generate.IMAGES_FILE])["registries"]
    assert registries["eusc-de-east-1"]["host"] == "204133271717.dkr.ecr.eusc-de-east-1.example.eu"


def test_a_region_whose_gpu_row_differs_is_listed_with_its_value(sdk_wheel: Path, tmp_path: Path) -> None:
    def differ(data: dict[str, Any]) -> None:
        data["us-west-2"]["ml.g5.48xlarge"]["TotalGpuMemoryInMiB"] = 196608
        del data["cn-north-1"]["ml.p5.48xlarge"]

    wheel = edited_json(sdk_wheel, tmp_path / "w.whl", GPU_INFO, differ)
    gpus = json.loads(render(wheel)[generate.GPUS_FILE])
    assert gpus["instance_types"]["ml.g5.48xlarge"] == {"gpus": 8, "gpu_memory_mib": 183104}  # most regions' value
    assert gpus["regional_differences"] == {
        "ml.g5.48xlarge": {"us-west-2": {"gpus": 8, "gpu_memory_mib": 196608}},
        "ml.p5.48xlarge": {"cn-north-1": None},
    }


# --- the wheel cache ---------------------------------------------------------------------------


def test_a_cached_wheel_with_the_pinned_hash_is_not_downloaded_again(sdk_wheel: Path) -> None:
    def no_download(destination: Path) -> None:
        raise AssertionError("downloaded although the cached wheel matches the pinned hash")

    assert ensure_wheel(CACHE, download=no_download) == sdk_wheel


def test_a_download_with_another_hash_is_refused_and_leaves_no_wheel(tmp_path: Path) -> None:
    def tampered(destination: Path) -> None:
        (destination / generate.SDK_WHEEL).write_bytes(b"not the release")

    with pytest.raises(FactsError, match=r"has sha256 [0-9a-f]{64}, not the pinned 62e5b4e2"):
        ensure_wheel(tmp_path, download=tampered)
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_cached_wheel_is_replaced_by_a_verified_download(sdk_wheel: Path, tmp_path: Path) -> None:
    (tmp_path / generate.SDK_WHEEL).write_bytes(b"truncated")

    def download(destination: Path) -> None:
        (destination / generate.SDK_WHEEL).write_bytes(sdk_wheel.read_bytes())

    wheel = ensure_wheel(tmp_path, download=download)
    assert generate.sha256_of(wheel) == generate.SDK_WHEEL_SHA256
    assert sorted(p.name for p in tmp_path.iterdir()) == [generate.SDK_WHEEL]
