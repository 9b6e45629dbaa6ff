"""`check` against moto (S3, STS) and the registry and quotas stand-in: a ready catalog passes with a
summary; each planted problem is exactly one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llm_hosting.cli import main
from llm_hosting.onboarding.manifest import MANIFEST, Manifest, StagedFile
from llm_hosting.onboarding.upload import MIN_PART_SIZE, Uploader, hash_file
from tests.onboarding.conftest import BUCKET
from tests.onboarding.test_stage_catalog import CATALOG as STAGE_CATALOG
from tests.onboarding.tiny_model import ENGINE_FILES, llama_files
from tests.standins.registry_quotas import Quota, RegistryQuotasStandIn

DLC = "763104351884"
LMI_TAG = "0.32.0-lmi14.0.0-cu126"
TRITON_TAG = "26.05-py3"

CATALOG = STAGE_CATALOG.replace("s3://old-weights/", f"s3://{BUCKET}/").replace(
    "      weights: s3://weights-test/coder/   # replaced by stage --write\n",
    "      weights: s3://weights-test/coder/\n      architecture: llama\n",
)
"""Reachable instances: coder 2 (instance_count.max); shared 2 (what the planner needs for 4 copies of
small and 2 of big, below instance_count.max 3); embeddings 1."""

QUOTAS = {
    "ml.g5.2xlarge": Quota("ml.g5.2xlarge for endpoint usage", "L-1928E07B", 2),
    "ml.g5.12xlarge": Quota("ml.g5.12xlarge for endpoint usage", "L-65C4BD00", 2),
    "ml.g4dn.xlarge": Quota("ml.g4dn.xlarge for endpoint usage", "L-B67CFA0C", 1),
}


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch, aws: None) -> Iterator[RegistryQuotasStandIn]:
    with RegistryQuotasStandIn() as stand_in:
        state = stand_in.state
        state.public_pull.add(DLC)
        state.registries[("us-east-1", DLC)] = {"djl-inference": {LMI_TAG}, "sagemaker-tritonserver": {TRITON_TAG}}
        # An applied value for one type; the others only have their AWS default (ListServiceQuotas leaves them out).
        state.applied["us-east-1"] = [QUOTAS["ml.g5.2xlarge"], Quota("ml.p5.48xlarge for endpoint usage", "L-1", 0)]
        state.defaults["us-east-1"] = [
            Quota("ml.g5.2xlarge for endpoint usage", "L-1928E07B", 0),  # the applied 2 counts, not this
            QUOTAS["ml.g5.12xlarge"],
            QUOTAS["ml.g4dn.xlarge"],
        ]
        monkeypatch.setenv("AWS_ENDPOINT_URL_ECR", stand_in.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SERVICE_QUOTAS", stand_in.url)
        yield stand_in


def put_staged(s3: Any, tmp_path: Path, prefix: str, files: dict[str, bytes], *, manifest: bool = True) -> None:
    """Upload `files` under the prefix as stage does (the same uploader), then the manifest."""
    folder = tmp_path / prefix
    folder.mkdir(parents=True)
    uploader = Uploader(s3, BUCKET, prefix)
    staged = []
    for path, content in files.items():
        (folder / path).write_bytes(content)
        local = hash_file(path, folder / path, part_size=MIN_PART_SIZE)
        uploader.upload(local)
        staged.append(StagedFile(path, local.size, local.sha256, local.checksum))
    if manifest:
        body = Manifest("acme/tiny-llama", "main", "0" * 40, "llama", tuple(staged)).to_json()
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}{MANIFEST}", Body=body)


def empty(s3: Any, prefix: str) -> None:
    for key in [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]]:
        s3.delete_object(Bucket=BUCKET, Key=key)


def restage(s3: Any, tmp_path: Path, prefix: str, files: dict[str, bytes]) -> None:
    """Replace what the prefix holds with `files`, staged."""
    empty(s3, prefix)
    put_staged(s3, tmp_path / "again", prefix, files)


def with_model_type(model_type: str, architecture: str) -> dict[str, bytes]:
    """The tiny model's engine files with config.json naming another model_type."""
    config = json.loads(llama_files()["config.json"]) | {"model_type": model_type, "architectures": [architecture]}
    return engine_files(**{"config.json": json.dumps(config).encode()})


def engine_files(**changes: bytes) -> dict[str, bytes]:
    every = llama_files()
    return {**{p: every[p] for p in ENGINE_FILES}, **changes}


@pytest.fixture
def ready(tmp_path: Path, bucket: str, s3: Any, registry: RegistryQuotasStandIn) -> Path:
    """A catalog whose every prefix, quota and image is in order."""
    for name in ("coder", "small", "big"):
        put_staged(s3, tmp_path / "staged", f"{name}/", engine_files())
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    return path


def run(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def check(catalog: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], list[str]]:
    code = run("check", catalog)
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def test_a_ready_catalog_passes_with_a_summary(ready: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(ready, capsys)

    assert (code, err) == (0, [])
    assert out == [
        f"{ready}: ready to deploy to account 123456789012 in us-east-1",
        "",
        "model         weights                   model_type  files          engine",
        "coder         s3://weights-test/coder/  llama       8 (676.7 KiB)  lmi 0.32.0",
        "shared/small  s3://weights-test/small/  llama       8 (676.7 KiB)  lmi 0.32.0",
        "shared/big    s3://weights-test/big/    llama       8 (676.7 KiB)  lmi 0.32.0",
        "",
        "instance type   can reach  quota  quota code",
        "ml.g4dn.xlarge  1          1      L-B67CFA0C",
        "ml.g5.12xlarge  2          2      L-65C4BD00",
        "ml.g5.2xlarge   2          2      L-1928E07B",
        "",
        "image (found)                                                                      endpoints",
        f"{DLC}.dkr.ecr.us-east-1.amazonaws.com/djl-inference:{LMI_TAG}  coder, shared",
        f"{DLC}.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:{TRITON_TAG}      embeddings",
    ]


def test_images_are_looked_up_in_the_regions_dlc_registry_with_batch_get_image(
    ready: Path, registry: RegistryQuotasStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(ready, capsys)[0] == 0

    lookups = [(op, region, r) for op, region, r in registry.state.calls if op != "ListServiceQuotas"]
    assert lookups[-2:] == [
        (
            "BatchGetImage",
            "us-east-1",
            {"registryId": DLC, "repositoryName": "djl-inference", "imageIds": [{"imageTag": LMI_TAG}]},
        ),
        (
            "BatchGetImage",
            "us-east-1",
            {"registryId": DLC, "repositoryName": "sagemaker-tritonserver", "imageIds": [{"imageTag": TRITON_TAG}]},
        ),
    ]


def test_check_reads_a_prefix_staged_by_stage(
    hub: Any, ready: Path, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty(s3, "coder/")
    assert run("stage", "acme/tiny-llama", "--to", f"s3://{BUCKET}/coder/", "--cache-dir", cache_dir) == 0
    capsys.readouterr()

    code, _, err = check(ready, capsys)
    assert (code, err) == (0, [])


# --- each planted problem: one line, exit 1 -------------------------------------------------------


def only_line(catalog: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = check(catalog, capsys)
    assert (code, out, len(err)) == (1, [], 1), err
    return err[0]


def test_an_empty_prefix(ready: Path, s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    empty(s3, "big/")

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[1].components[1].model.weights: s3://weights-test/big/ holds no objects; stage the model "
        "there: python -m llm_hosting stage MODEL_ID --to s3://weights-test/big/"
    )


def test_an_upload_that_did_not_finish(ready: Path, s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    s3.delete_object(Bucket=BUCKET, Key=f"small/{MANIFEST}")

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[1].components[0].model.weights: s3://weights-test/small/ has no {MANIFEST}: its upload "
        "did not finish, or was not made by stage; run stage again (it resumes): python -m llm_hosting stage "
        "MODEL_ID --to s3://weights-test/small/"
    )


def test_a_file_the_manifest_lists_is_missing(ready: Path, s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    s3.delete_object(Bucket=BUCKET, Key="coder/generation_config.json")

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[0].model.weights: s3://weights-test/coder/ is incomplete: generation_config.json missing "
        f"or not the size {MANIFEST} lists; run stage again"
    )


def test_a_prefix_without_a_tokenizer(ready: Path, s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        p: c
        for p, c in engine_files().items()
        if p not in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
    }
    restage(s3, tmp_path, "coder/", files)

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[0].model.weights: s3://weights-test/coder/ has no tokenizer vocabulary (tokenizer.json, "
        "tokenizer.model, spiece.model, vocab.*, *.tiktoken), so the engine cannot load it"
    )


def test_weights_of_another_architecture(
    ready: Path, s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    restage(s3, tmp_path, "coder/", with_model_type("mistral", "MistralForCausalLM"))

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[0].model.architecture: is 'llama' but s3://weights-test/coder/config.json says "
        "model_type 'mistral'; set architecture: mistral, or stage the model the catalog means"
    )


def test_weights_the_engine_version_cannot_load(
    ready: Path, s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    restage(s3, tmp_path, "small/", with_model_type("t5", "T5ForConditionalGeneration"))

    line = only_line(ready, capsys)
    assert line.startswith(
        f"{ready}: endpoints[1].components[0].model.weights: s3://weights-test/small/ holds a t5 model: lmi 0.32.0 "
        "(vllm path, "
    )
    assert " cannot load t5: it loads " in line


def test_a_bucket_that_does_not_exist(ready: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ready.write_text(CATALOG.replace("s3://weights-test/big/", "s3://no-such-bucket/big/"))

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[1].components[1].model.weights: s3://no-such-bucket/big/: bucket no-such-bucket does not "
        "exist; create it and stage the model there: python -m llm_hosting stage MODEL_ID --to s3://no-such-bucket/big/"
    )


def test_a_quota_one_below_what_the_catalog_reaches(
    ready: Path, registry: RegistryQuotasStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.state.applied["us-east-1"][0] = Quota("ml.g5.2xlarge for endpoint usage", "L-1928E07B", 1)

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[0].instance_count.max: the catalog can reach 2 ml.g5.2xlarge instances (coder 2) but the "
        "quota 'ml.g5.2xlarge for endpoint usage' (L-1928E07B) is 1 in us-east-1; request an increase in Service "
        "Quotas, or lower instance_count.max"
    )


def test_instances_of_one_type_add_up_across_endpoints(
    ready: Path, registry: RegistryQuotasStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    ready.write_text(CATALOG.replace("instance_type: ml.g4dn.xlarge", "instance_type: ml.g5.2xlarge"))

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[0].instance_count.max: the catalog can reach 3 ml.g5.2xlarge instances (coder 2, "
        "embeddings 1) but the quota 'ml.g5.2xlarge for endpoint usage' (L-1928E07B) is 2 in us-east-1; request an "
        "increase in Service Quotas, or lower instance_count.max"
    )


def test_an_instance_type_without_an_endpoint_quota(
    ready: Path, registry: RegistryQuotasStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.state.defaults["us-east-1"] = [q for q in registry.state.defaults["us-east-1"] if "g4dn" not in q.name]

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[2].instance_type: no SageMaker quota is named 'ml.g4dn.xlarge for endpoint usage' in "
        "us-east-1: endpoints cannot run ml.g4dn.xlarge there; choose another instance type or region"
    )


def test_quotas_the_credentials_cannot_read(
    ready: Path, registry: RegistryQuotasStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.state.deny.add("ListServiceQuotas")

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints: cannot read the SageMaker quotas in us-east-1 (ListServiceQuotas: access denied); the "
        "credentials need servicequotas:ListServiceQuotas and servicequotas:ListAWSDefaultServiceQuotas"
    )


def test_an_image_tag_missing_from_the_registry(
    ready: Path, registry: RegistryQuotasStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.state.registries[("us-east-1", DLC)]["sagemaker-tritonserver"] = {"24.09-py3"}

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[2].model.version: image {DLC}.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:"
        f"{TRITON_TAG} is not in its registry (ImageNotFound: Requested image not found); choose a version published "
        "in us-east-1"
    )


def test_an_image_lookup_the_credentials_may_not_make(
    ready: Path, registry: RegistryQuotasStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.state.registries[("us-east-1", DLC)].pop("sagemaker-tritonserver")
    registry.state.deny.add("BatchGetImage")

    code, _, err = check(ready, capsys)
    assert code == 1
    assert err == [
        f"{ready}: endpoints[0].model.version: cannot look up image {DLC}.dkr.ecr.us-east-1.amazonaws.com/djl-inference:"
        f"{LMI_TAG} (BatchGetImage: access denied); the credentials need ecr:BatchGetImage on "
        f"arn:aws:ecr:us-east-1:{DLC}:repository/djl-inference",
        f"{ready}: endpoints[2].model.version: cannot look up image {DLC}.dkr.ecr.us-east-1.amazonaws.com/"
        f"sagemaker-tritonserver:{TRITON_TAG} (BatchGetImage: access denied); the credentials need ecr:BatchGetImage "
        f"on arn:aws:ecr:us-east-1:{DLC}:repository/sagemaker-tritonserver",
    ]


def test_credentials_of_another_account(ready: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ready.write_text(CATALOG.replace("project: onb\n", "project: onb\nenvironment: {account: '999999999999'}\n"))

    assert only_line(ready, capsys) == (
        f"{ready}: environment.account: is 999999999999 but the AWS credentials are for account 123456789012; check "
        "with credentials for 999999999999"
    )


def test_no_region_anywhere_is_one_line(
    ready: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    assert only_line(ready, capsys) == (
        f"{ready}: no AWS region; pass --region, set AWS_REGION, or set environment.region in the catalog"
    )


def test_problems_everywhere_are_one_line_each(
    ready: Path, s3: Any, registry: RegistryQuotasStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    s3.delete_object(Bucket=BUCKET, Key=f"small/{MANIFEST}")
    registry.state.applied["us-east-1"][0] = Quota("ml.g5.2xlarge for endpoint usage", "L-1928E07B", 1)
    registry.state.registries[("us-east-1", DLC)]["sagemaker-tritonserver"] = set()

    code, out, err = check(ready, capsys)

    assert (code, out) == (1, [])
    assert [line.split(": ", 2)[1] for line in err] == [
        "endpoints[1].components[0].model.weights",
        "endpoints[0].instance_count.max",
        "endpoints[2].model.version",
    ]


def test_an_inference_component_endpoint_needs_what_the_planner_places_at_most_copies(
    ready: Path, registry: RegistryQuotasStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """4 copies of small (1 GPU) and 2 of big (2 GPUs) fill two ml.g5.12xlarge (4 GPUs each): 2, not
    instance_count.max (3)."""
    registry.state.defaults["us-east-1"][1] = Quota("ml.g5.12xlarge for endpoint usage", "L-65C4BD00", 1)

    assert only_line(ready, capsys) == (
        f"{ready}: endpoints[1].instance_count.max: the catalog can reach 2 ml.g5.12xlarge instances (shared 2) but "
        "the quota 'ml.g5.12xlarge for endpoint usage' (L-65C4BD00) is 1 in us-east-1; request an increase in Service "
        "Quotas, or lower instance_count.max"
    )


def test_an_architecture_the_engine_cannot_load_is_named_before_anything_is_staged(
    ready: Path, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ready.write_text(CATALOG.replace("architecture: llama", "architecture: t5"))
    empty(s3, "coder/")

    code, _, err = check(ready, capsys)

    # The catalog itself is refused (the engine facts are part of loading it): one line, no AWS call.
    assert code == 1
    (line,) = err
    assert line.startswith(f"{ready}: endpoints[0].model.architecture: lmi 0.32.0 (vllm path, ")
    assert " cannot load t5: " in line
