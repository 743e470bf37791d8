"""Counts people read say `1 fixture`, `1 operation`, `1 unreadable input`: one `plural`.

Also the guards of the small flag and report promises: every JSON report begins with its
`version` (never `runconform_report`).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.contract.results import ContractResult, OperationRun
from conformance.report.findings import Finding
from conformance.words import plural

Cli = Callable[..., tuple[int, str, str]]
PACKAGE = Path(__file__).resolve().parent.parent / "conformance"


@pytest.mark.parametrize(
    ("count", "noun", "many", "said"),
    [
        (0, "record", None, "0 records"),
        (1, "record", None, "1 record"),
        (2, "unreadable input", None, "2 unreadable inputs"),
        (2048, "byte", None, "2,048 bytes"),
        (1, "erratum", "errata", "1 erratum"),
        (3, "erratum", "errata", "3 errata"),
    ],
)
def test_plural(count: int, noun: str, many: str | None, said: str) -> None:
    assert plural(count, noun, many) == said


def _counted_texts() -> list[tuple[str, int, str]]:
    """Every f-string part that follows a formatted value: where a count is worded."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for value, after in zip(node.values, node.values[1:], strict=False):
                    if isinstance(value, ast.FormattedValue) and isinstance(after, ast.Constant):
                        found.append((str(path.relative_to(PACKAGE)), node.lineno, after.value))
    return found


def test_no_count_is_hedged_with_s_in_brackets() -> None:
    """`{n} request(s)` is `plural(n, "request")`; `unknown key(s) a, b` names a list."""
    hedged = [
        (f, line, t) for f, line, t in _counted_texts() if re.match(r" \w+(?: \w+)?\(s\)", str(t))
    ]
    assert hedged == []


def test_fixtures_says_one_fixture(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("fixtures", "hatchet.V1TaskSummary", "-n", "1", "-o", "one.jsonl")
    assert (code, out, err) == (0, "", "wrote 1 fixture of hatchet.V1TaskSummary to one.jsonl\n")
    code, _, err = run_cli(
        "fixtures", "hatchet.V1TaskSummary", "-n", "1", "--invalid", "-o", "bad.jsonl"
    )
    assert err == "wrote 1 negative fixture of hatchet.V1TaskSummary to bad.jsonl\n"


ENUM = Finding("error", "schema", "enum", "/status", "not one of", stage="contract")


def test_a_contract_run_of_one_operation() -> None:
    run = OperationRun("GET /runs", "listRuns", 1, (200,), (ENUM,), (), checked=1)
    result = ContractResult("hatchet", "http://127.0.0.1:9", 0, (run,), (), (), 1.25)
    assert run.line == "GET /runs: FAILED (1 call, statuses [200])"
    assert result.summary() == "1 operation tested, 1 failure, 0 untested, 0 skipped in 1.2 s"
    untested = OperationRun("GET /runs", "listRuns", 1, (404,), (), ())
    late = ContractResult("hatchet", "u", 0, (untested,), (), (), 1.0, stopped="time ran out")
    assert late.verdict is not None and "time ran out before the run was done: 1 operation " in (
        late.verdict
    )


# -- every JSON report says its version the same way ------------------------------------------


def test_validate_json_begins_with_its_version(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bare.json").write_text('{"hello": 1}\n')
    _, out, _ = run_cli("validate", "bare.json", "--output-format", "json")
    document = json.loads(out)
    assert next(iter(document)) == "version" and "runconform_report" not in document


def test_every_json_report_is_written_by_the_one_json_writer() -> None:
    """validate, check, contract --report json and the pytest plugin's report all go
    through `JsonWriter` (or the registry that holds it), which writes `version` first;
    no module writes a `runconform_report` key."""
    sources = {
        "report/files.py": "write_cases",
        "contract/report_files.py": "WRITERS",
        "pytest/plugin.py": "JsonWriter",
        "cli/validate_cmd.py": "WRITERS",
    }
    for name, writer in sources.items():
        assert writer in (PACKAGE / name).read_text(), name
    written = [
        p
        for p in PACKAGE.rglob("*.py")
        if any(f"{q}runconform_report{q}:" in p.read_text() for q in "'\"")
    ]
    assert written == []
