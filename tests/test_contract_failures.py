"""A contract failure is data: the Findings `validate` gives for the same body, and the
check's name from the failure object, never from its title.

The simulator breaks its bodies (`Faults(drift=...)`) on a real loopback server, a real
Schemathesis run judges them, and every body the run recorded is validated again with
`conformance.validate`: the run's findings must be exactly those.
"""

from __future__ import annotations

import json

import pytest
from schemathesis.core.failures import CustomFailure, ServerError

from conformance import validate
from conformance.contract import ContractOptions, run_contract
from conformance.contract.failure import ContractFailure, check_name, findings_of
from conformance.report.findings import Finding
from conformance.simulator import Faults, start
from conformance.validation.routing import route

TOKEN = "t0k3n-for-failure-tests"
JUDGED = ("schema", "invariant", "drift")  # the kinds `validate` gives a body


def _key(finding: Finding) -> tuple[str, str, str, str, str, str]:
    return (
        finding.severity,
        finding.kind,
        finding.keyword,
        finding.pointer,
        finding.message,
        finding.schema_path,
    )


@pytest.mark.parametrize("drift", ["wrong-enum", "wrong-type", "time-order", "undocumented-field"])
@pytest.mark.parametrize("vendor", ["xceptor", "hatchet"])
def test_a_fault_gives_the_findings_validate_gives_for_the_same_body(
    vendor: str, drift: str
) -> None:
    with start(vendor, seed=1, faults=Faults(drift=drift), token=TOKEN) as sim:
        options = ContractOptions(
            base_url=sim.url,
            headers=(("Authorization", f"Bearer {TOKEN}"),),
            path_parameters=tuple(sim.known_path_parameters().items()),
            max_examples=3,
            rate_limit=0,
            record=True,
        )
        result = run_contract(vendor, options)
    assert result.failures, drift
    for run in result.runs:
        assert {(f.subject, f.stage) for f in run.failures} <= {(run.operation, "contract")}
        expected: set[tuple[str, ...]] = set()
        for exchange in (e for e in result.exchanges if e.operation == run.operation):
            if not 200 <= exchange.status < 300:
                continue
            routed = route(exchange.method, exchange.url, exchange.status, vendor=vendor)
            assert routed is not None and routed.schema is not None
            body = json.loads(exchange.response_body)
            found = validate(body, routed.schema, strict=True).findings
            expected |= {_key(f) for f in found if f.kind in JUDGED}
        judged = {_key(f) for f in run.failures if f.kind in JUDGED}
        assert judged == expected, run.operation


def test_our_failure_names_its_check_whatever_its_title() -> None:
    finding = Finding("error", "contract", "runconform_paging", "/items", "asked for 1, got 2")
    failure = ContractFailure(operation="GET /runs", check="runconform_paging", findings=(finding,))
    failure.title = "Custom check failed: `not_a_server_error`"  # a misleading title
    assert check_name(failure) == "runconform_paging"
    assert findings_of(failure, "GET /runs", str) == (
        Finding(
            "error",
            "contract",
            "runconform_paging",
            "/items",
            "asked for 1, got 2",
            subject="GET /runs",
            stage="contract",
        ),
    )


def test_a_builtin_failure_is_named_by_its_class_not_its_title() -> None:
    failure = ServerError(operation="GET /runs", status_code=500)
    failure.title = "Custom check failed: `runconform_schema`"
    [finding] = findings_of(failure, "GET /runs", lambda text: text.replace("500", "[X]"))
    assert (finding.kind, finding.keyword, finding.subject, finding.stage) == (
        "contract",
        "not_a_server_error",
        "GET /runs",
        "contract",
    )
    assert "500" not in finding.message  # every message leaves through the scrubber
    # a bare AssertionError Schemathesis wrapped: its class, never the name in the title
    wrapped = CustomFailure(
        operation="GET /runs",
        title="Custom check failed: `runconform_schema`",
        message="boom",
        exception=AssertionError("boom"),
    )
    assert check_name(wrapped) == "CustomFailure"


def test_two_of_our_checks_failing_on_one_response_stay_two_failures() -> None:
    """Schemathesis keeps one failure per class and key: ours key on check and findings."""
    one = Finding("error", "schema", "enum", "/status", "bad")
    two = Finding("error", "invariant", "time-order", "/ended_at", "early")
    first = ContractFailure(operation="GET /runs", check="runconform_schema", findings=(one,))
    second = ContractFailure(operation="GET /runs", check="runconform_invariants", findings=(two,))
    assert len({first, second}) == 2
