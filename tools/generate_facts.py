"""`make facts`: write the library's image and GPU facts from the SageMaker Python SDK's own data.

The SDK keeps, per serving image, every version's repository, tag and registry account per region,
and per region the GPU count and memory of each instance type. This tool reads that data out of the
pinned `sagemaker-core` wheel (zip members, JSON and Python source parsed with `ast`; nothing in the
wheel is imported or run) and writes `constructs/llm_hosting/facts/sdk_images.json` and
`sdk_gpus.json`. It lives outside the library, and imports nothing from it, so that it runs even when
those files are missing or broken; the library only reads them.

    python tools/generate_facts.py [--cache DIR] [--out DIR] [--fetch-only]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SDK_DISTRIBUTION = "sagemaker-core"
SDK_VERSION = "2.27.0"
SDK_WHEEL = "sagemaker_core-2.27.0-py3-none-any.whl"
SDK_WHEEL_SHA256 = "62e5b4e2296dd26c042f28d26b9292501cdcf0c83a02656e280d61f132114312"
"""sha256 of the wheel PyPI serves for sagemaker-core 2.27.0 (what `pip download` fetched)."""

COMMAND = "make facts (python tools/generate_facts.py)"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / ".cache" / "sdk"
OUTPUT_DIR = ROOT / "constructs" / "llm_hosting" / "facts"
IMAGES_FILE = "sdk_images.json"
GPUS_FILE = "sdk_gpus.json"

ENGINE_CONFIGS: Mapping[str, str] = {
    "fastertransformer": "djl-fastertransformer",
    "lmi": "djl-lmi",
    "tensorrt-llm": "djl-tensorrtllm",
    "triton": "sagemaker-tritonserver",
}
"""Catalog engine name -> the SDK's framework name (its `image_uri_config/<name>.json`)."""

_PACKAGE = "sagemaker/core"
_CONFIG_DIR = f"{_PACKAGE}/image_uri_config"
_IMAGE_URIS = f"{_PACKAGE}/image_uris.py"
_COMMON_UTILS = f"{_PACKAGE}/common_utils.py"
_GPU_INFO = f"{_CONFIG_DIR}/instance_gpu_info.json"

# What this generator knows how to turn into a tag exactly as `image_uris.retrieve()` does. Any other
# key (py_versions, container_version, ...) changes the tag, so an SDK release that adds one to these
# images stops the generator rather than producing a URI that does not exist.
_FRAMEWORK_KEYS = {"scope", "versions", "version_aliases", "processors"}
_VERSION_KEYS = {"registries", "repository", "tag_prefix", "processors"}

# The SDK code the generated hosts and tags depend on, as it reads in sagemaker-core 2.27.0. The
# generator compares the wheel's syntax trees with these and refuses to run when they differ.
_ECR_URI_TEMPLATE = "{registry}.dkr.{hostname}/{repository}"
_DOMAIN_RETURN = 'ALTERNATE_DOMAINS.get(region, "amazonaws.com")'
_TRITON_GPU_TAG = (
    'if framework == SAGEMAKER_TRITONSERVER_FRAMEWORK:\n    if processor == "gpu":\n        tag = tag.rstrip("-gpu")'
)
_FORMAT_TAG_RETURN = 'return "-".join(x for x in (tag_prefix, processor, py_version, container_version) if x)'


class FactsError(Exception):
    """The wheel could not be fetched, or its data is not what this generator can translate."""


# --- the wheel ---------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def pip_download(destination: Path) -> None:
    """`pip download --no-deps` of the pinned release into `destination` (the wheel only: no deps)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet"]
    command += ["--dest", str(destination), f"{SDK_DISTRIBUTION}=={SDK_VERSION}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise FactsError(f"pip download {SDK_DISTRIBUTION}=={SDK_VERSION} failed: {' / '.join(tail)}")


def ensure_wheel(cache: Path, download: Callable[[Path], None] = pip_download) -> Path:
    """The pinned wheel in `cache`, downloaded only when it is missing or its sha256 is not the pinned one.

    The download lands in a scratch directory and is moved into place only after its hash matched,
    so the cache never holds a partial or unexpected wheel under the pinned name."""
    wheel = cache / SDK_WHEEL
    if wheel.is_file() and sha256_of(wheel) == SDK_WHEEL_SHA256:
        return wheel
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="download-", dir=cache))
    try:
        download(scratch)
        fetched = scratch / SDK_WHEEL
        if not fetched.is_file():
            found = ", ".join(sorted(p.name for p in scratch.iterdir())) or "nothing"
            raise FactsError(f"pip download left {found} in {scratch}, not {SDK_WHEEL}")
        digest = sha256_of(fetched)
        if digest != SDK_WHEEL_SHA256:
            raise FactsError(
                f"{SDK_WHEEL} has sha256 {digest}, not the pinned {SDK_WHEEL_SHA256}: the index served a "
                "different file; check the index, or pin the new hash in tools/generate_facts.py "
                "after reviewing the release"
            )
        os.replace(fetched, wheel)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return wheel


@dataclass(frozen=True)
class _Wheel:
    name: str
    sha256: str
    members: Mapping[str, bytes]

    def text(self, member: str) -> str:
        try:
            return self.members[member].decode()
        except KeyError:
            raise FactsError(f"{self.name} has no {member}") from None

    def json(self, member: str) -> Any:
        try:
            return json.loads(self.text(member))
        except json.JSONDecodeError as err:
            raise FactsError(f"{self.name}: {member} is not JSON ({err})") from None


def _read_wheel(path: Path) -> _Wheel:
    wanted = {
        _IMAGE_URIS,
        _COMMON_UTILS,
        _GPU_INFO,
        *(f"{_CONFIG_DIR}/{name}.json" for name in ENGINE_CONFIGS.values()),
    }
    try:
        with zipfile.ZipFile(path) as archive:
            members = {name: archive.read(name) for name in archive.namelist() if name in wanted}
    except zipfile.BadZipFile as err:
        raise FactsError(f"{path} is not a wheel ({err})") from None
    return _Wheel(name=path.name, sha256=sha256_of(path), members=members)


# --- the SDK code the facts depend on ----------------------------------------------------------


def _module(wheel: _Wheel, member: str) -> ast.Module:
    return ast.parse(wheel.text(member), filename=member)


def _assigned(module: ast.Module, name: str, member: str) -> Any:
    for node in module.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise FactsError(f"{member} no longer assigns {name}; read it again and update tools/generate_facts.py")


def _function(module: ast.Module, name: str, member: str) -> ast.FunctionDef:
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise FactsError(f"{member} no longer defines {name}(); read it again and update tools/generate_facts.py")


def _contains(function: ast.FunctionDef, snippet: str) -> bool:
    expected = ast.dump(ast.parse(snippet).body[0])
    return any(ast.dump(node) == expected for node in ast.walk(function) if isinstance(node, ast.stmt))


def _require(function: ast.FunctionDef, snippet: str, member: str) -> None:
    if not _contains(function, snippet):
        raise FactsError(
            f"{member} {function.name}() no longer has `{snippet.splitlines()[-1].strip()}` as this generator "
            "expects; read it again and update tools/generate_facts.py"
        )


@dataclass(frozen=True)
class _UriRules:
    """How `image_uris.retrieve()` composes a URI, taken from the wheel's code."""

    alternate_domains: Mapping[str, str]
    default_domain: str
    triton_framework: str

    def host(self, region: str, account: str) -> str:
        # retrieve() takes the host name from botocore's endpoint for ("ecr", region), which is
        # ecr.<region>.<the partition's DNS suffix>; the SDK's own table of those suffixes is
        # get_domain_for_region() (tests check both agree for every region generated).
        domain = self.alternate_domains.get(region, self.default_domain)
        return _ECR_URI_TEMPLATE.split("/", 1)[0].format(registry=account, hostname=f"ecr.{region}.{domain}")

    def tag(self, framework: str, tag_prefix: str, processor: str | None) -> str:
        # _format_tag(): the non-empty parts joined by "-" (no py_version/container_version here).
        tag = "-".join(part for part in (tag_prefix, processor) if part)
        if framework == self.triton_framework and processor == "gpu":
            tag = tag.rstrip("-gpu")  # as the SDK does: a character-set strip, not a suffix removal
        return tag


def _uri_rules(wheel: _Wheel) -> _UriRules:
    image_uris = _module(wheel, _IMAGE_URIS)
    template = _assigned(image_uris, "ECR_URI_TEMPLATE", _IMAGE_URIS)
    if template != _ECR_URI_TEMPLATE:
        raise FactsError(
            f"{_IMAGE_URIS} ECR_URI_TEMPLATE is {template!r}, not {_ECR_URI_TEMPLATE!r}; update the generator"
        )
    _require(_function(image_uris, "_get_image_tag", _IMAGE_URIS), _TRITON_GPU_TAG, _IMAGE_URIS)
    _require(_function(image_uris, "_format_tag", _IMAGE_URIS), _FORMAT_TAG_RETURN, _IMAGE_URIS)
    common = _module(wheel, _COMMON_UTILS)
    _require(_function(common, "get_domain_for_region", _COMMON_UTILS), f"return {_DOMAIN_RETURN}", _COMMON_UTILS)
    return _UriRules(
        alternate_domains=_assigned(common, "ALTERNATE_DOMAINS", _COMMON_UTILS),
        default_domain="amazonaws.com",
        triton_framework=_assigned(image_uris, "SAGEMAKER_TRITONSERVER_FRAMEWORK", _IMAGE_URIS),
    )


# --- images ------------------------------------------------------------------------------------


def _version_key(version: str, member: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        raise FactsError(f"{member}: version {version!r} is not dotted numbers; update the generator") from None


def _unknown(keys: Iterable[str], allowed: set[str], where: str) -> None:
    extra = sorted(set(keys) - allowed)
    if extra:
        raise FactsError(
            f"{where} has {', '.join(extra)}, which changes the image tag in ways this generator does not "
            "reproduce; read image_uris.retrieve() again and extend tools/generate_facts.py"
        )


def _engine_images(
    framework: str, wheel: _Wheel, rules: _UriRules, accounts: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    member = f"{_CONFIG_DIR}/{framework}.json"
    config = wheel.json(member)
    _unknown(config, _FRAMEWORK_KEYS, member)
    if "inference" not in config.get("scope", ["inference"]):
        raise FactsError(f"{member} scope {config['scope']} has no inference images")
    versions = config["versions"]
    ordered = sorted(versions, key=lambda v: _version_key(v, member), reverse=True)
    aliases = config.get("version_aliases", {})
    _unknown(aliases, {"latest"}, f"{member} version_aliases")
    if aliases and aliases.get("latest") != ordered[0]:
        raise FactsError(f"{member} aliases latest to {aliases['latest']}, but its newest version is {ordered[0]}")
    rows = []
    for version in ordered:
        spec = versions[version]
        where = f"{member} version {version}"
        _unknown(spec, _VERSION_KEYS, where)
        processors = config.get("processors") or spec.get("processors") or []
        if processors and "gpu" not in processors:
            raise FactsError(f"{where} has processors {processors} and no gpu image")
        tag_prefix = spec.get("tag_prefix", version)  # retrieve(): version_config.get("tag_prefix", version)
        registries: Mapping[str, str] = spec["registries"]
        for region, account in registries.items():
            seen = accounts.setdefault(region, (account, where))
            if seen[0] != account:
                # The stacks key one registry mapping by region, so one account per region is an invariant.
                raise FactsError(f"{region} has registry {account} in {where} but {seen[0]} in {seen[1]}")
        rows.append(
            {
                "version": version,
                "repository": spec["repository"],
                "tag": rules.tag(framework, tag_prefix, "gpu" if processors else None),
                "cpu_tag": rules.tag(framework, tag_prefix, "cpu") if "cpu" in processors else None,
                "regions": sorted(registries),
            }
        )
    return {"sdk_framework": framework, "versions": rows}


def images_document(wheel: _Wheel) -> dict[str, Any]:
    rules = _uri_rules(wheel)
    accounts: dict[str, tuple[str, str]] = {}
    engines = {
        engine: _engine_images(framework, wheel, rules, accounts) for engine, framework in ENGINE_CONFIGS.items()
    }
    registries = {
        region: {"account": account, "host": rules.host(region, account)}
        for region, (account, _) in sorted(accounts.items())
    }
    members = [_IMAGE_URIS, _COMMON_UTILS, *(f"{_CONFIG_DIR}/{name}.json" for name in ENGINE_CONFIGS.values())]
    return {"generated": _header(wheel, members), "registries": registries, "engines": engines}


# --- GPUs --------------------------------------------------------------------------------------


def gpus_document(wheel: _Wheel) -> dict[str, Any]:
    """GPU count and total memory per instance type, with the rows that differ between regions.

    Each type's value is the one most regions list (ties: the alphabetically first such region's);
    `regional_differences` names every region that lists another value or lacks the type."""
    info: Mapping[str, Mapping[str, Mapping[str, int]]] = wheel.json(_GPU_INFO)
    regions = sorted(info)
    per_type: dict[str, dict[str, tuple[int, int]]] = {}
    for region in regions:
        for name, row in info[region].items():
            _unknown(row, {"Count", "TotalGpuMemoryInMiB"}, f"{_GPU_INFO} {region} {name}")
            per_type.setdefault(name, {})[region] = (row["Count"], row["TotalGpuMemoryInMiB"])
    types: dict[str, dict[str, int]] = {}
    differences: dict[str, dict[str, dict[str, int] | None]] = {}
    for name in sorted(per_type):
        values = per_type[name]
        counts = Counter(values.values())
        top = max(counts.values())
        value = next(values[r] for r in regions if r in values and counts[values[r]] == top)
        types[name] = {"gpus": value[0], "gpu_memory_mib": value[1]}
        other = {
            region: (None if region not in values else {"gpus": values[region][0], "gpu_memory_mib": values[region][1]})
            for region in regions
            if values.get(region) != value
        }
        if other:
            differences[name] = other
    return {
        "generated": _header(wheel, [_GPU_INFO]),
        "regions": regions,
        "instance_types": types,
        "regional_differences": differences,
    }


# --- output ------------------------------------------------------------------------------------


def _header(wheel: _Wheel, members: list[str]) -> dict[str, Any]:
    return {
        "from": f"{SDK_DISTRIBUTION} {SDK_VERSION}: {wheel.name}, sha256 {wheel.sha256}",
        "members": members,
        "by": COMMAND,
        "note": "Generated; do not edit. Change the pin in tools/generate_facts.py and run make facts.",
    }


def render(wheel_path: Path) -> dict[str, str]:
    """File name -> exact file text, from the wheel at `wheel_path`."""
    wheel = _read_wheel(wheel_path)
    documents = {IMAGES_FILE: images_document(wheel), GPUS_FILE: gpus_document(wheel)}
    return {name: json.dumps(document, indent=2, ensure_ascii=False) + "\n" for name, document in documents.items()}


def write(files: Mapping[str, str], out: Path) -> list[str]:
    """Write each file whole (a temporary file renamed over the old one); the names of those that changed."""
    out.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in files.items():
        target = out / name
        data = text.encode()
        if target.is_file() and target.read_bytes() == data:
            continue
        scratch = target.with_name(f".{name}.tmp")
        scratch.write_bytes(data)
        os.replace(scratch, target)
        changed.append(name)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/generate_facts.py", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="wheel cache (default: .cache/sdk)")
    parser.add_argument("--out", type=Path, default=OUTPUT_DIR, help="where to write (default: the library's facts/)")
    parser.add_argument("--fetch-only", action="store_true", help="only make sure the pinned wheel is in the cache")
    args = parser.parse_args(argv)
    try:
        wheel = ensure_wheel(args.cache)
        if args.fetch_only:
            return 0
        files = render(wheel)
        changed = write(files, args.out)
    except FactsError as err:
        print(f"facts: {err}", file=sys.stderr)
        return 1
    for name in files:
        print(f"{args.out / name}: {'written' if name in changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
