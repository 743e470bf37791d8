"""runconform: schema conformance and contract testing for workflow-run APIs.

The public Python API. The CLI (`conformance.cli`) and the pytest plugin are
thin layers over what is exported here:

    import conformance
    result = conformance.validate(run, "hatchet.V1WorkflowRun")    # frozen ValidationResult
    for result in conformance.validate_records(["recordings/"]):   # streamed
        ...
    catalog = conformance.load_catalog()
    report = conformance.run_check(conformance.CheckOptions())   # the whole tour, one Report
    conformance.write_reports(report, Path("reports"))           # JSON, JUnit, MD, SARIF, HTML

Names other than the errors are imported on first use, so `import conformance`
(which every pytest session with the plugin does) costs about a millisecond.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from conformance.errors import (
    BundleError,
    ConformanceError,
    ExitCode,
    InputError,
    UnknownObjectError,
    UsageError,
)

__version__ = "0.1.0"

#: Public names resolved on first use: name -> module that defines it.
_LAZY = {
    "load_catalog": "conformance.bundle.catalog",
    "Catalog": "conformance.bundle.catalog",
    "SchemaEntry": "conformance.bundle.catalog",
    "validate": "conformance.validation.engine",
    "validate_records": "conformance.validation.engine",
    "ValidationOptions": "conformance.validation.engine",
    "ValidationResult": "conformance.report.findings",
    "Finding": "conformance.report.findings",
    "identify": "conformance.validation.identify",
    "read_records": "conformance.records",
    "check_invariants": "conformance.validation.semantics",
    "to_canonical": "conformance.mapping",
    "from_canonical": "conformance.mapping",
    "run_contract": "conformance.contract",
    "ContractOptions": "conformance.contract",
    "run_check": "conformance.check",
    "CheckOptions": "conformance.check",
    "write_reports": "conformance.report.files",
}

__all__ = [
    "BundleError",
    "ConformanceError",
    "ExitCode",
    "InputError",
    "UnknownObjectError",
    "UsageError",
    "__version__",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'conformance' has no attribute {name!r}")
