"""What several subcommands read the same way: a catalog path or a cloud assembly, as a positional argument,
and whole numbers in a range.

A bad catalog or assembly raises its one-line error (`CatalogError`, `AssemblyError`); `cli.main`
prints it and exits 1, so the commands themselves do not repeat that.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from llm_hosting.naming import DEFAULT_CATALOG


def add_catalog_path(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=DEFAULT_CATALOG, help=f"catalog file (default: {DEFAULT_CATALOG})")


def add_assembly_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cdk_out", nargs="?", default="cdk.out", help="cloud assembly directory (default: cdk.out)")


def whole_number(low: int, high: int | None = None, what: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper bound without one); argparse reports
    the line and exits 2."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if high is None and value < low:
            raise argparse.ArgumentTypeError(f"must be {low} or more{what}, got {value}")
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low}-{high}{what}, got {value}")
        return value

    return parse
