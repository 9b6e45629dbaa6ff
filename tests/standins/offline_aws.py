"""Point every AWS client a test makes at local servers, with fake credentials and no AWS config."""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer


def offline_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, region: str, **endpoint_urls: str) -> None:
    """Drop every `AWS_*` variable, hide the config and credentials files, switch off instance
    metadata, set fake keys and `region`, then `AWS_ENDPOINT_URL*` from `endpoint_urls`
    (`AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=...`), so no request can leave the machine."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    missing = str(tmp_path / "no-aws-config")
    monkeypatch.setenv("AWS_CONFIG_FILE", missing)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    for name, url in endpoint_urls.items():
        monkeypatch.setenv(name, url)


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's own server on 127.0.0.1 (a free port), yielding its URL; stopped on exit.

    Its handler writes headers and body separately, so with Nagle's algorithm every response waited
    for the client's delayed ACK (40 ms); TCP_NODELAY on each connection answers at once, as AWS does.
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    wsgi = server._server
    assert wsgi is not None
    handler = wsgi.RequestHandlerClass

    class NoDelay(handler):  # type: ignore[misc, valid-type]
        disable_nagle_algorithm = True

    wsgi.RequestHandlerClass = NoDelay
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def moto_api(moto_url: str, path: str, body: bytes = b"") -> None:
    """POST to moto's own control API (`reset`, `reset-auth`, ...) on the local server."""
    request = urllib.request.Request(  # noqa: S310 - the local moto server
        f"{moto_url}/moto-api/{path}", data=body, method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(request).read()  # noqa: S310 - the local moto server
