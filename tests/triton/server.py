"""A real Triton Inference Server (2.51.0, release 24.10, CPU) for the tests, started as SageMaker starts it.

The binary, its libraries and the python backend come from the `nvidia-pytriton` wheel installed in
`.venv-triton` (made by `make .venv-triton/.installed`). The flags are those of Triton's SageMaker
entry point in multi-model mode (docker/sagemaker/serve, triton-inference-server/server v2.51.0):
explicit model control, model namespacing, an empty dummy repository, the SageMaker front end, gRPC and
metrics off, verbose logs, the python backend's shared-memory sizes. What differs, for tests on a
shared machine: the KServe HTTP API is on (on 127.0.0.1) so tritonclient and the statistics API can
reach it; free ports instead of 8080/8000; the wheel's backends directory, with the stub for this
Python; a shared-memory prefix of this run's own; a private in-memory /tmp (`private_tmp_prefix`);
and `nice 10`, so loading never starves the rest of the test suite. The SageMaker front end has no
address option (`sagemaker_address_` is fixed to 0.0.0.0 in src/command_line_parser.h); the tests
send it requests on 127.0.0.1 only.

`SageMakerClient` speaks the front end's multi-model routes (src/sagemaker_server.cc, v2.51.0):
`POST /models` {model_name, url} loads, `POST /models/<name>/invoke` infers, `DELETE /models/<name>`
unloads, `GET /models` lists; the `X-Amzn-SageMaker-Target-Model` header carries the TargetModel, which
the front end uses as the Triton name of the archive's entry model.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.synth import ROOT

TRITON_VENV = ROOT / ".venv-triton"
TARGET_MODEL_HEADER = "X-Amzn-SageMaker-Target-Model"
# The stub must match the Python that runs the models: the packed environments are built for this one.
STUB_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


class TritonUnavailable(AssertionError):
    """The server could not be started or did not become live; the message ends with its log."""


def site_packages() -> Path:
    found = sorted((TRITON_VENV / "lib").glob("python3*/site-packages/pytriton"))
    if not found:
        raise TritonUnavailable(
            f"no Triton server: {TRITON_VENV} has no nvidia-pytriton; run `make .venv-triton/.installed` "
            "(make test does it)"
        )
    return found[0].parent


def private_tmp_prefix(workdir: Path) -> list[str]:
    """A command prefix that runs the server with a /tmp of its own, in memory, as a container has its own /tmp.

    The python backend unpacks every archive's environment into /tmp/python_env_* (a fixed path in
    pb_env.cc); on this machine's disk that is several seconds per archive, and a killed server would
    leave them behind. So the server runs in a private mount namespace with a tmpfs on /tmp, into
    which whatever it needs from the host's /tmp (a checkout under /tmp, say) is bound back. Where no
    such namespace can be made (not root, no unshare) or the work directory itself is under /tmp, the
    server uses the host's /tmp: slower, and `stop` then lets it clean up after itself.
    """
    tmp = Path("/tmp").resolve()  # noqa: S108 - the path the python backend hard-codes
    if workdir.resolve().is_relative_to(tmp) or shutil.which("unshare") is None:
        return []
    probe = ["unshare", "--mount", "--propagation", "private", "true"]
    if subprocess.run(probe, capture_output=True, check=False).returncode != 0:
        return []
    needed = [ROOT, Path(sys.base_prefix), Path(str(sysconfig.get_config_var("LIBDIR")))]
    entries = sorted({p.resolve().relative_to(tmp).parts[0] for p in needed if p.resolve().is_relative_to(tmp)})
    host_tmp = workdir / "host-tmp"
    host_tmp.mkdir(exist_ok=True)
    script = [
        "set -e",
        f"mount --bind {tmp} {shlex.quote(str(host_tmp))}",
        f"mount -t tmpfs -o size=16g,mode=1777 tmpfs {tmp}",
        *(
            f"mkdir -p {shlex.quote(str(tmp / e))} && mount --bind {shlex.quote(str(host_tmp / e))} "
            f"{shlex.quote(str(tmp / e))}"
            for e in entries
        ),
        'exec "$@"',
    ]
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(script), "sh"]


def scratch_directory() -> Path:
    """Where the tests put archives and the server's files: memory when the machine has a tmpfs for it."""
    shm = Path("/dev/shm")  # noqa: S108 - a private mkdtemp inside it
    return Path(tempfile.mkdtemp(prefix="triton-tests-", dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_backends(workdir: Path) -> Path:
    """The backends directory: the wheel's python backend with the stub for this Python, as pytriton lays it out."""
    wheel = site_packages() / "pytriton" / "tritonserver"
    backends = workdir / "backends"
    python = backends / "python"
    python.mkdir(parents=True, exist_ok=True)
    for item in (wheel / "backends" / "python").iterdir():
        if item.is_file():
            shutil.copy2(item, python / item.name)
    stub = wheel / "python_backend_stubs" / STUB_PYTHON / "triton_python_backend_stub"
    if not stub.is_file():
        raise TritonUnavailable(f"nvidia-pytriton has no python backend stub for Python {STUB_PYTHON} ({stub})")
    shutil.copy2(stub, python / "triton_python_backend_stub")
    return backends


@dataclass
class TritonServer:
    """One tritonserver process, in a process group of its own so that stopping it stops its stubs too."""

    workdir: Path
    process: subprocess.Popen[bytes]
    sagemaker_port: int
    http_port: int
    log_path: Path
    shm_prefix: str
    private_tmp: bool

    @classmethod
    def start(cls, workdir: Path, environ: dict[str, str], extra_args: Sequence[str] = ()) -> TritonServer:
        """Launch without waiting: model loading can begin as soon as `wait_live` returns."""
        packages = site_packages()
        binary = packages / "pytriton" / "tritonserver" / "bin" / "tritonserver"
        backends = prepare_backends(workdir)
        dummy_repository = workdir / "sagemaker"  # /tmp/sagemaker in docker/sagemaker/serve: empty on purpose
        dummy_repository.mkdir(exist_ok=True)
        sagemaker_port, http_port = free_port(), free_port()
        shm_prefix = f"triton_tests_{os.getpid()}_{workdir.name}_"
        env = dict(environ)
        # libtritonserver and its bundled libraries, and libpython for the stubs (as pytriton's launcher does).
        libraries = [str(sysconfig.get_config_var("LIBDIR")), str(packages / "nvidia_pytriton.libs")]
        env["LD_LIBRARY_PATH"] = os.pathsep.join([*libraries, env.get("LD_LIBRARY_PATH", "")]).rstrip(os.pathsep)
        # A stub without EXECUTION_ENV_PATH embeds the `python3` it finds on PATH: the image's own Python,
        # played here by .venv-triton (numpy only, like the stock image has no transformers).
        env["PATH"] = f"{TRITON_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["SAGEMAKER_TRITON_PING_MODE"] = "live"  # what docker/sagemaker/serve sets in multi-model mode
        env.pop("PYTHONPATH", None)
        command = [
            str(binary),
            "--allow-sagemaker=true",
            f"--sagemaker-port={sagemaker_port}",
            "--model-control-mode=explicit",
            f"--model-repository={dummy_repository}",
            "--model-namespacing=true",
            "--allow-grpc=false",
            "--allow-metrics=false",
            "--log-verbose=1",
            "--backend-config=python,shm-default-byte-size=16777216",
            "--backend-config=python,shm-growth-byte-size=1048576",
            # Test-only: the stubs' shared-memory regions (in /dev/shm) carry this run's prefix, so the
            # ones a killed stub leaves behind can be removed (pytriton's launcher does the same).
            f"--backend-config=python,shm-region-prefix-name={shm_prefix}",
            # Test-only: the KServe API for tritonclient and statistics, on loopback.
            "--allow-http=true",
            "--http-address=127.0.0.1",
            f"--http-port={http_port}",
            f"--backend-directory={backends}",
            *extra_args,
        ]
        log_path = workdir / "tritonserver.log"
        private_tmp = private_tmp_prefix(workdir)
        with log_path.open("wb") as log:
            command = [*private_tmp, "nice", "-n", "10", *command]
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir, start_new_session=True
            )
        return cls(workdir, process, sagemaker_port, http_port, log_path, shm_prefix, bool(private_tmp))

    @property
    def sagemaker_url(self) -> str:
        return f"http://127.0.0.1:{self.sagemaker_port}"

    @property
    def http_url(self) -> str:
        return f"127.0.0.1:{self.http_port}"

    def log_tail(self, lines: int = 40, width: int = 400) -> str:
        """The last lines of the server's log, each cut to `width` (verbose lines hold whole model configs)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as err:
            return f"(no server log: {err})"
        return "\n".join(line[:width] for line in text.splitlines()[-lines:])

    def fail(self, what: str) -> TritonUnavailable:
        return TritonUnavailable(f"{what}\n--- tritonserver log (last lines) ---\n{self.log_tail()}")

    def wait_live(self, timeout_s: float = 60.0) -> None:
        """Until both front ends answer (SageMaker's /ping in live mode, KServe's /v2/health/live)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.fail(f"tritonserver exited with code {self.process.returncode} while starting")
            if (
                _status(f"{self.sagemaker_url}/ping") == 200
                and _status(f"http://{self.http_url}/v2/health/live") == 200
            ):
                return
            time.sleep(0.1)
        raise self.fail(f"tritonserver did not become live within {timeout_s:.0f} s")

    def stop(self) -> None:
        """Stop the server and its stubs (its process group), leaving nothing behind.

        With a private /tmp (freed with its mount namespace) SIGKILL at once: the stubs' shared memory,
        the only other thing they leave, carries this run's prefix and is removed here. Without one,
        SIGTERM first, so that the server unloads its models and removes the environments it unpacked
        into the host's /tmp (it waits up to its --exit-timeout-secs, 30).
        """
        if self.process.poll() is None and not self.private_tmp:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=40)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=10)
        for region in Path("/dev/shm").glob(f"{self.shm_prefix}*"):  # noqa: S108 - this run's own regions
            region.unlink(missing_ok=True)


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> str:
        """The `error` field of a Triton error body ("" when there is none)."""
        try:
            return str(self.json().get("error", ""))
        except ValueError:
            return ""


@dataclass(frozen=True)
class SageMakerClient:
    """The multi-model routes of Triton's SageMaker front end, called as SageMaker's model manager calls them."""

    url: str
    timeout_s: float = 300.0

    def _call(self, method: str, path: str, body: Any = None, target_model: str | None = None) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if target_model is not None:
            headers[TARGET_MODEL_HEADER] = target_model
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 - loopback only
                return Reply(int(response.status), response.read())
        except urllib.error.HTTPError as err:
            return Reply(err.code, err.read())

    def load(self, model_name: str, url: Path, target_model: str) -> Reply:
        return self._call("POST", "/models", {"model_name": model_name, "url": str(url)}, target_model)

    def invoke(self, model_name: str, target_model: str, body: Any) -> Reply:
        return self._call("POST", f"/models/{model_name}/invoke", body, target_model)

    def unload(self, model_name: str, target_model: str) -> Reply:
        return self._call("DELETE", f"/models/{model_name}", None, target_model)

    def list(self) -> Reply:
        return self._call("GET", "/models")
