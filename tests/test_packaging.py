"""Model archives are reproducible and carry the serving.properties a model definition gives."""

from __future__ import annotations

import gzip
import os
import tarfile
from pathlib import Path

import pytest

from llm_hosting.endpoints.images import ServingImage
from llm_hosting.endpoints.model import ModelDefinition, package
from llm_hosting.endpoints.settings import DynamicBatching
from llm_hosting.packaging import build_archive, merge_properties, owned_properties, parse_properties, render_properties
from tests.synth import ROOT

FLAN = ROOT / "model_artifacts" / "flan-t5-xxl"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    (root / "pkg").mkdir(parents=True)
    (root / "model.py").write_text("print('hi')\n")
    (root / "pkg" / "util.py").write_text("X = 1\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"\0")
    (root / ".DS_Store").write_bytes(b"\0")
    return root


def test_the_same_files_give_the_same_bytes_whatever_their_mtimes(source: Path, tmp_path: Path) -> None:
    first = build_archive(tmp_path / "a.tar.gz", source=source, prefix="m").read_bytes()
    os.utime(source / "model.py", (1_700_000_000, 1_700_000_000))
    (source / "pkg" / "util.py").chmod(0o600)
    second = build_archive(tmp_path / "b.tar.gz", source=source, prefix="m").read_bytes()
    assert first == second


def test_a_content_change_changes_the_bytes(source: Path, tmp_path: Path) -> None:
    first = build_archive(tmp_path / "a.tar.gz", source=source).read_bytes()
    (source / "model.py").write_text("print('bye')\n")
    assert build_archive(tmp_path / "b.tar.gz", source=source).read_bytes() != first


def test_entries_are_sorted_owned_by_root_and_dated_1980(source: Path, tmp_path: Path) -> None:
    archive = build_archive(tmp_path / "a.tar.gz", source=source, prefix="m")
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["m", "m/model.py", "m/pkg", "m/pkg/util.py"]
    assert {(m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members} == {(0, 0, "", "", 315532800)}
    assert {m.name: m.mode for m in members if m.isfile()} == {"m/model.py": 0o644, "m/pkg/util.py": 0o644}


def test_the_gzip_header_carries_no_name_and_no_time(source: Path, tmp_path: Path) -> None:
    raw = build_archive(tmp_path / "a.tar.gz", source=source).read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\0\0\0\0"  # MTIME
    assert raw[3] & 0x08 == 0  # no FNAME
    gzip.decompress(raw)


def test_replacements_override_files_on_disk(source: Path, tmp_path: Path) -> None:
    archive = build_archive(tmp_path / "a.tar.gz", source=source, prefix="m", replace={"model.py": b"new\n"})
    with tarfile.open(archive) as tar:
        assert tar.extractfile("m/model.py").read() == b"new\n"  # type: ignore[union-attr]


def test_serving_properties_parse_and_render_round_trip() -> None:
    text = "# comment\nengine = FasterTransformer\n! also a comment\noption.a:1\n\noption.b=x=y\n"
    props = parse_properties(text)
    assert props == {"engine": "FasterTransformer", "option.a": "1", "option.b": "x=y"}
    assert render_properties(props) == "engine=FasterTransformer\noption.a=1\noption.b=x=y\n"


def test_the_settings_fill_in_what_the_file_leaves_out() -> None:
    owned = owned_properties(
        "lmi",
        weights="s3://weights/m/",
        tensor_parallel_degree=2,
        max_batch_size=64,
        max_batch_delay_ms=50,
        extra={"option.dtype": "fp16", "option.trust_remote_code": True},
    )
    merged, conflicts = merge_properties("lmi", {"option.max_rolling_batch_size": "32"}, owned)
    assert conflicts == []
    assert merged == {
        "engine": "Python",
        "option.max_rolling_batch_size": "32",
        "option.model_id": "s3://weights/m/",
        "option.tensor_parallel_degree": "2",
        "batch_size": "64",
        "max_batch_delay": "50",
        "option.dtype": "fp16",
        "option.trust_remote_code": "true",
    }


def test_a_file_value_that_disagrees_with_a_setting_is_a_conflict() -> None:
    owned = owned_properties("fastertransformer", weights="s3://weights/m/", tensor_parallel_degree=2)
    _, conflicts = merge_properties("fastertransformer", {"option.tensor_parallel_degree": "4"}, owned)
    assert conflicts == [("option.tensor_parallel_degree", "4", "2")]


def test_the_flan_archive_holds_the_handler_and_the_rendered_properties() -> None:
    model = ModelDefinition(
        image=ServingImage.fastertransformer("0.21.0"),
        code=FLAN,
        weights="s3://example-weights/flan-t5-xxl/",
        tensor_parallel_degree=4,
        batching=DynamicBatching(max_batch_size=8),
    )
    archive = package(model, name="flan-t5-xxl")
    assert archive is not None and archive.name == "flan-t5-xxl.tar.gz"
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["flan-t5-xxl", "flan-t5-xxl/model.py", "flan-t5-xxl/serving.properties"]
        text = tar.extractfile("flan-t5-xxl/serving.properties").read().decode()  # type: ignore[union-attr]
    props = parse_properties(text)
    assert text.startswith("engine=FasterTransformer\n")
    assert props["option.tensor_parallel_degree"] == "4"
    assert props["option.s3url"] == "s3://example-weights/flan-t5-xxl/"
    assert (props["batch_size"], props["max_batch_delay"]) == ("8", "100")


def test_a_djl_model_without_code_gets_its_serving_options_as_environment_variables() -> None:
    definition = ModelDefinition(
        image=ServingImage.lmi("0.32.0"),
        weights="s3://weights/m/",
        batching=DynamicBatching(max_batch_size=8, max_batch_delay_ms=100),
        serving_properties={"option.rolling_batch": "vllm", "option.dtype": "fp16"},
        environment={"HF_TOKEN_SECRET": "none"},
    )
    assert package(definition, name="small") is None
    assert definition.container_environment() == {
        "HF_MODEL_ID": "s3://weights/m/",
        "OPTION_DTYPE": "fp16",
        "OPTION_ENGINE": "Python",
        "OPTION_ROLLING_BATCH": "vllm",
        "SERVING_BATCH_SIZE": "8",
        "SERVING_MAX_BATCH_DELAY": "100",
        "HF_TOKEN_SECRET": "none",
    }


@pytest.mark.parametrize(
    ("image", "why"),
    [
        (ServingImage.fastertransformer("0.23.0"), "reads no OPTION_* variables before 0.24.0"),
        (ServingImage.tensorrt_llm("0.26.0"), "OPTION_ENGINE sets engine from 0.27.0"),
    ],
)
def test_a_djl_model_whose_engine_version_cannot_take_an_option_from_the_environment_keeps_an_archive(
    image: ServingImage, why: str
) -> None:
    definition = ModelDefinition(image=image, weights="s3://weights/m/")
    archive = package(definition, name="small")
    assert archive is not None, why
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["small", "small/serving.properties"]
    assert definition.container_environment() == {}


def test_a_custom_model_without_code_needs_no_archive() -> None:
    assert package(ModelDefinition(image=ServingImage.from_uri("x/y:1")), name="c") is None
