"""What goes into a model archive: reproducible `model.tar.gz` files and DJL `serving.properties`."""

from llm_hosting.packaging.archive import build_archive, iter_source_files
from llm_hosting.packaging.serving_properties import (
    DJL_ENGINES,
    merge_properties,
    owned_properties,
    parse_properties,
    render_properties,
)

__all__ = [
    "DJL_ENGINES",
    "build_archive",
    "iter_source_files",
    "merge_properties",
    "owned_properties",
    "parse_properties",
    "render_properties",
]
