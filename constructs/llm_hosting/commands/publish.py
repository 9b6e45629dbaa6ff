"""`publish`: pack a model directory and put it on a multi-model endpoint's S3 prefix.

Also the pieces both AWS commands share (`publish`, `warmup`): finding the endpoint in the catalog,
the AWS session and artifact bucket, and turning AWS errors into one line instead of a traceback.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from llm_hosting.catalog import CatalogError, LoadedCatalog, Problem, load_catalog
from llm_hosting.catalog.schema import MultiModelEndpointSpec
from llm_hosting.naming import DEFAULT_CATALOG, model_prefix
from llm_hosting.onboarding import OnboardingError, byte_bar
from llm_hosting.publish import (
    ACCESS_DENIED_CODES,
    ModelArchive,
    Published,
    PublishError,
    Written,
    error_code,
    find_artifact_bucket,
    pack_model,
    publish_archive,
    write_archive,
)

# What to ask for when an operation is denied.
_PERMISSIONS = {
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject (and kms:GenerateDataKey on the artifact key)",
    "CreateMultipartUpload": "s3:PutObject (and kms:GenerateDataKey on the artifact key)",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "ListObjectsV2": "s3:ListBucket",
    "DescribeStacks": "cloudformation:DescribeStacks",
    "InvokeEndpoint": "sagemaker:InvokeEndpoint",
}


# --- shared by the AWS commands ---------------------------------------------------------------


@dataclass(frozen=True)
class EndpointTarget:
    """A multi-model endpoint of the catalog, and where its archives live."""

    catalog: LoadedCatalog
    endpoint: MultiModelEndpointSpec
    session: Any
    bucket: str
    prefix: str


def add_target_arguments(parser: argparse.ArgumentParser, *, endpoint_required: bool = True) -> None:
    parser.add_argument(
        "--endpoint", required=endpoint_required, metavar="NAME", help="a multi-model endpoint of the catalog"
    )
    parser.add_argument(
        "--catalog", default=DEFAULT_CATALOG, metavar="PATH", help=f"catalog file (default: {DEFAULT_CATALOG})"
    )
    parser.add_argument(
        "--bucket",
        metavar="BUCKET",
        help="artifact bucket (default: the ArtifactBucketName output of stack <project>-artifacts)",
    )
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="AWS region (default: the catalog's environment.region, else your AWS config)",
    )


def multi_model_endpoint(catalog: LoadedCatalog, name: str, source: str) -> MultiModelEndpointSpec:
    """The catalog's endpoint `name`, which must be a multi-model endpoint (else a CatalogError)."""
    endpoints = catalog.spec.endpoints
    for index, endpoint in enumerate(endpoints):
        if endpoint.name != name:
            continue
        if isinstance(endpoint, MultiModelEndpointSpec):
            return endpoint
        multi = [e.name for e in endpoints if isinstance(e, MultiModelEndpointSpec)]
        choices = f"; multi-model endpoints here: {', '.join(multi)}" if multi else ""
        problem = Problem(
            f"endpoints[{index}].type",
            f"endpoint '{name}' is {endpoint.type}; only type: multi-model endpoints load model archives from S3 "
            f"(publish){choices}",
            catalog.lines.get(("endpoints", index, "type")),
        )
        raise CatalogError(source, [problem])
    known = ", ".join(e.name for e in endpoints) or "none"
    raise CatalogError(
        source, [Problem("endpoints", f"no endpoint named '{name}'; use one of: {known}, or add it to the catalog")]
    )


def resolve_target(args: argparse.Namespace, catalog: LoadedCatalog | None = None) -> EndpointTarget:
    """Catalog (loaded from --catalog unless given) -> endpoint -> AWS session -> artifact bucket
    (looked up unless --bucket)."""
    catalog = catalog if catalog is not None else load_catalog(args.catalog)
    endpoint = multi_model_endpoint(catalog, args.endpoint, args.catalog)
    session = boto3.session.Session(region_name=args.region or catalog.region)
    bucket = args.bucket
    if not bucket:
        try:
            bucket = find_artifact_bucket(session.client("cloudformation"), catalog.spec.project)
        except PublishError as err:
            raise PublishError(f"{err}, or pass --bucket") from None
    return EndpointTarget(catalog, endpoint, session, bucket, model_prefix(endpoint.name))


def aws_error_line(err: Exception) -> str:
    """One line for an AWS SDK error: what went wrong, and what to do about it."""
    if isinstance(err, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials found; configure them (aws configure or aws sso login, "
            "AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
        )
    if isinstance(err, NoRegionError):
        return "no AWS region set; pass --region, set AWS_REGION, or set environment.region in the catalog"
    if isinstance(err, ProfileNotFound):
        return f"{err}; check AWS_PROFILE and ~/.aws/config"
    if isinstance(err, EndpointConnectionError):
        return f"{err}; check the network and the region"
    if isinstance(err, ClientError):
        operation = err.operation_name or "AWS"
        error = err.response.get("Error", {})
        code = error_code(err)
        message = str(error.get("Message") or "").strip()
        if code in ACCESS_DENIED_CODES:
            needed = _PERMISSIONS.get(operation)
            fix = f"; your credentials need {needed}" if needed else "; check your credentials' permissions"
            return f"{operation}: access denied{f' ({message})' if message and message != 'Forbidden' else ''}{fix}"
        if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
            return f"{operation}: your AWS credentials have expired; refresh them (e.g. aws sso login)"
        if code in ("InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException"):
            return f"{operation}: AWS does not accept these credentials ({code}); check the access key and region"
        if code == "NoSuchBucket":
            where = f" {error['BucketName']}" if error.get("BucketName") else ""
            return f"{operation}: the bucket{where} does not exist; check --bucket and --region"
        return f"{operation}: {code}: {message}" if message else f"{operation}: {code}"
    return str(err)


def guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run `command`; a catalog, publishing, onboarding or AWS problem becomes one line on stderr and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (CatalogError, PublishError, OnboardingError) as err:
            print(err, file=sys.stderr)
        except (BotoCoreError, ClientError) as err:
            print(aws_error_line(err), file=sys.stderr)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        return 1

    return run


# --- publish ----------------------------------------------------------------------------------


def _describe(result: Published | Written) -> str:
    size = _size(result.size_bytes)
    where = str(result.path) if isinstance(result, Written) else result.uri
    if result.outcome == "unchanged":
        what = "already written" if isinstance(result, Written) else "already published"
        return f"{where}: {what} (sha256 {result.sha256[:12]}…), nothing to do"
    if result.outcome == "replaced":
        before = f"sha256 {result.previous_sha256[:12]}…" if result.previous_sha256 else "unknown content"
        return f"{where}: replaced {before} with sha256 {result.sha256[:12]}… ({size})"
    what = "wrote" if isinstance(result, Written) else "published"
    return f"{where}: {what} sha256 {result.sha256[:12]}… ({size})"


def _renames(archive: ModelArchive) -> str:
    pairs = ", ".join(f"{old} -> {new}" for old, new in sorted(archive.renamed.items()))
    return f"{archive.filename}: models renamed for this archive: {pairs}"


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _publish(args: argparse.Namespace) -> int:
    if args.output is not None:
        given = [
            flag
            for flag, value in (("--endpoint", args.endpoint), ("--bucket", args.bucket), ("--region", args.region))
            if value
        ]
        if given:
            raise PublishError(
                f"publish: --output writes the archive locally, so {', '.join(given)} would be ignored; "
                "drop --output to upload, or drop " + ", ".join(given)
            )
        with tempfile.TemporaryDirectory(prefix="llm-hosting-publish-") as workdir:
            archive = pack_model(Path(args.directory), Path(workdir), name=args.name, root=args.root)
            written = write_archive(archive, Path(args.output), force=args.force)
        if archive.renamed:
            print(_renames(archive))
        print(_describe(written))
        return 0
    if args.endpoint is None:
        raise PublishError("publish: pass --endpoint NAME to upload to a multi-model endpoint, or --output DIR")
    target = resolve_target(args)
    s3 = target.session.client("s3")
    with tempfile.TemporaryDirectory(prefix="llm-hosting-publish-") as workdir:
        archive = pack_model(Path(args.directory), Path(workdir), name=args.name, root=args.root)
        with byte_bar(archive.size_bytes, archive.filename) as bar:
            result = publish_archive(
                s3, archive, bucket=target.bucket, prefix=target.prefix, force=args.force, on_progress=bar.update
            )
    if archive.renamed:
        print(_renames(archive))
    print(_describe(result))
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `publish` to an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "publish",
        help="pack a model directory and upload it to a multi-model endpoint's S3 prefix",
        description=(
            "Pack DIR reproducibly into <name>.tar.gz and upload it to s3://BUCKET/<endpoint>/ with its SHA-256 "
            "in the object metadata (or write it to --output DIR). The same content again is a no-op; different "
            "content is refused without --force. A Triton model directory (config.pbtxt at its top) is archived "
            "inside a folder of its own name; any other directory (a whole model repository) as it is, except that "
            "a Triton repository's models other than its ensemble are renamed <name>--<model> (folders, config "
            "names, ensemble steps, parameters that name them), so archives of one repository can share an endpoint."
        ),
    )
    add_target_arguments(parser, endpoint_required=False)
    parser.add_argument(
        "--output",
        metavar="DIR",
        help="write the archive to DIR/<name>.tar.gz instead of uploading it (to inspect or test it)",
    )
    parser.add_argument("directory", metavar="DIR", help="the model directory to publish")
    parser.add_argument(
        "--name", metavar="NAME", help="model name on the endpoint, the archive is NAME.tar.gz (default: DIR's name)"
    )
    parser.add_argument(
        "--root",
        metavar="FOLDER",
        help="top-level folder inside the archive; '' for none (default: DIR's name for a Triton model "
        "directory, else none)",
    )
    parser.add_argument("--force", action="store_true", help="replace an archive with different content")
    parser.set_defaults(run=guarded(_publish))
    return parser
