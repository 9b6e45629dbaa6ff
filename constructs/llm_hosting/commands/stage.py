"""`stage`: download a model from the Hugging Face Hub (only what the engine needs) and upload it to S3.

The destination is `--to s3://BUCKET/PREFIX/`, or with `--endpoint NAME [--component NAME]` the
artifact bucket's `weights/<endpoint>[/<component>]/`. It ends by printing the catalog lines
(`weights:`, `architecture:`); `--write` puts them into that catalog entry. huggingface_hub and
ruamel.yaml (the `cli` extra) are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]

from llm_hosting.catalog import LoadedCatalog, load_catalog
from llm_hosting.catalog.errors import Loc, format_path
from llm_hosting.commands.arguments import whole_number
from llm_hosting.commands.publish import guarded
from llm_hosting.naming import DEFAULT_CATALOG, weights_prefix
from llm_hosting.onboarding import OnboardingError, size_text
from llm_hosting.onboarding.upload import DEFAULT_PART_SIZE, MAX_PART_SIZE, MIN_PART_SIZE, MiB, split_s3_prefix
from llm_hosting.publish import find_artifact_bucket


@dataclass(frozen=True)
class CatalogTarget:
    catalog: LoadedCatalog
    loc: Loc
    endpoint: str
    component: str | None


def catalog_target(args: argparse.Namespace) -> CatalogTarget:
    """The catalog entry `--endpoint`/`--component` names; it must be a DJL model (one reads weights)."""
    from llm_hosting.onboarding.catalog_view import djl_models  # noqa: PLC0415

    catalog = load_catalog(args.catalog)
    source = args.catalog
    endpoint = catalog.endpoint(args.endpoint)
    if endpoint is None:
        known = ", ".join(e.name for e in catalog.endpoints) or "none"
        raise OnboardingError(f"{source}: --endpoint {args.endpoint!r}: no such endpoint; use one of: {known}")
    if endpoint.type == "multi-model":
        raise OnboardingError(
            f"{source}: --endpoint {args.endpoint!r} is a multi-model endpoint, whose models are archives "
            "(python -m llm_hosting publish), not weights; name a single-model endpoint or an inference component"
        )
    components = [c.name for c in endpoint.components]
    if endpoint.type == "inference-components" and args.component is None:
        raise OnboardingError(
            f"{source}: --endpoint {args.endpoint!r} has inference components; pass --component with one of: "
            f"{', '.join(components)}"
        )
    if endpoint.type != "inference-components" and args.component is not None:
        raise OnboardingError(
            f"{source}: --component: endpoint {args.endpoint!r} is {endpoint.type} and has no components; "
            "leave --component out"
        )
    if args.component is not None and args.component not in components:
        raise OnboardingError(
            f"{source}: --component {args.component!r}: endpoint {args.endpoint!r} has no such component; use one "
            f"of: {', '.join(components)}"
        )
    for model in djl_models(catalog):
        if model.endpoint == args.endpoint and model.component == args.component:
            return CatalogTarget(catalog, model.loc, args.endpoint, args.component)
    what = f"component {args.component!r}" if args.component else f"endpoint {args.endpoint!r}"
    raise OnboardingError(
        f"{source}: {what} does not run a DJL engine (fastertransformer, lmi, tensorrt-llm), the only ones that "
        "read weights from S3; stage weights for a DJL model"
    )


def _check_arguments(args: argparse.Namespace) -> None:
    if args.to is None and args.endpoint is None:
        raise OnboardingError("pass --to s3://BUCKET/PREFIX/, or --endpoint NAME for the artifact bucket's weights/")
    if args.component is not None and args.endpoint is None:
        raise OnboardingError("--component needs --endpoint: name the inference-component endpoint too")
    if args.write and args.endpoint is None:
        raise OnboardingError(
            "--write needs --endpoint (and --component for an inference component): the entry to write"
        )


def _stage(args: argparse.Namespace) -> int:
    from huggingface_hub import constants as hf_constants  # noqa: PLC0415 - the cli extra loads only here

    from llm_hosting.onboarding.hub import Hub  # noqa: PLC0415
    from llm_hosting.onboarding.staging import stage_model  # noqa: PLC0415

    _check_arguments(args)
    target = catalog_target(args) if args.endpoint is not None else None
    region = args.region or (target.catalog.region if target else None)
    session = boto3.session.Session(region_name=region)
    if args.to is not None:
        bucket, prefix = split_s3_prefix(args.to)
    elif target is not None:
        bucket = find_artifact_bucket(session.client("cloudformation"), target.catalog.spec.project)
        prefix = weights_prefix(target.endpoint, target.component)

    hub = Hub(Path(args.cache_dir) if args.cache_dir else Path(hf_constants.HF_HUB_CACHE))
    result = stage_model(
        hub=hub,
        s3=session.client("s3"),
        model_id=args.model_id,
        revision=args.revision,
        bucket=bucket,
        prefix=prefix,
        region=session.region_name,
        allow_patterns=args.allow_patterns,
        prune=args.prune,
        max_workers=args.max_workers,
        part_size=args.part_size_mib * MiB,
    )

    total = sum(result.model.sizes[f] for f in result.selection.files)
    if result.already_staged:
        print(
            f"{result.uri}: already holds {result.model.label}, {len(result.kept)} files ({size_text(total)})",
            file=sys.stderr,
        )
    else:
        print(
            f"{result.uri}: {result.model.label}: sent {len(result.sent)} files ({size_text(result.bytes_sent)}), "
            f"{len(result.kept)} already there; complete ({len(result.selection.files)} files, {size_text(total)})"
            + (f"; deleted {len(result.pruned)} other objects" if result.pruned else ""),
            file=sys.stderr,
        )
    if result.selection.custom_code:
        print(
            f"note: {result.model.model_id} loads its own code ({', '.join(result.selection.custom_code)}); the "
            "engine runs it only with properties: {option.trust_remote_code: true}",
            file=sys.stderr,
        )
    for reference in result.selection.remote_code:
        print(f"note: auto_map refers to code in another repository ({reference}); it was not staged", file=sys.stderr)

    print(f"weights: {result.uri}")
    print(f"architecture: {result.selection.model_type}")
    if args.write and target is not None:
        from llm_hosting.onboarding.catalog_edit import write_model_weights  # noqa: PLC0415

        write_model_weights(
            Path(args.catalog), target.loc, weights=result.uri, architecture=result.selection.model_type
        )
        print(f"{args.catalog}: wrote weights and architecture into {format_path(target.loc)}", file=sys.stderr)
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `stage` to an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "stage",
        help="download a model from the Hugging Face Hub and upload what the engine needs to S3",
        description=(
            "Download MODEL_ID from the Hugging Face Hub (config, one weight format with safetensors first, "
            "tokenizer, custom code its auto_map needs) through huggingface_hub's cache, upload it to an S3 prefix "
            "with SHA-256 checksums S3 verifies, and write llm-hosting-manifest.json last to mark the prefix "
            "complete. A rerun skips files already downloaded and objects S3 already holds with the same checksum. "
            "HF_TOKEN is used for gated and private models, HF_ENDPOINT for another Hub. Prints the catalog lines "
            "weights: and architecture:."
        ),
    )
    parser.add_argument("model_id", metavar="MODEL_ID", help="Hugging Face model id, e.g. google/flan-t5-xxl")
    parser.add_argument("--revision", default="main", help="branch, tag or commit (default: main)")
    parser.add_argument("--to", metavar="s3://BUCKET/PREFIX/", help="destination prefix")
    parser.add_argument(
        "--endpoint",
        metavar="NAME",
        help="destination: the artifact bucket's weights/<endpoint>/ (stack <project>-artifacts); also names the "
        "catalog entry for --write",
    )
    parser.add_argument(
        "--component", metavar="NAME", help="inference component of --endpoint: weights/<endpoint>/<component>/"
    )
    parser.add_argument(
        "--catalog", default=DEFAULT_CATALOG, metavar="PATH", help=f"catalog file (default: {DEFAULT_CATALOG})"
    )
    parser.add_argument("--region", metavar="REGION", help="AWS region (default: the catalog's, else your AWS config)")
    parser.add_argument("--write", action="store_true", help="write weights and architecture into the catalog entry")
    parser.add_argument(
        "--allow-patterns",
        nargs="+",
        metavar="PATTERN",
        help="stage the files matching these patterns (fnmatch, e.g. '*.safetensors' tokenizer.json) instead of "
        "the automatic choice; config.json is always staged",
    )
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="download cache (default: huggingface_hub's, HF_HUB_CACHE or HF_HOME/hub)"
    )
    parser.add_argument(
        "--prune", action="store_true", help="delete objects under the prefix that are not this model's"
    )
    parser.add_argument(
        "--max-workers", type=whole_number(1, 64), default=8, metavar="N", help="parts uploaded at once (default: 8)"
    )
    parser.add_argument(
        "--part-size-mib",
        type=whole_number(MIN_PART_SIZE // MiB, MAX_PART_SIZE // MiB, " (S3's part sizes in MiB)"),
        default=DEFAULT_PART_SIZE // MiB,
        metavar="MIB",
        help=f"multipart upload part size, {MIN_PART_SIZE // MiB}-{MAX_PART_SIZE // MiB} MiB (S3's limits; default "
        f"{DEFAULT_PART_SIZE // MiB}); files up to one part go in a single PUT",
    )
    parser.set_defaults(run=guarded(_stage))
    return parser
