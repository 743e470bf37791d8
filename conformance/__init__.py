"""runconform: schema conformance and contract testing for workflow-run APIs.

The public Python API. The CLI (`conformance.cli`) and the pytest plugin are
thin layers over what is exported here:

    import conformance
    result = conformance.validate(run, "hatchet.V1WorkflowRun")    # frozen ValidationResult
    for result in conformance.validate_records(["recordings/"]):   # streamed
        ...
    with conformance.dask_client("tcp://scheduler:8786") as client:   # the dask extra
        for result in conformance.validate_on_dask(["recordings/"], client, identify=True):
            ...                                                    # the same, on a cluster
    runs = conformance.check_lifecycle(["recordings/"])             # each run over time
    drift = conformance.drift_of(["recordings/"], identify=True)    # what vendors really send
    with conformance.layered_errata(["ours.yaml"]):                 # your errata, for a block
        ...
    catalog = conformance.load_catalog()
    report = conformance.run_check(conformance.CheckOptions())   # the whole tour, one Report
    conformance.write_reports(report, Path("reports"))           # JSON, JUnit, MD, SARIF, HTML

Names other than the errors are imported on first use, so `import conformance`
(which every pytest session with the plugin does) costs about a millisecond.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from conformance.errors import (
    BundleError,
    ConformanceError,
    ExitCode,
    InputError,
    UnknownObjectError,
    UsageError,
)

__version__ = "0.1.0"

if TYPE_CHECKING:  # what type checkers see; at run time `__getattr__` imports on first use
    from conformance.bundle.catalog import Catalog as Catalog
    from conformance.bundle.catalog import SchemaEntry as SchemaEntry
    from conformance.bundle.catalog import load_catalog as load_catalog
    from conformance.bundle.user_errata import UserErrata as UserErrata
    from conformance.bundle.user_errata import layered_errata as layered_errata
    from conformance.bundle.user_errata import read_user_errata as read_user_errata
    from conformance.check import CheckOptions as CheckOptions
    from conformance.check import run_check as run_check
    from conformance.contract import ContractOptions as ContractOptions
    from conformance.contract import run_contract as run_contract
    from conformance.diff.compare import ContractDiff as ContractDiff
    from conformance.diff.compare import catalog_scope as catalog_scope
    from conformance.diff.compare import diff_contracts as diff_contracts
    from conformance.diff.sources import load_contract as load_contract
    from conformance.drift.model import DriftReport as DriftReport
    from conformance.drift.on_dask import drift_on_dask as drift_on_dask
    from conformance.drift.profile import drift_of as drift_of
    from conformance.engines.cluster import dask_client as dask_client
    from conformance.engines.cluster import validate_on_dask as validate_on_dask
    from conformance.lifecycle.check import LifecycleResult as LifecycleResult
    from conformance.lifecycle.check import check_lifecycle as check_lifecycle
    from conformance.lifecycle.coverage import CoverageReport as CoverageReport
    from conformance.lifecycle.coverage import coverage_of as coverage_of
    from conformance.lifecycle.coverage_on_dask import coverage_on_dask as coverage_on_dask
    from conformance.lifecycle.on_dask import check_lifecycle_on_dask as check_lifecycle_on_dask
    from conformance.mapping import from_canonical as from_canonical
    from conformance.mapping import to_canonical as to_canonical
    from conformance.records import read_records as read_records
    from conformance.report.files import write_reports as write_reports
    from conformance.report.findings import Finding as Finding
    from conformance.report.findings import ValidationResult as ValidationResult
    from conformance.validation.engine import ValidationOptions as ValidationOptions
    from conformance.validation.engine import validate as validate
    from conformance.validation.engine import validate_records as validate_records
    from conformance.validation.identify import identify as identify
    from conformance.validation.semantics import check_invariants as check_invariants

#: Public names resolved on first use: name -> module that defines it. Each is also imported
#: under TYPE_CHECKING above, so users' type checkers see its real type, not Any.
_LAZY = {
    "load_catalog": "conformance.bundle.catalog",
    "Catalog": "conformance.bundle.catalog",
    "SchemaEntry": "conformance.bundle.catalog",
    "validate": "conformance.validation.engine",
    "validate_records": "conformance.validation.engine",
    "validate_on_dask": "conformance.engines.cluster",  # the dask extra
    "dask_client": "conformance.engines.cluster",
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
    "check_lifecycle": "conformance.lifecycle.check",
    "check_lifecycle_on_dask": "conformance.lifecycle.on_dask",  # the dask extra
    "read_user_errata": "conformance.bundle.user_errata",
    "layered_errata": "conformance.bundle.user_errata",
    "UserErrata": "conformance.bundle.user_errata",
    "drift_of": "conformance.drift.profile",
    "drift_on_dask": "conformance.drift.on_dask",  # the dask extra
    "DriftReport": "conformance.drift.model",
    "load_contract": "conformance.diff.sources",
    "diff_contracts": "conformance.diff.compare",
    "catalog_scope": "conformance.diff.compare",
    "ContractDiff": "conformance.diff.compare",
    "LifecycleResult": "conformance.lifecycle.check",
    "coverage_of": "conformance.lifecycle.coverage",
    "CoverageReport": "conformance.lifecycle.coverage",
    "coverage_on_dask": "conformance.lifecycle.coverage_on_dask",  # the dask extra
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
