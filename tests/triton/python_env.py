"""The packed Python environment every test archive carries as `python-env.tar.gz` (EXECUTION_ENV_PATH).

The python backend (triton-inference-server/python_backend r24.10, src/pb_env.cc and
src/stub_launcher.cc) extracts that archive once per path into /tmp/python_env_*/N, then starts the
stub with `source <env>/bin/activate && exec env LD_LIBRARY_PATH=<env>/lib:$LD_LIBRARY_PATH <stub> ...`,
so the stub's embedded Python finds the environment's `python3` first on PATH and imports from it. A
venv packed with venv-pack has what that needs: a relocatable `bin/activate` and `pyvenv.cfg` pointing at
the base Python, which is the stub's Python on this machine (the same interpreter runs the tests).

Built once from python-env.txt (every version pinned) and cached in .venv-triton/cache under a key of
that file, the Python version and the tool versions; a change of any of them builds a new one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.triton.server import TRITON_VENV, TritonUnavailable

REQUIREMENTS = Path(__file__).with_name("python-env.txt")
CACHE = TRITON_VENV / "cache"
# Bumped when the way the environment is built changes (flags below).
RECIPE = "venv --without-pip; pip install --no-compile; venv-pack"


@dataclass(frozen=True)
class PackedEnvironment:
    venv: Path
    """The unpacked venv it was packed from: also the Python the tests build tokenizers with."""
    archive: Path
    """python-env.tar.gz as venv-pack wrote it."""

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def cache_key() -> str:
    digest = hashlib.sha256()
    for part in (REQUIREMENTS.read_bytes(), sys.version.encode(), sys.base_prefix.encode(), RECIPE.encode()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _run(command: list[str], what: str, env: dict[str, str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise TritonUnavailable(f"building the packed Python environment failed at {what}:\n{tail}")


def packed_environment(env: dict[str, str]) -> PackedEnvironment:
    """The cached environment, built first if missing (about a minute, once)."""
    home = CACHE / f"python-env-{cache_key()}"
    built = PackedEnvironment(home / "venv", home / "python-env.tar.gz")
    if built.archive.is_file():
        return built
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    python = TRITON_VENV / "bin" / "python"
    if not python.exists():
        raise TritonUnavailable(f"{TRITON_VENV} is missing; run `make .venv-triton/.installed` (make test does it)")
    _run([str(python), "-m", "venv", "--without-pip", str(built.venv)], "venv", env)
    env_pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--python", str(built.python)]
    _run([*env_pip, "install", "--quiet", "--no-compile", "-r", str(REQUIREMENTS)], "pip install", env)
    partial = home / "python-env.partial.tar.gz"  # venv-pack wants a known extension
    _run([str(TRITON_VENV / "bin" / "venv-pack"), "-p", str(built.venv), "-o", str(partial)], "venv-pack", env)
    os.replace(partial, built.archive)  # only a complete archive ever has the final name
    for stale in CACHE.glob("python-env-*"):
        if stale != home:
            shutil.rmtree(stale, ignore_errors=True)
    return built
