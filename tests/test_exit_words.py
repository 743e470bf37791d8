"""The final status says what happened; the exit codes stay as documented.

Records that no schema judged end `check` with exit 2 "nothing checked: no schema for N
records" (not "usage error"); a host that does not resolve ends it with exit 4 "network
failure: ..." (not "unreadable input"). The name lookup is refused in-process (no DNS
query leaves the machine): `.invalid` is reserved and would not resolve anyway.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conformance.report.findings import Finding
from conformance.report.model import Provenance, Report, StageResult
from conformance.report.status import what_happened

Cli = Callable[..., tuple[int, str, str]]
HOST = "nonexistent.invalid"
URL = f"http://{HOST}:1/"
RESOLVE = f"cannot resolve host {HOST} of {URL}"


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every name lookup of HOST fails as the resolver fails it, without asking one."""
    real = socket.getaddrinfo

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == HOST:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)


def report(code: int, *stages: StageResult) -> Report:
    return Report("0", "2026-01-01T00:00:00Z", 1.0, code, stages, Provenance("corrected", "x"))


NO_SCHEMA = Finding("error", "routing", "no-schema", "", "no schema for this record")


def test_no_schema_is_nothing_checked() -> None:
    stage = StageResult(
        "validate", "Validate", "failed", 0.1, findings=(NO_SCHEMA,) * 3, exit_code=2
    )
    assert what_happened(report(2, stage)) == "nothing checked: no schema for 3 records"
    one = replace(stage, findings=(NO_SCHEMA,))
    assert what_happened(report(2, one)) == "nothing checked: no schema for 1 record"


def test_a_contract_stage_that_reached_nothing_is_a_network_failure() -> None:
    stage = StageResult(
        "contract", "Contract", "error", 0.1, message=f"hatchet: {RESOLVE}", exit_code=4
    )
    assert what_happened(report(4, stage)) == f"network failure: hatchet: {RESOLVE}"


def test_other_codes_keep_their_meaning() -> None:
    assert what_happened(report(0)) == "all conform"
    assert what_happened(report(1, StageResult("lint", "L", "failed", 0.1, exit_code=1))) == (
        "non-conforming data"
    )
    unreadable = StageResult("validate", "V", "error", 0.1, message="1 unreadable input: x")
    assert what_happened(report(4, replace(unreadable, exit_code=4))) == "unreadable input"
    assert what_happened(report(9)) == "unknown exit code"


FINAL = re.compile(r"^exit (\d): (.*) \(\d+\.\d s\)$")


def final(err: str) -> tuple[int, str]:
    found = FINAL.match(err.splitlines()[-1])
    assert found, err
    return int(found[1]), found[2]


def test_check_on_records_with_no_schema(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bare.json").write_text('{"hello": 1}\n')
    args = ("check", "bare.json", "--vendor", "hatchet", "--fixtures", "1", "-q")
    code, _, err = run_cli(*args, "--report", "markdown,html")
    assert (code, final(err)) == (2, (2, "nothing checked: no schema for 1 record"))
    markdown = (tmp_path / "reports" / "runconform-check.md").read_text()
    assert "**Exit code 2** (nothing checked: no schema for 1 record) · `bare.json`" in markdown
    html = (tmp_path / "reports" / "runconform-check.html").read_text()
    assert "Exit code 2: nothing checked: no schema for 1 record</p>" in html
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "runconform-check.html",
        "runconform-check.md",
    ]


def test_check_on_a_host_that_does_not_resolve(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dns: None
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ("check", "--vendor", "hatchet", "-u", URL, "--fixtures", "1", "-q")
    code, _, err = run_cli(*args, "--report", "json")
    assert (code, final(err)) == (4, (4, f"network failure: hatchet: {RESOLVE}"))


def test_contract_on_a_host_that_does_not_resolve(run_cli: Cli, no_dns: None) -> None:
    code, out, err = run_cli("contract", "hatchet", "--url", URL)
    assert (code, out, err) == (4, "", f"runconform: error: {RESOLVE}\n")
