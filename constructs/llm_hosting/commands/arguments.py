"""What several subcommands read the same way: a catalog path or a cloud assembly, as a positional argument.

A bad catalog or assembly raises its one-line error (`CatalogError`, `AssemblyError`); `cli.main`
prints it and exits 1, so the commands themselves do not repeat that.
"""

from __future__ import annotations

import argparse

from llm_hosting.naming import DEFAULT_CATALOG


def add_catalog_path(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=DEFAULT_CATALOG, help=f"catalog file (default: {DEFAULT_CATALOG})")


def add_assembly_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cdk_out", nargs="?", default="cdk.out", help="cloud assembly directory (default: cdk.out)")
