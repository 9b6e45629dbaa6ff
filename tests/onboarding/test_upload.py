"""Part sizes within S3's limits, and checksums computed locally the way S3 stores them (checked against moto)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest

from llm_hosting.onboarding import OnboardingError
from llm_hosting.onboarding.upload import (
    MAX_PART_SIZE,
    MAX_PARTS,
    MIN_PART_SIZE,
    MiB,
    Uploader,
    hash_file,
    part_size_for,
    same_checksum,
    split_s3_prefix,
)
from tests.onboarding.conftest import BUCKET


def test_part_sizes_are_s3s_5_mib_to_5_gib() -> None:
    assert part_size_for(1, MIN_PART_SIZE) == MIN_PART_SIZE
    assert part_size_for(1, MAX_PART_SIZE) == MAX_PART_SIZE
    for outside in (MIN_PART_SIZE - 1, MAX_PART_SIZE + 1):
        with pytest.raises(ValueError, match="outside S3's"):
            part_size_for(1, outside)


def test_a_file_beyond_10000_parts_gets_larger_parts() -> None:
    assert part_size_for(MAX_PARTS * 64 * MiB, 64 * MiB) == 64 * MiB
    assert part_size_for(MAX_PARTS * 64 * MiB + 1, 64 * MiB) == 65 * MiB


def write(tmp_path: Path, size: int) -> Path:
    path = tmp_path / f"file-{size}"
    path.write_bytes(bytes(i % 251 for i in range(size)))
    return path


def test_a_file_of_one_part_goes_in_one_put_and_one_byte_more_in_two_parts(tmp_path: Path) -> None:
    exactly = hash_file("a", write(tmp_path, MIN_PART_SIZE), part_size=MIN_PART_SIZE)
    more = hash_file("b", write(tmp_path, MIN_PART_SIZE + 1), part_size=MIN_PART_SIZE)
    empty = hash_file("c", write(tmp_path, 0), part_size=MIN_PART_SIZE)

    assert (exactly.multipart, len(exactly.part_digests)) == (False, 1)
    assert (more.multipart, len(more.part_digests)) == (True, 2)
    assert (empty.multipart, empty.checksum) == (False, base64.b64encode(hashlib.sha256(b"").digest()).decode())


@pytest.mark.parametrize("size", [0, MiB, MIN_PART_SIZE + 1, 2 * MIN_PART_SIZE + 7])
def test_the_local_checksum_is_what_s3_stores(size: int, tmp_path: Path, bucket: str, s3: Any) -> None:
    local = hash_file("f", write(tmp_path, size), part_size=MIN_PART_SIZE)

    stored = Uploader(s3, BUCKET, "p/").upload(local)

    got = s3.get_object(Bucket=BUCKET, Key="p/f", ChecksumMode="ENABLED")
    assert stored == local.checksum
    assert same_checksum(got["ChecksumSHA256"], local.checksum)
    assert got["Body"].read() == (tmp_path / f"file-{size}").read_bytes()
    assert got["Metadata"]["sha256"] == hashlib.sha256((tmp_path / f"file-{size}").read_bytes()).hexdigest()


def test_an_object_whose_stored_checksum_differs_is_reported_after_the_upload(
    tmp_path: Path, bucket: str, s3: Any
) -> None:
    local = hash_file("f", write(tmp_path, 10), part_size=MIN_PART_SIZE)
    s3.put_object(Bucket=BUCKET, Key="p/f", Body=b"0123456789", ChecksumAlgorithm="SHA256")

    with pytest.raises(OnboardingError) as raised:
        Uploader(s3, BUCKET, "p/").verify(local)

    stored = base64.b64encode(hashlib.sha256(b"0123456789").digest()).decode()
    assert str(raised.value) == (
        f"s3://{BUCKET}/p/f: after the upload S3 has size 10 and checksum {stored}, expected size 10 and SHA-256 "
        f"checksum {local.checksum}; run stage again"
    )


def test_checksums_compare_with_and_without_the_part_count() -> None:
    assert same_checksum("abc=-3", "abc=-3")
    assert same_checksum("abc=", "abc=-3")  # HeadObject without the count (moto)
    assert not same_checksum("abc=-2", "abc=-3")
    assert not same_checksum("abd=", "abc=")
    assert not same_checksum(None, "abc=")


def test_destinations_are_s3_prefixes() -> None:
    assert split_s3_prefix("s3://my-bucket/models/tiny/") == ("my-bucket", "models/tiny/")
    assert split_s3_prefix("s3://my-bucket/models/tiny") == ("my-bucket", "models/tiny/")
    assert split_s3_prefix("s3://my-bucket/") == ("my-bucket", "")
    for bad in ("my-bucket/x/", "s3://x/y/", "s3://My_Bucket/x/", "s3://my-bucket//x/", "s3://my-bucket"):
        with pytest.raises(OnboardingError):
            split_s3_prefix(bad)
