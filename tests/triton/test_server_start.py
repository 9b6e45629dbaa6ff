"""A server that cannot start fails the tests with its own words, and leaves no process behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.triton.server import TritonServer, TritonUnavailable

pytestmark = pytest.mark.triton


def test_a_server_that_exits_while_starting_is_a_failure_with_its_log(tmp_path: Path) -> None:
    server = TritonServer.start(tmp_path, dict(os.environ), extra_args=["--model-control-mode=sometimes"])
    try:
        with pytest.raises(TritonUnavailable) as failed:
            server.wait_live(timeout_s=60)
    finally:
        server.stop()

    message = str(failed.value)
    assert message.startswith("tritonserver exited with code 1 while starting\n--- tritonserver log (last lines) ---\n")
    assert message.rstrip().endswith('Bad option: "--model-control-mode".\ninvalid argument for --model-control-mode')
    assert server.process.poll() is not None
