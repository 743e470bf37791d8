"""runconform: schema conformance and contract testing for workflow-run APIs.

The public Python API. The CLI (`conformance.cli`) and the pytest plugin are
thin layers over what is exported here.
"""

from __future__ import annotations

from conformance.catalog import Catalog, SchemaEntry, load_catalog
from conformance.errors import (
    BundleError,
    ConformanceError,
    ExitCode,
    InputError,
    UnknownObjectError,
    UsageError,
)

__version__ = "0.1.0"

__all__ = [
    "BundleError",
    "Catalog",
    "ConformanceError",
    "ExitCode",
    "InputError",
    "SchemaEntry",
    "UnknownObjectError",
    "UsageError",
    "__version__",
    "load_catalog",
]
