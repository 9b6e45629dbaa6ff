"""`stage` end to end: the real huggingface_hub client against the Hub stand-in, boto3 against moto."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from llm_hosting.cli import main
from llm_hosting.onboarding.hub import Hub
from llm_hosting.onboarding.manifest import MANIFEST, parse_manifest
from llm_hosting.onboarding.staging import stage_model
from llm_hosting.onboarding.upload import MiB
from tests.onboarding.conftest import BUCKET, GOOD_TOKEN, OTHER_TOKEN
from tests.onboarding.tiny_model import ENGINE_FILES, SHARD_1, SHARD_2
from tests.standins.hf_hub import HubStandIn
from tests.standins.offline_aws import moto_api

PREFIX = "models/tiny/"
DEST = f"s3://{BUCKET}/{PREFIX}"
TQDM = re.compile(r"\d+%\||it/s\]|B/s\]")
"""A progress-bar fragment (huggingface_hub draws its bars whether or not stderr is a terminal)."""


def run(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def stage(cache_dir: Path, *extra: str | Path, model: str = "acme/tiny-llama", to: str = DEST) -> int:
    return run("stage", model, "--to", to, "--cache-dir", cache_dir, "--part-size-mib", "5", *extra)


def output(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], list[str]]:
    captured = capsys.readouterr()
    return captured.out.splitlines(), [line for line in captured.err.splitlines() if line and not TQDM.search(line)]


def keys(s3: Any, prefix: str = PREFIX) -> list[str]:
    return sorted(o["Key"][len(prefix) :] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []))


def versions(s3: Any, prefix: str = PREFIX) -> dict[str, int]:
    counts: dict[str, int] = {}
    for version in s3.list_object_versions(Bucket=BUCKET, Prefix=prefix).get("Versions", []):
        counts[version["Key"][len(prefix) :]] = counts.get(version["Key"][len(prefix) :], 0) + 1
    return counts


def body(s3: Any, key: str) -> bytes:
    data: bytes = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return data


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


# --- what gets staged ---------------------------------------------------------------------------


def test_stage_sends_only_the_engine_files_and_prints_the_catalog_lines(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = stage(cache_dir)
    out, err = output(capsys)

    repo = hub.repos["acme/tiny-llama"]
    assert code == 0
    assert out == [f"weights: {DEST}", "architecture: llama"]
    assert err == [
        f"{DEST}: acme/tiny-llama@main ({repo.commit[:12]}): sent 8 files (676.7 KiB), 0 already there; "
        "complete (8 files, 676.7 KiB)"
    ]
    assert keys(s3) == sorted([*ENGINE_FILES, MANIFEST])
    for path in ENGINE_FILES:
        assert body(s3, PREFIX + path) == repo.files[path]
    # The other weight formats, the original checkpoint and the card never left the Hub.
    assert set(hub.downloads()) == set(ENGINE_FILES)


def test_every_object_has_an_s3_sha256_checksum_of_its_bytes(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path
) -> None:
    assert stage(cache_dir, model="acme/tiny-llama-large") == 0

    repo = hub.repos["acme/tiny-llama-large"]
    for path in ENGINE_FILES:
        content = repo.files[path]
        head = s3.head_object(Bucket=BUCKET, Key=PREFIX + path, ChecksumMode="ENABLED")
        assert head["Metadata"]["sha256"] == hashlib.sha256(content).hexdigest()
        if len(content) <= 5 * MiB:
            assert head["ChecksumSHA256"] == b64(hashlib.sha256(content).digest())
        else:  # SHARD_1 went in two 5 MiB-or-less parts: S3's composite checksum of the part checksums
            parts = [content[: 5 * MiB], content[5 * MiB :]]
            composite = b64(hashlib.sha256(b"".join(hashlib.sha256(p).digest() for p in parts)).digest())
            got = s3.get_object(Bucket=BUCKET, Key=PREFIX + path, ChecksumMode="ENABLED")["ChecksumSHA256"]
            assert (path, got) == (SHARD_1, f"{composite}-2")


def test_the_manifest_lists_the_commit_and_every_file_with_its_checksums(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path
) -> None:
    assert stage(cache_dir) == 0

    manifest = parse_manifest(body(s3, PREFIX + MANIFEST))
    repo = hub.repos["acme/tiny-llama"]
    assert (manifest.model_id, manifest.revision, manifest.commit, manifest.model_type) == (
        "acme/tiny-llama",
        "main",
        repo.commit,
        "llama",
    )
    assert [f.path for f in manifest.files] == list(ENGINE_FILES)
    for staged in manifest.files:
        head = s3.head_object(Bucket=BUCKET, Key=PREFIX + staged.path, ChecksumMode="ENABLED")
        assert staged.size == len(repo.files[staged.path]) == head["ContentLength"]
        assert staged.sha256 == hashlib.sha256(repo.files[staged.path]).hexdigest()
        assert staged.checksum_sha256.split("-")[0] == head["ChecksumSHA256"].split("-")[0]


def test_custom_code_named_by_auto_map_is_staged_with_what_it_imports(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = stage(cache_dir, model="acme/tiny-custom")
    out, err = output(capsys)

    assert code == 0
    assert out == [f"weights: {DEST}", "architecture: tinycoder"]
    code_files = {"configuration_tiny.py", "modeling_tiny.py", "tiny_layers.py", "tokenization_tiny.py"}
    assert set(keys(s3)) == {*ENGINE_FILES, *code_files, MANIFEST}  # not train.py
    assert err[-1] == (
        "note: acme/tiny-custom loads its own code (configuration_tiny.py, modeling_tiny.py, tiny_layers.py, "
        "tokenization_tiny.py); the engine runs it only with properties: {option.trust_remote_code: true}"
    )


def test_allow_patterns_replace_the_choice_and_keep_config_json(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path
) -> None:
    assert stage(cache_dir, "--allow-patterns", "consolidated.safetensors", "tokenizer.json") == 0

    assert keys(s3) == ["config.json", "consolidated.safetensors", MANIFEST, "tokenizer.json"]


def test_a_tag_is_staged_as_its_commit_and_remembered_as_asked(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert stage(cache_dir, "--revision", "v1.0") == 0

    manifest = parse_manifest(body(s3, PREFIX + MANIFEST))
    assert (manifest.revision, manifest.commit) == ("v1.0", hub.repos["acme/tiny-llama"].commit)
    assert f"acme/tiny-llama@v1.0 ({manifest.commit[:12]})" in output(capsys)[1][0]


def test_gated_and_private_models_download_with_a_token_that_has_access(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", GOOD_TOKEN)

    assert stage(cache_dir, model="acme/tiny-gated", to=f"s3://{BUCKET}/gated/") == 0
    assert stage(cache_dir, model="acme/tiny-private", to=f"s3://{BUCKET}/private/") == 0
    assert keys(s3, "gated/") == keys(s3, "private/") == sorted([*ENGINE_FILES, MANIFEST])
    assert {r.authorization for r in hub.requests if r.origin == "hub"} == {f"Bearer {GOOD_TOKEN}"}
    assert {r.authorization for r in hub.requests if r.origin == "cdn"} == {None}  # the token stays on the Hub


# --- resuming -----------------------------------------------------------------------------------


def test_a_second_run_downloads_and_uploads_nothing(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert stage(cache_dir) == 0
    capsys.readouterr()
    hub.requests.clear()

    assert stage(cache_dir) == 0
    out, err = output(capsys)

    assert out == [f"weights: {DEST}", "architecture: llama"]
    commit = hub.repos["acme/tiny-llama"].commit
    assert err == [f"{DEST}: already holds acme/tiny-llama@main ({commit[:12]}), 8 files (676.7 KiB)"]
    assert hub.downloads() == []
    assert versions(s3) == dict.fromkeys([*ENGINE_FILES, MANIFEST], 1)


def test_without_its_manifest_the_prefix_is_checked_object_by_object_and_nothing_is_resent(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert stage(cache_dir) == 0
    s3.delete_object(Bucket=BUCKET, Key=PREFIX + MANIFEST)
    capsys.readouterr()

    assert stage(cache_dir) == 0

    assert output(capsys)[1][0].endswith("sent 0 files (0 B), 8 already there; complete (8 files, 676.7 KiB)")
    assert {k: n for k, n in versions(s3).items() if k != MANIFEST} == dict.fromkeys(ENGINE_FILES, 1)
    assert MANIFEST in keys(s3)


class Interrupted(Exception):
    pass


def test_an_interrupted_upload_resumes_sending_only_the_missing_objects(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[int] = []

    def fault(sent: int) -> None:  # the third transfer is SHARD_1's first part: stop in the middle of it
        calls.append(sent)
        if len(calls) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        stage_model(
            hub=Hub(cache_dir),
            s3=s3,
            model_id="acme/tiny-llama-large",
            revision="main",
            bucket=BUCKET,
            prefix=PREFIX,
            part_size=5 * MiB,
            max_workers=1,
            on_upload_progress=fault,
        )
    assert keys(s3) == ["config.json", "generation_config.json"]  # no manifest: incomplete
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []  # SHARD_1's upload was aborted

    assert stage(cache_dir, model="acme/tiny-llama-large") == 0

    assert output(capsys)[1][0].endswith("sent 6 files (10.5 MiB), 2 already there; complete (8 files, 10.5 MiB)")
    assert versions(s3) == dict.fromkeys([*ENGINE_FILES, MANIFEST], 1)


def test_a_dropped_connection_is_resumed_with_a_range_request(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path
) -> None:
    # huggingface_hub writes what it received in 10 MiB chunks (DOWNLOAD_CHUNK_SIZE), so it resumes
    # from the last whole chunk: cut the 10.5 MiB file after 10.25 MiB.
    weights = hub.repos["acme/tiny-llama-large"].files["consolidated.safetensors"]
    hub.drop_after(weights, 10 * MiB + MiB // 4)

    assert stage(cache_dir, "--allow-patterns", "consolidated.safetensors", model="acme/tiny-llama-large") == 0

    sha = hashlib.sha256(weights).hexdigest()
    transfers = [r.range for r in hub.requests if r.origin == "cdn" and r.path.endswith(sha)]
    assert transfers == [None, f"bytes={10 * MiB}-"]
    assert body(s3, PREFIX + "consolidated.safetensors") == weights


def test_killed_during_the_download_the_next_run_fetches_only_what_is_missing(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path
) -> None:
    repo = hub.repos["acme/tiny-llama"]
    stall = hub.stall(repo.files[SHARD_2])
    argv = ["stage", "acme/tiny-llama", "--to", DEST, "--cache-dir", str(cache_dir), "--max-workers", "2"]
    process = subprocess.Popen(
        [sys.executable, "-m", "llm_hosting", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert stall.reached.wait(timeout=60)
        snapshot = cache_dir / "models--acme--tiny-llama" / "snapshots" / repo.commit
        others = [p for p in ENGINE_FILES if p != SHARD_2]
        deadline = time.monotonic() + 60
        while not all((snapshot / p).exists() for p in others) and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)  # no clean-up at all: as a crash or a lost machine
        process.communicate(timeout=60)
    finally:
        stall.released.set()
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert keys(s3) == []
    hub.requests.clear()

    assert run("stage", "acme/tiny-llama", "--to", DEST, "--cache-dir", cache_dir) == 0

    assert hub.downloads() == [SHARD_2]
    assert keys(s3) == sorted([*ENGINE_FILES, MANIFEST])


# --- bad input: one line each, exit 1, nothing uploaded -----------------------------------------


def _hub_url() -> str:
    return os.environ["HF_ENDPOINT"]


@pytest.mark.parametrize(
    "case",
    [
        (
            "acme/nope",
            None,
            "acme/nope: no such model on {url}, or it is private and HF_TOKEN is not set; check the id, or set "
            "HF_TOKEN to a token that can read it",
        ),
        (
            "acme/tiny-private",
            None,
            "acme/tiny-private: no such model on {url}, or it is private and HF_TOKEN is not set; check the id, or "
            "set HF_TOKEN to a token that can read it",
        ),
        (
            "acme/tiny-private",
            OTHER_TOKEN,
            "acme/tiny-private: no such model on {url}, or your HF_TOKEN cannot read it; check the id and the token",
        ),
        (
            "acme/tiny-gated",
            None,
            "acme/tiny-gated is gated: accept its terms at {url}/acme/tiny-gated and set HF_TOKEN to a token of "
            "that account",
        ),
        (
            "acme/tiny-gated",
            OTHER_TOKEN,
            "acme/tiny-gated is gated and your HF_TOKEN has no access yet; accept its terms at "
            "{url}/acme/tiny-gated, then retry",
        ),
        (
            "acme/tiny-llama",
            "hf_revoked",
            "HF_TOKEN is not a valid Hugging Face token (the Hub answered 401); set a current one",
        ),
        (
            "not a model id",
            None,
            "MODEL_ID 'not a model id' is not a Hugging Face model id; write it as owner/name, e.g. google/flan-t5-xxl",
        ),
    ],
    ids=[
        "unknown",
        "private-no-token",
        "private-other-token",
        "gated-no-token",
        "gated-no-access",
        "bad-token",
        "bad-id",
    ],
)
@pytest.mark.usefixtures("hub", "bucket")
def test_hub_refusals_are_one_line(
    case: tuple[str, str | None, str],
    s3: Any,
    cache_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, token, expected = case
    if token:
        monkeypatch.setenv("HF_TOKEN", token)

    code = stage(cache_dir, model=model)

    assert (code, output(capsys)) == (1, ([], [expected.format(url=_hub_url())]))
    assert keys(s3) == []


def test_an_unknown_revision_is_one_line(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = stage(cache_dir, "--revision", "v9")

    assert (code, output(capsys)[1]) == (
        1,
        [
            f"--revision 'v9': acme/tiny-llama has no such branch, tag or commit; see {_hub_url()}/acme/tiny-llama/"
            "tree/main for its branches and tags"
        ],
    )


def test_a_repository_without_weights_is_one_line(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = stage(cache_dir, model="acme/no-weights")

    commit = hub.repos["acme/no-weights"].commit
    assert (code, output(capsys)[1]) == (
        1,
        [
            f"acme/no-weights@main ({commit[:12]}): holds no weight files (model.safetensors, "
            "model.safetensors.index.json and its shards, or pytorch_model.bin); stage a transformers model, or "
            "name the files with --allow-patterns"
        ],
    )
    assert keys(s3) == []


def _needed(hub: HubStandIn) -> int:
    """What the download writes: the engine files less the three read first (config, index, tokenizer config)."""
    read_first = {"config.json", "model.safetensors.index.json", "tokenizer_config.json"}
    return sum(len(hub.repos["acme/tiny-llama"].files[p]) for p in ENGINE_FILES if p not in read_first)


@pytest.mark.usefixtures("bucket")
def test_a_download_the_disk_cannot_hold_is_refused_before_it_starts(
    hub: HubStandIn,
    s3: Any,
    cache_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    needed = _needed(hub)
    monkeypatch.setattr("llm_hosting.onboarding.hub.free_bytes", lambda path: needed - 1)

    code = stage(cache_dir)

    assert (code, output(capsys)[1]) == (
        1,
        [
            f"not enough disk space in {cache_dir}: acme/tiny-llama needs 675.2 KiB more ({needed} bytes) and "
            f"675.2 KiB ({needed - 1} bytes) are free; free some, or pass --cache-dir on a larger disk"
        ],
    )
    assert [r for r in hub.requests if r.origin == "cdn"] == []
    assert keys(s3) == []


def test_exactly_enough_disk_is_enough(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needed = _needed(hub)
    monkeypatch.setattr("llm_hosting.onboarding.hub.free_bytes", lambda path: needed)

    assert stage(cache_dir) == 0


def test_a_missing_bucket_is_one_line_before_any_weights_are_downloaded(
    hub: HubStandIn, aws: None, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = stage(cache_dir, to="s3://no-such-bucket/x/")

    assert (code, output(capsys)[1]) == (
        1,
        ["s3://no-such-bucket/x/: bucket no-such-bucket does not exist; create it, or check the bucket name"],
    )
    assert [r for r in hub.requests if r.origin == "cdn"] == []


@pytest.mark.usefixtures("bucket")
def test_a_bucket_the_credentials_cannot_write_is_one_line_before_any_weights_are_downloaded(
    hub: HubStandIn,
    cache_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    moto_url: str,
) -> None:
    iam = boto3.client("iam")
    iam.create_user(UserName="reader")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"},
        ],
    }
    iam.put_user_policy(UserName="reader", PolicyName="read-only", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    moto_api(moto_url, "reset-auth", b"0")  # moto checks IAM policies from here on
    try:
        code = stage(cache_dir)
    finally:
        moto_api(moto_url, "reset-auth", b"inf")

    assert (code, output(capsys)[1]) == (
        1,
        [
            f"{DEST}: bucket {BUCKET} is not writable (AccessDenied on CreateMultipartUpload); your credentials need "
            f"s3:PutObject on arn:aws:s3:::{BUCKET}/{PREFIX}* (and kms:GenerateDataKey on the bucket's key if it "
            "uses SSE-KMS)"
        ],
    )
    assert [r for r in hub.requests if r.origin == "cdn"] == []


def test_objects_of_another_model_under_the_prefix_are_refused_unless_pruned(
    hub: HubStandIn, bucket: str, s3: Any, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s3.put_object(Bucket=BUCKET, Key=PREFIX + "pytorch_model.bin", Body=b"old weights")

    code = stage(cache_dir)
    assert (code, output(capsys)[1]) == (
        1,
        [
            f"{DEST}: holds 1 object that is not files of acme/tiny-llama@main "
            f"({hub.repos['acme/tiny-llama'].commit[:12]}) (pytorch_model.bin), which the engine would load too; "
            "stage into an empty prefix, or pass --prune to delete them"
        ],
    )
    assert [r for r in hub.requests if r.origin == "cdn"] == []

    assert stage(cache_dir, "--prune") == 0
    assert keys(s3) == sorted([*ENGINE_FILES, MANIFEST])
    assert output(capsys)[1][0].endswith("; deleted 1 other objects")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["acme/tiny-llama"], "pass --to s3://BUCKET/PREFIX/, or --endpoint NAME for the artifact bucket's weights/"),
        (
            ["acme/tiny-llama", "--to", DEST, "--component", "c"],
            "--component needs --endpoint: name the inference-component endpoint too",
        ),
        (
            ["acme/tiny-llama", "--to", DEST, "--write"],
            "--write needs --endpoint (and --component for an inference component): the entry to write",
        ),
        (
            ["acme/tiny-llama", "--to", "s3://Not_A_Bucket/x/"],
            "--to 's3://Not_A_Bucket/x/' is not an S3 prefix; write s3://BUCKET/PREFIX/ with a bucket name of 3-63 "
            "lower-case letters, digits, dots and hyphens",
        ),
    ],
    ids=["no-destination", "component-alone", "write-alone", "bad-prefix"],
)
def test_bad_arguments_are_one_line(
    argv: list[str], expected: str, hub: HubStandIn, aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (run("stage", *argv), output(capsys)) == (1, ([], [expected]))


@pytest.mark.parametrize(("value", "accepted"), [("5", True), ("4", False), ("5120", True), ("5121", False)])
def test_part_size_is_within_s3s_limits(value: str, accepted: bool, capsys: pytest.CaptureFixture[str]) -> None:
    from llm_hosting.cli import build_parser

    argv = ["stage", "acme/tiny-llama", "--to", DEST, "--part-size-mib", value]
    if accepted:
        assert build_parser().parse_args(argv).part_size_mib == int(value)
        return
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    assert f"argument --part-size-mib: must be 5-5120 (S3's part sizes in MiB), got {value}" in capsys.readouterr().err


def test_the_library_imports_without_the_cli_extra() -> None:
    code = (
        "import sys, llm_hosting, llm_hosting.cli; "
        "loaded = [m for m in ('huggingface_hub', 'ruamel.yaml', 'httpx2') if m in sys.modules]; "
        "print(loaded)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[]"


def test_progress_bars_show_both_halves_on_a_terminal(hub: HubStandIn, bucket: str, cache_dir: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    argv = [sys.executable, "-m", "llm_hosting", "stage", "acme/tiny-llama", "--to", DEST]
    argv += ["--cache-dir", str(cache_dir), "--part-size-mib", "5"]
    controller, terminal = pty.openpty()
    # A terminal 160 columns wide: tqdm sizes its bars to the terminal, and a new pty has no size.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    process = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=120) == 0
    screen = b"".join(chunks).decode(errors="replace")
    assert "Fetching 8 files" in screen  # huggingface_hub's download bar
    assert "upload:" in screen and "677k" in screen  # the upload bar, in bytes
    assert f"weights: {DEST}" in screen
