"""`check`: what a catalog needs of an AWS account before a deploy, read-only.

For every DJL model with `weights`: the prefix holds a complete stage (llm-hosting-manifest.json and
every file it lists), a loadable model (config.json, the weights, a tokenizer vocabulary), the
`model_type` the catalog's `architecture` names, and one the engine version loads. For the
account: SageMaker's "<instance type> for endpoint usage" quotas cover the most instances the
catalog can reach, and every image exists in its registry in the region.

Images are looked up with ECR BatchGetImage: the call a pull makes for the manifest (botocore's
ECR model: "When an image is pulled, the BatchGetImage API is called once to retrieve the image
manifest"), and one of the three the AWS Deep Learning Containers registries grant to every
account (SageMaker names ecr:GetDownloadUrlForLayer, ecr:BatchGetImage and
ecr:BatchCheckLayerAvailability as what an image repository must allow, aws/deep-learning-containers
issue 5657). DescribeImages is not granted across accounts ("no resource-based policy allows the
ecr:DescribeImages action", as AWS's EKS registry answers in jetstack/version-checker issue 167).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from llm_hosting.catalog import LoadedCatalog
from llm_hosting.catalog.errors import one_line
from llm_hosting.facts.djl import architecture_problem
from llm_hosting.onboarding import OnboardingError
from llm_hosting.onboarding.catalog_view import DjlModel, ImageNeed, InstanceNeed, djl_models, images, instance_needs
from llm_hosting.onboarding.files import missing_parts, model_type_of
from llm_hosting.onboarding.manifest import MANIFEST, ManifestError, incomplete_files, parse_manifest
from llm_hosting.onboarding.upload import list_prefix, read_object, split_s3_prefix
from llm_hosting.publish import ACCESS_DENIED_CODES, error_code

SERVICE_CODE = "sagemaker"


def endpoint_quota_name(instance_type: str) -> str:
    """SageMaker's Service Quotas name for endpoint instances of a type, e.g. 'ml.g5.12xlarge for endpoint usage'."""
    return f"{instance_type} for endpoint usage"


@dataclass(frozen=True)
class Finding:
    """One problem: the catalog field it concerns and what to do."""

    at: str
    message: str

    def line(self, source: str) -> str:
        return one_line(f"{source}: {self.at}: {self.message}")


@dataclass(frozen=True)
class WeightsRow:
    name: str
    uri: str
    model_type: str
    files: int
    size: int
    engine: str


@dataclass(frozen=True)
class QuotaRow:
    instance_type: str
    reachable: int
    quota: float
    code: str


@dataclass(frozen=True)
class ImageRow:
    uri: str
    endpoints: tuple[str, ...]


@dataclass
class Report:
    account: str
    region: str
    findings: list[Finding] = field(default_factory=list)
    weights: list[WeightsRow] = field(default_factory=list)
    without_weights: list[str] = field(default_factory=list)
    quotas: list[QuotaRow] = field(default_factory=list)
    images: list[ImageRow] = field(default_factory=list)


# --- weights ---------------------------------------------------------------------------------


def _stage_hint(uri: str) -> str:
    return f"stage the model there: python -m llm_hosting stage MODEL_ID --to {uri}"


def _declared_architecture(model: DjlModel) -> list[Finding]:
    """Without a config.json to read, whether the engine loads the architecture the catalog names."""
    if model.architecture is None:
        return []
    problem = architecture_problem(model.engine, model.version, model.architecture, properties=model.properties)
    return [] if problem is None else [Finding(f"{model.at}.architecture", f"'{model.architecture}': {problem}")]


def check_weights(s3: Any, model: DjlModel) -> tuple[list[Finding], WeightsRow | None]:
    """The weights prefix of one model: complete, loadable, of the catalog's architecture, loadable by its engine."""
    uri = model.weights or ""
    at = f"{model.at}.weights"
    bucket, prefix = split_s3_prefix(uri)
    try:
        listing = list_prefix(s3, bucket, prefix)
    except ClientError as err:
        code = error_code(err)
        if code == "NoSuchBucket":
            no_bucket = Finding(at, f"{uri}: bucket {bucket} does not exist; create it and {_stage_hint(uri)}")
            return [no_bucket, *_declared_architecture(model)], None
        if code in ACCESS_DENIED_CODES:
            return [
                Finding(at, f"{uri}: listing it is denied; the credentials need s3:ListBucket on arn:aws:s3:::{bucket}")
            ], None
        raise
    if not listing:
        return [Finding(at, f"{uri} holds no objects; {_stage_hint(uri)}"), *_declared_architecture(model)], None

    findings: list[Finding] = []

    def fetch(path: str) -> bytes:
        return read_object(s3, bucket, f"{prefix}{path}") or b""

    manifest_body = read_object(s3, bucket, f"{prefix}{MANIFEST}")
    if manifest_body is None:
        findings.append(
            Finding(
                at,
                f"{uri} has no {MANIFEST}: its upload did not finish, or was not made by stage; run stage again "
                "(it resumes): python -m llm_hosting stage MODEL_ID --to " + uri,
            )
        )
    else:
        try:
            missing = incomplete_files(parse_manifest(manifest_body), listing)
        except ManifestError as err:
            findings.append(Finding(at, f"{uri}{MANIFEST} {err}; run stage again"))
        else:
            if missing:
                shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
                findings.append(
                    Finding(
                        at, f"{uri} is incomplete: {shown} missing or not the size {MANIFEST} lists; run stage again"
                    )
                )
    findings.extend(
        Finding(at, f"{uri} {problem}, so the engine cannot load it") for problem in missing_parts(listing, fetch)
    )

    model_type: str | None = None
    if "config.json" in listing:
        try:
            config = json.loads(fetch("config.json"))
            model_type = model_type_of(config if isinstance(config, dict) else {})
        except (ValueError, OnboardingError) as err:
            reason = str(err) if isinstance(err, OnboardingError) else f"config.json is not JSON ({err})"
            findings.append(Finding(at, f"{uri}: {reason}"))
    if model_type is None:
        findings.extend(_declared_architecture(model))
    else:
        if model.architecture is not None and model.architecture != model_type:
            findings.append(
                Finding(
                    f"{model.at}.architecture",
                    f"is '{model.architecture}' but {uri}config.json says model_type '{model_type}'; set "
                    f"architecture: {model_type}, or stage the model the catalog means",
                )
            )
        problem = architecture_problem(model.engine, model.version, model_type, properties=model.properties)
        if problem is not None:
            findings.append(Finding(at, f"{uri} holds a {model_type} model: {problem}"))
    row = WeightsRow(
        name=model.name,
        uri=uri,
        model_type=model_type or "?",
        files=len([p for p in listing if p != MANIFEST]),
        size=sum(size for path, size in listing.items() if path != MANIFEST),
        engine=f"{model.engine} {model.version}",
    )
    return findings, row


# --- quotas ----------------------------------------------------------------------------------


def _quotas(quotas_client: Any, operation: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for page in quotas_client.get_paginator(operation).paginate(ServiceCode=SERVICE_CODE):
        for quota in page.get("Quotas") or []:
            found.setdefault(str(quota.get("QuotaName")), quota)
    return found


def check_quotas(
    quotas_client: Any, needs: Sequence[InstanceNeed], region: str
) -> tuple[list[Finding], list[QuotaRow]]:
    """Per instance type, the sum of every endpoint's most instances against the account's quota.

    ListServiceQuotas returns applied values, and leaves out a quota whose applied value it does
    not have; the AWS default (ListAWSDefaultServiceQuotas) stands for those.
    """
    by_type: dict[str, list[InstanceNeed]] = {}
    for need in needs:
        by_type.setdefault(need.instance_type, []).append(need)
    if not by_type:
        return [], []
    try:
        applied = _quotas(quotas_client, "list_service_quotas")
        names = {endpoint_quota_name(t) for t in by_type}
        defaults = _quotas(quotas_client, "list_aws_default_service_quotas") if names - set(applied) else {}
    except ClientError as err:
        if error_code(err) in ACCESS_DENIED_CODES:
            operation = err.operation_name or "ListServiceQuotas"
            return [
                Finding(
                    "endpoints",
                    f"cannot read the SageMaker quotas in {region} ({operation}: access denied); the credentials need "
                    "servicequotas:ListServiceQuotas and servicequotas:ListAWSDefaultServiceQuotas",
                )
            ], []
        raise
    findings: list[Finding] = []
    rows: list[QuotaRow] = []
    for instance_type, group in sorted(by_type.items()):
        name = endpoint_quota_name(instance_type)
        quota = applied.get(name) or defaults.get(name)
        first = group[0]
        if quota is None:
            findings.append(
                Finding(
                    first.at.replace(".instance_count", ".instance_type"),
                    f"no SageMaker quota is named '{name}' in {region}: endpoints cannot run {instance_type} there; "
                    "choose another instance type or region",
                )
            )
            continue
        total = sum(n.max_instances for n in group)
        value = float(quota.get("Value", 0))
        code = str(quota.get("QuotaCode", "?"))
        if total > value:
            each = ", ".join(f"{n.endpoint} {n.max_instances}" for n in group)
            findings.append(
                Finding(
                    first.at + ".max",
                    f"the catalog can reach {total} {instance_type} instances ({each}) but the quota '{name}' "
                    f"({code}) is {value:g} in {region}; request an increase in Service Quotas, or lower "
                    "instance_count.max",
                )
            )
        rows.append(QuotaRow(instance_type, total, value, code))
    return findings, rows


# --- images ----------------------------------------------------------------------------------


def check_images(ecr_for: Callable[[str], Any], needs: Sequence[ImageNeed]) -> tuple[list[Finding], list[ImageRow]]:
    """Each distinct image, looked up once with BatchGetImage in its registry and region."""
    by_uri: dict[str, list[ImageNeed]] = {}
    for need in needs:
        by_uri.setdefault(need.uri, []).append(need)
    findings: list[Finding] = []
    rows: list[ImageRow] = []
    for uri, group in by_uri.items():
        need = group[0]
        repository_arn = f"arn:aws:ecr:{need.region}:{need.registry}:repository/{need.repository}"
        try:
            answer = ecr_for(need.region).batch_get_image(
                registryId=need.registry, repositoryName=need.repository, imageIds=[{"imageTag": need.tag}]
            )
        except ClientError as err:
            code = error_code(err)
            if code == "RepositoryNotFoundException":
                message = f"image {uri}: registry {need.registry} has no repository {need.repository} in {need.region}"
            elif code in ACCESS_DENIED_CODES:
                message = (
                    f"cannot look up image {uri} (BatchGetImage: access denied); the credentials need "
                    f"ecr:BatchGetImage on {repository_arn}"
                )
            else:
                raise
            findings.append(Finding(need.at, message))
            continue
        if answer.get("images"):
            rows.append(ImageRow(uri, tuple(sorted({n.endpoint for n in group}))))
            continue
        failure = (answer.get("failures") or [{}])[0]
        findings.append(
            Finding(
                need.at,
                f"image {uri} is not in its registry ({failure.get('failureCode', 'ImageNotFound')}: "
                f"{failure.get('failureReason', 'not found')}); choose a version published in {need.region}",
            )
        )
    return findings, rows


# --- the whole catalog -----------------------------------------------------------------------


def check_catalog(catalog: LoadedCatalog, session: Any, region: str) -> Report:
    """Every check against the account the session's credentials belong to, in `region`."""
    account = str(session.client("sts", region_name=region).get_caller_identity()["Account"])
    report = Report(account=account, region=region)
    if catalog.account is not None and catalog.account != account:
        report.findings.append(
            Finding(
                "environment.account",
                f"is {catalog.account} but the AWS credentials are for account {account}; check with credentials "
                f"for {catalog.account}",
            )
        )

    s3 = session.client("s3", region_name=region)
    for model in djl_models(catalog):
        if model.weights is None:
            report.without_weights.append(model.name)
            continue
        findings, row = check_weights(s3, model)
        report.findings.extend(findings)
        if row is not None:
            report.weights.append(row)

    findings, rows = check_quotas(session.client("service-quotas", region_name=region), instance_needs(catalog), region)
    report.findings.extend(findings)
    report.quotas.extend(rows)

    needs, unpublished = images(catalog, region)
    report.findings.extend(Finding(at, message) for at, message in unpublished)
    clients: dict[str, Any] = {}

    def ecr_for(image_region: str) -> Any:
        if image_region not in clients:
            clients[image_region] = session.client("ecr", region_name=image_region)
        return clients[image_region]

    findings, image_rows = check_images(ecr_for, needs)
    report.findings.extend(findings)
    report.images.extend(image_rows)
    return report
