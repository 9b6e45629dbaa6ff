"""`python -m llm_hosting ...`: the command line around the catalog.

Pure commands (validate, schema) import no CDK code, so they answer in well under a second.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence

from llm_hosting.assembly import AssemblyError, read_assembly, stack_table
from llm_hosting.catalog import CatalogError, LoadedCatalog, json_schema, load_catalog
from llm_hosting.catalog.schema import InferenceComponentEndpointSpec
from llm_hosting.commands import (
    bench as bench_command,
    check as check_command,
    limits as limits_command,
    plan as plan_command,
    preflight as preflight_command,
    publish as publish_command,
    review as review_command,
    stage as stage_command,
    warmup as warmup_command,
)
from llm_hosting.commands.arguments import add_assembly_dir, add_catalog_path


def summarize(catalog: LoadedCatalog, source: str) -> str:
    """One line: what the catalog holds."""
    endpoints = catalog.spec.endpoints
    kinds = Counter(e.type for e in endpoints)
    components = sum(len(e.components) for e in endpoints if isinstance(e, InferenceComponentEndpointSpec))
    parts = [f"{n} {kind}" for kind, n in sorted(kinds.items())]
    what = f"{len(endpoints)} endpoint{'s' if len(endpoints) != 1 else ''}"
    if parts:
        what += f" ({', '.join(parts)})"
    adapters = sum(len(e.adapters) for e in catalog.endpoints)
    if components:
        what += f", {components} inference component{'s' if components != 1 else ''}"
    if adapters:
        what += f", {adapters} adapter{'s' if adapters != 1 else ''}"
    return f"{source}: valid: project {catalog.spec.project}, {what}"


def _validate(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.path)
    for notice in catalog.notices:
        print(notice, file=sys.stderr)
    print(summarize(catalog, args.path))
    return 0


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2, sort_keys=True))
    return 0


def _stacks(args: argparse.Namespace) -> int:
    for line in stack_table(read_assembly(args.cdk_out)):
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m llm_hosting", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a catalog and print a one-line summary or every problem")
    add_catalog_path(validate)
    validate.set_defaults(run=_validate)

    schema = commands.add_parser("schema", help="print the catalog's JSON Schema")
    schema.set_defaults(run=_schema)

    stacks = commands.add_parser("stacks", help="list the stacks of a synthesized cloud assembly")
    add_assembly_dir(stacks)
    stacks.set_defaults(run=_stacks)

    review_command.register(commands)
    plan_command.register(commands)
    publish_command.register(commands)
    warmup_command.register(commands)
    bench_command.register(commands)
    preflight_command.register(commands)
    limits_command.register(commands)
    stage_command.register(commands)
    check_command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except (CatalogError, AssemblyError) as err:  # a bad catalog or assembly: one line each, no traceback
        print(err, file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
