"""The catalog: its schema (`schema`), how it is read (`loader`) and the rules it must follow (`rules`)."""

from llm_hosting.catalog.errors import CatalogError, Problem
from llm_hosting.catalog.loader import LoadedCatalog, load_catalog
from llm_hosting.catalog.schema import Catalog, json_schema

__all__ = ["Catalog", "CatalogError", "LoadedCatalog", "Problem", "json_schema", "load_catalog"]
