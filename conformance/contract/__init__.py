"""Contract testing of a live run API: Schemathesis property tests plus runconform's checks.

from conformance.contract import ContractOptions, run_contract
result = run_contract("xceptor", ContractOptions(base_url="http://127.0.0.1:8080"))
result.ok, result.failures  # failures: `conformance.report.findings.Finding`s

Exports resolve on first use: `contract.safety` (the scrubber and URL checks the CLI and
`check` options use) loads without Schemathesis and Hypothesis, which only a run needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from conformance.errors import missing_extra

if TYPE_CHECKING:
    from .failure import ContractFailure
    from .options import ContractOptions
    from .response_checks import CHECKS, Observed
    from .results import ContractResult, OperationRun
    from .runner import SAFE_METHODS, run_contract

_HOME = {
    "CHECKS": ".response_checks",
    "Observed": ".response_checks",
    "ContractFailure": ".failure",
    "ContractOptions": ".options",
    "ContractResult": ".results",
    "OperationRun": ".results",
    "SAFE_METHODS": ".runner",
    "run_contract": ".runner",
}

__all__ = [
    "CHECKS",
    "SAFE_METHODS",
    "ContractFailure",
    "ContractOptions",
    "ContractResult",
    "Observed",
    "OperationRun",
    "run_contract",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = import_module(_HOME[name], __name__)
    except ImportError as error:  # Schemathesis is the `contract` extra: say so
        missing = missing_extra(error)
        if missing is None:
            raise
        raise missing from error
    value = getattr(module, name)
    globals()[name] = value
    return value
