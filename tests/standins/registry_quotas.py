"""A local stand-in on 127.0.0.1 for the two AWS APIs `check` reads that moto does not model: ECR lookups in
another account's registry and SageMaker's Service Quotas.

moto 5.2.5 answers ECR BatchGetImage by repository name alone (moto/ecr/models.py `batch_get_image`
ignores `registryId`) and keeps every repository in the caller's account, so it cannot show that a
lookup goes to the Deep Learning Containers registry of the region, nor that DescribeImages is
refused there; its Service Quotas backend (moto/servicequotas/models.py) knows the `vpc` service only
and has no ListServiceQuotas.

Both APIs speak AWS JSON 1.1 (`X-Amz-Target`), as botocore's models describe them
(botocore/data/ecr/2015-09-21/service-2.json, targetPrefix AmazonEC2ContainerRegistry_V20150921;
botocore/data/service-quotas/2019-06-24/service-2.json, targetPrefix ServiceQuotasV20190624), and
real boto3 clients reach the stand-in through `AWS_ENDPOINT_URL_ECR` and
`AWS_ENDPOINT_URL_SERVICE_QUOTAS`. The region of each request is read from its SigV4 credential
scope. What it serves:

- `BatchGetImage`: `images` for tags present in `registries[(region, account)][repository]`,
  `failures` with `ImageNotFound` otherwise, `RepositoryNotFoundException` for an unknown
  repository. Another account's registry answers only when that registry lets every account pull
  (the DLC registries), as the DLC repositories grant ecr:BatchGetImage to all; DescribeImages and
  ListImages there are `AccessDeniedException` ("no resource-based policy allows ...").
- `ListServiceQuotas` / `ListAWSDefaultServiceQuotas` (ServiceCode `sagemaker`): the applied and the
  default quotas of the region, paginated with `MaxResults` / `NextToken`.
- `deny` names operations to refuse with `AccessDeniedException`, as an identity policy would.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

CALLER_ACCOUNT = "123456789012"
ECR_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
QUOTAS_PREFIX = "ServiceQuotasV20190624."
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/aws4_request")


@dataclass
class Quota:
    name: str
    code: str
    value: float

    def shape(self, region: str) -> dict[str, Any]:
        return {
            "ServiceCode": "sagemaker",
            "ServiceName": "Amazon SageMaker",
            "QuotaArn": f"arn:aws:servicequotas:{region}:{CALLER_ACCOUNT}:sagemaker/{self.code}",
            "QuotaCode": self.code,
            "QuotaName": self.name,
            "Value": self.value,
            "Unit": "None",
            "Adjustable": True,
            "GlobalQuota": False,
        }


@dataclass
class RegistryAndQuotas:
    """What the stand-in holds; change it between requests."""

    registries: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict)
    """(region, account) -> repository -> tags."""
    public_pull: set[str] = field(default_factory=set)
    """Registry accounts that let every account pull (BatchGetImage)."""
    applied: dict[str, list[Quota]] = field(default_factory=dict)
    """Region -> the quotas ListServiceQuotas returns (those with an applied value)."""
    defaults: dict[str, list[Quota]] = field(default_factory=dict)
    """Region -> every quota's AWS default (ListAWSDefaultServiceQuotas)."""
    deny: set[str] = field(default_factory=set)
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    """(operation, region, request) in order."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        state = self.server.state
        target = self.headers.get("X-Amz-Target", "")
        scope = _SCOPE.search(self.headers.get("Authorization", ""))
        region = scope.group("region") if scope else "us-east-1"
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        operation = target.rsplit(".", 1)[-1]
        with self.server.lock:
            state.calls.append((operation, region, request))
        if operation in state.deny:
            self._error(
                "AccessDeniedException",
                f"User: arn:aws:iam::{CALLER_ACCOUNT}:user/test is not authorized to perform: {operation}",
            )
            return
        if target.startswith(ECR_PREFIX):
            self._ecr(operation, region, request)
        elif target.startswith(QUOTAS_PREFIX):
            self._quotas(operation, region, request)
        else:
            self._error("UnknownOperationException", f"unknown target {target!r}")

    def _reply(self, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, code: str, message: str) -> None:
        body = json.dumps({"__type": code, "message": message}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-ErrorType", code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _ecr(self, operation: str, region: str, request: dict[str, Any]) -> None:
        state = self.server.state
        account = request.get("registryId") or CALLER_ACCOUNT
        repository = request["repositoryName"]
        arn = f"arn:aws:ecr:{region}:{account}:repository/{repository}"
        if account != CALLER_ACCOUNT and not (operation == "BatchGetImage" and account in state.public_pull):
            self._error(
                "AccessDeniedException",
                f"User: arn:aws:iam::{CALLER_ACCOUNT}:user/test is not authorized to perform: ecr:{operation} on "
                f"resource: {arn} because no resource-based policy allows the ecr:{operation} action",
            )
            return
        tags = state.registries.get((region, account), {}).get(repository)
        if tags is None:
            self._error(
                "RepositoryNotFoundException",
                f"The repository with name '{repository}' does not exist in the registry with id '{account}'",
            )
            return
        if operation != "BatchGetImage":
            self._error("UnknownOperationException", f"{operation} is not served by this stand-in")
            return
        images: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        for image_id in request.get("imageIds", []):
            tag = image_id.get("imageTag")
            if tag in tags:
                digest = "sha256:" + hashlib.sha256(f"{repository}:{tag}".encode()).hexdigest()
                images.append(
                    {
                        "registryId": account,
                        "repositoryName": repository,
                        "imageId": {"imageDigest": digest, "imageTag": tag},
                        "imageManifest": json.dumps({"schemaVersion": 2, "layers": []}),
                        "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
                    }
                )
            else:
                failures.append(
                    {
                        "imageId": {"imageTag": tag},
                        "failureCode": "ImageNotFound",
                        "failureReason": "Requested image not found",
                    }
                )
        self._reply({"images": images, "failures": failures})

    def _quotas(self, operation: str, region: str, request: dict[str, Any]) -> None:
        state = self.server.state
        table = {"ListServiceQuotas": state.applied, "ListAWSDefaultServiceQuotas": state.defaults}.get(operation)
        if table is None:
            self._error("IllegalArgumentException", f"{operation} is not served by this stand-in")
            return
        if request.get("ServiceCode") != "sagemaker":
            self._error("NoSuchResourceException", f"no quotas for service {request.get('ServiceCode')!r} here")
            return
        quotas = table.get(region, [])
        start = int(request.get("NextToken") or 0)
        size = int(request.get("MaxResults") or 100)
        page = quotas[start : start + size]
        answer: dict[str, Any] = {"Quotas": [q.shape(region) for q in page]}
        if start + size < len(quotas):
            answer["NextToken"] = str(start + size)
        self._reply(answer)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: RegistryAndQuotas) -> None:
        self.state = state
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class RegistryQuotasStandIn:
    """`with RegistryQuotasStandIn() as stand_in:` serves `stand_in.state` at `stand_in.url`."""

    def __init__(self) -> None:
        self.state = RegistryAndQuotas()
        self._server = _Server(self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> RegistryQuotasStandIn:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
