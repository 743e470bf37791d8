"""Contract testing of a live run API: Schemathesis property tests plus runconform's checks.

from conformance.contract import ContractOptions, run_contract
result = run_contract("xceptor", ContractOptions(base_url="http://127.0.0.1:8080"))
result.ok, result.failures
"""

from __future__ import annotations

from conformance.contract.response_checks import CHECKS, Observed
from conformance.contract.runner import (
    SAFE_METHODS,
    CheckFailure,
    ContractOptions,
    ContractResult,
    OperationRun,
    run_contract,
)

__all__ = [
    "CHECKS",
    "SAFE_METHODS",
    "CheckFailure",
    "ContractOptions",
    "ContractResult",
    "Observed",
    "OperationRun",
    "run_contract",
]
