"""Construct-level validation: every problem with a construct's props in one error that names it."""

from __future__ import annotations

from collections.abc import Iterable

from constructs import Construct


class ConstructError(ValueError):
    """A construct whose props cannot work; the message names its path and each problem with its fix."""


def check(scope: Construct, problems: Iterable[str], *, child: str | None = None) -> None:
    """Raise one `ConstructError` for all `problems` of `scope` (or of its `child` about to be
    created, so that nothing is built from props that cannot work), if there are any."""
    found = list(problems)
    if found:
        path = f"{scope.node.path}/{child}" if child is not None else scope.node.path
        raise ConstructError(f"{path}: {'; '.join(found)}")
