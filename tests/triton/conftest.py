"""Starts the Triton deployment as soon as collection finds a `triton` test, and stops it at the end.

Preparing it (archives, server start, seven concurrent loads) takes tens of seconds of mostly
server-side work, so it runs on a thread while the rest of the suite runs; the `triton` tests are
moved to the end of the run and wait for it through the `deployment` fixture.
"""

from __future__ import annotations

import pytest

from tests.triton.deployment import Deployment

_started: list[Deployment] = []


@pytest.hookimpl(trylast=True)  # after -m/-k deselection: nothing is started for tests that will not run
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    triton = [item for item in items if item.get_closest_marker("triton") is not None]
    if not triton or _started or config.option.collectonly:
        return
    items[:] = [item for item in items if item.get_closest_marker("triton") is None] + triton
    _started.append(Deployment.start())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    while _started:
        _started.pop().stop()


@pytest.fixture(scope="session")
def deployment() -> Deployment:
    """The loaded deployment; a failure to prepare it fails the test with the server's log."""
    if not _started:
        _started.append(Deployment.start())
    return _started[0].ready()
