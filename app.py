#!/usr/bin/env python3
"""The CDK app: the catalog named by context `catalog` (default catalog.yaml) becomes the stacks.

The catalog is validated before any construct exists: a bad catalog prints one line per problem
and exits 1, so no partial cloud assembly is ever written.
"""

import sys

import aws_cdk as cdk

from llm_hosting.catalog import CatalogError, load_catalog
from llm_hosting.naming import DEFAULT_CATALOG
from stacks import build_stacks


def main() -> None:
    app = cdk.App()
    path = app.node.try_get_context("catalog") or DEFAULT_CATALOG
    try:
        catalog = load_catalog(
            path,
            account=app.node.try_get_context("account"),
            region=app.node.try_get_context("region"),
        )
        build_stacks(app, catalog)
    except CatalogError as err:
        print(err, file=sys.stderr)
        sys.exit(1)
    app.synth()


if __name__ == "__main__":
    main()
