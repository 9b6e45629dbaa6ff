"""The Triton deployment as background work (tests.background): preparing it (archives, server start,
seven concurrent loads) takes tens of seconds of mostly server-side work, so it starts on a thread as
soon as collection selects a test that uses the `deployment` fixture, those tests run last, and the
server is stopped when the session ends (at once, also mid-preparation).
"""

from __future__ import annotations

import pytest

from tests.background import RUNS
from tests.triton.deployment import Deployment


class TritonRun:
    """One Deployment for the session, started by `start` (or by the first `result`)."""

    def __init__(self) -> None:
        self._deployment: Deployment | None = None

    def start(self) -> TritonRun:
        if self._deployment is None:
            self._deployment = Deployment.start()
        return self

    def result(self) -> Deployment:
        """The loaded deployment; a failure to prepare it fails the test with the server's log."""
        self.start()
        assert self._deployment is not None
        return self._deployment.ready()

    def stop(self) -> None:
        if self._deployment is not None:
            self._deployment.stop()
            self._deployment = None


TRITON = TritonRun()
RUNS["deployment"] = TRITON


@pytest.fixture(scope="session")
def deployment() -> Deployment:
    return TRITON.result()
