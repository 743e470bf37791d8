"""The contract runner against the reference simulator, over real loopback HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.contract import ContractOptions, run_contract
from conformance.errors import InputError, UsageError
from conformance.simulator import Faults, start

OURS = (
    "runconform_schema",
    "runconform_undocumented",
    "runconform_invariants",
    "runconform_canonical",
    "runconform_paging",
)


def _run(vendor: str, faults: Faults | None = None, **options: object):
    with start(vendor, seed=1, faults=faults or Faults()) as sim:
        return run_contract(
            vendor, ContractOptions(base_url=sim.url, max_examples=5, rate_limit=0, **options)
        )  # type: ignore[arg-type]


@pytest.mark.parametrize("vendor", ["paragon", "knock", "xceptor"])
def test_normal_mode_breaks_none_of_our_checks(vendor: str) -> None:
    result = _run(vendor)
    assert result.runs
    assert [f for f in result.failures if f.check in OURS] == []


# (vendor, drift kind, our check that must name it, text the message must carry)
DRIFTS = [
    ("paragon", "wrong-enum", "runconform_schema", "[enum]"),
    ("paragon", "wrong-type", "runconform_schema", "[type]"),
    ("paragon", "time-order", "runconform_invariants", "[time-order]"),
    ("paragon", "undocumented-field", "runconform_undocumented", "is not documented"),
    ("knock", "missing-required", "runconform_schema", "[required]"),
    ("knock", "wrong-enum", "runconform_schema", "[enum]"),
]


@pytest.mark.parametrize(
    ("vendor", "drift", "check", "text"), DRIFTS, ids=[f"{v}-{d}" for v, d, _, _ in DRIFTS]
)
def test_drift_is_caught_and_named(vendor: str, drift: str, check: str, text: str) -> None:
    result = _run(vendor, Faults(drift=drift))
    named = [f for f in result.failures if f.check == check]
    assert named, [(f.check, f.message) for f in result.failures]
    assert any(text in f.message for f in named)


def test_writes_are_skipped_unless_allowed() -> None:
    result = _run("xceptor")
    assert ("POST /workflows/{workflowId}/runs", "writes need --allow-writes") in result.skipped
    assert all(r.operation.startswith("GET ") for r in result.runs)
    assert result.notes == (
        "xceptor/workflow-runs-api.openapi.yml: declares OpenAPI 3.2.0, "
        "which Schemathesis does not read; tested as 3.1.0 (it uses no "
        "3.2-only feature)",
    )


def test_a_planted_secret_never_reaches_the_result(tmp_path: Path, run_cli) -> None:
    secret = "sk_live_PLANTED_9f8e7d6c5b4a"
    with start("paragon", seed=1, faults=Faults(drift="wrong-enum")) as sim:
        report = tmp_path / "report.json"
        code, out, err = run_cli(
            "contract",
            "paragon",
            "--base-url",
            sim.url,
            "--rate-limit",
            "0",
            "--max-examples",
            "3",
            "--header",
            f"Authorization: Bearer {secret}",
            "--report",
            str(report),
        )
    assert code == 1
    assert secret not in out + err + report.read_text()
    assert json.loads(report.read_text())["ok"] is False


def test_unreachable_base_url() -> None:
    with pytest.raises(InputError) as caught:
        run_contract("paragon", ContractOptions(base_url="http://127.0.0.1:9"))
    assert str(caught.value) == "cannot reach http://127.0.0.1:9: Connection refused"


def test_unknown_operation_id() -> None:
    with pytest.raises(UsageError, match="unknown operation id\\(s\\) for paragon: nope; known: "):
        _run("paragon", operations=("nope",))
