"""Choosing a schema apart from judging: each strategy gives an exact Choice, and the
--jobs unit of work (BlockVerdict) says what one process says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import example

from conformance.engines.blocks import (
    Judging,
    block_counted,
    block_results,
    clean_template,
    judge_unit,
)
from conformance.records import DEFAULT_LIMITS, HttpExchange, Locator, ReadProblem, Record
from conformance.records.documents import LineBlock, decode_block
from conformance.report.findings import CleanRecords, Finding
from conformance.validation.choose import Choice, choose_schema
from conformance.validation.engine import ValidationOptions, validate_record, validate_records
from conformance.validation.judge import clean_test, judge
from conformance.validation.validators import validators_for

RUN = "xceptor.WorkflowRun"
RUNS_URL = "https://api.xceptor.com/v1/workflows/wf-1/runs"
LOCATOR = Locator("recording.json", 0, 1, "record[0]")
UNDECLARED = Finding(
    "error",
    "contract",
    "response",
    "",
    "status 418 is not declared for GET /workflows/{workflowId}/runs (declared: 200, 401, 404)",
)


def _exchange(url: str, status: int) -> HttpExchange:
    path = "/" + url.split("/", 3)[3] if "://" in url else url
    return HttpExchange("GET", url, path, status, "application/json")


def _no_schema(message: str) -> Finding:
    return Finding("error", "routing", "no-schema", "", message)


# (case, payload ("run": the example WorkflowRun), exchange, choose_schema keywords, Choice)
CASES: list[tuple[str, Any, HttpExchange | None, dict[str, Any], Choice]] = [
    ("explicit", "run", None, {"schema": RUN}, Choice(RUN, "explicit")),
    (
        "explicit wins over the contract",
        "run",
        _exchange(RUNS_URL, 200),
        {"schema": RUN, "identify": True},
        Choice(RUN, "explicit"),
    ),
    (
        "contract",
        "run",
        _exchange(RUNS_URL, 200),
        {},
        Choice("xceptor.WorkflowRunList", "contract", "listWorkflowRuns"),
    ),
    (
        "contract: the operation has no bundled schema for the status",
        "run",
        _exchange(RUNS_URL, 418),
        {},
        Choice(
            None,
            "contract",
            "listWorkflowRuns",
            None,
            (
                UNDECLARED,
                Finding(
                    "info",
                    "routing",
                    "no-bundled-schema",
                    "",
                    "GET /workflows/{workflowId}/runs (listWorkflowRuns) has no bundled "
                    "response schema for status 418",
                ),
            ),
        ),
    ),
    ("identified", "run", None, {"identify": True}, Choice(RUN, "identified", None, 1.0)),
    (
        "identified after a contract with no schema, keeping its findings",
        "run",
        _exchange(RUNS_URL, 418),
        {"identify": True},
        Choice(RUN, "identified", None, 1.0, (UNDECLARED,)),
    ),
    (
        "identified: a negative-fixture sidecar by its fixture",
        {"fixture": "run", "violates": {"kind": "schema", "keyword": "enum", "pointer": "/x"}},
        None,
        {"identify": True},
        Choice(RUN, "identified", None, 1.0),
    ),
    (
        "none: nothing asked for",
        "run",
        None,
        {},
        Choice(
            None,
            "none",
            findings=(
                _no_schema("no schema for this record: give --schema vendor.Object, or --identify"),
            ),
        ),
    ),
    (
        "none: no operation matches",
        "run",
        _exchange("https://nowhere.test/nothing", 200),
        {},
        Choice(
            None,
            "none",
            findings=(
                _no_schema(
                    "no vendor contract operation matches GET /nothing; give --schema or --identify"
                ),
            ),
        ),
    ),
    (
        "none: the URL cannot be routed",
        "run",
        HttpExchange("GET", "http://[::1/runs", "/runs", 200, "application/json"),
        {},
        Choice(
            None,
            "none",
            findings=(
                _no_schema(
                    "cannot route GET http://[::1/runs: Invalid IPv6 URL; "
                    "give --schema or --identify"
                ),
            ),
        ),
    ),
    (
        "none: the shape says nothing (contract findings after the routing one)",
        {"x": 1},
        _exchange(RUNS_URL, 418),
        {"identify": True},
        Choice(
            None,
            "none",
            findings=(
                _no_schema(
                    "could not identify the object by its shape (closest: none); give --schema"
                ),
                UNDECLARED,
            ),
        ),
    ),
]


def _payload(value: Any) -> Any:
    if value == "run":
        return example(RUN)
    if isinstance(value, dict) and value.get("fixture") == "run":
        return {**value, "fixture": example(RUN)}
    return value


@pytest.mark.parametrize(
    ("payload", "exchange", "asked", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_strategy_gives_its_exact_choice(
    payload: Any, exchange: HttpExchange | None, asked: dict[str, Any], expected: Choice
) -> None:
    record = Record(LOCATOR, _payload(payload), exchange)
    choice = choose_schema(record, **asked)
    assert choice == expected
    routing = [f for f in expected.findings if f.kind == "routing"]
    assert choice.routing == (routing[0] if routing else None)
    result = validate_record(record, **asked)  # the verdict carries the choice unchanged
    assert (result.chosen_by, result.operation, result.confidence) == (
        expected.chosen_by,
        expected.operation,
        expected.confidence,
    )
    assert result.findings[: len(expected.findings)] == expected.findings
    if expected.schema is None:
        assert result.schema is None and result.findings == expected.findings


@pytest.fixture
def mixed_block(tmp_path: Path) -> Path:
    """Clean, failing (schema, invariant, drift, lone surrogate, sidecar) and unreadable
    records, with blank lines between."""
    good = example(RUN)
    sidecar = {
        "fixture": {**good, "status": "DONE"},
        "violates": {"kind": "schema", "keyword": "enum", "pointer": "/status"},
    }
    lines = [
        json.dumps(good),
        json.dumps({**good, "status": "DONE"}),
        "",
        json.dumps(good),
        "{broken",
        json.dumps({**good, "duration_ms": 1}),
        json.dumps({**good, "tenant": "x"}),
        json.dumps({**good, "triggered_by": "\ud800"}),
        json.dumps(sidecar),
        "   ",
        json.dumps(good),
        json.dumps(good),
    ]
    data = ("\n".join(lines) + "\n").encode()
    data = data.replace(b'"load-trades"', b'"load-\xfftrades"', 1)  # invalid UTF-8 on line 1
    path = tmp_path / "runs.jsonl"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("by_reference", [False, True])
def test_a_block_verdict_is_what_one_process_says(mixed_block: Path, by_reference: bool) -> None:
    data = mixed_block.read_bytes()
    block = (
        LineBlock(str(mixed_block), 1, 0, b"", length=len(data))
        if by_reference
        else LineBlock(str(mixed_block), 1, 0, data)
    )
    one = list(validate_records(mixed_block, schema=RUN))
    assert {r.findings[0].kind for r in one if r.findings} == {
        "read",
        "schema",
        "invariant",
        "drift",
    }
    assert sum(1 for r in one if not r.findings) >= 3

    how = Judging(RUN, None, False, ValidationOptions())
    verdict = judge_unit(block, how)
    assert len(verdict.clean_runs) == len(verdict.results) + 1
    assert verdict.records == len(one)
    assert list(block_results(verdict, str(mixed_block), 0, clean_template(how))) == one

    counting = Judging(RUN, None, False, ValidationOptions(), count_clean=True)
    counted = list(block_counted(judge_unit(block, counting), 0, clean_template(counting)))
    assert counted[:-1] == [r for r in one if r.findings]
    assert counted[-1] == CleanRecords(sum(1 for r in one if not r.findings), RUN, "corrected")


def test_a_block_without_a_schema_is_chosen_record_by_record(mixed_block: Path) -> None:
    how = Judging(None, None, True, ValidationOptions())
    block = LineBlock(str(mixed_block), 1, 0, mixed_block.read_bytes())
    verdict = judge_unit(block, how)
    assert verdict.clean == 0
    assert list(verdict.results) == list(validate_records(mixed_block, identify=True))


def test_clean_test_never_says_clean_where_judge_reports(mixed_block: Path) -> None:
    opts = ValidationOptions()
    validators = validators_for(RUN, opts.variant, opts.formats)
    is_clean = clean_test(validators, opts)
    block = LineBlock(str(mixed_block), 1, 0, mixed_block.read_bytes())
    records = [r for r in decode_block(block, DEFAULT_LIMITS) if not isinstance(r, ReadProblem)]
    said = [(is_clean(r.payload), judge(r.payload, validators, opts, r.locator)) for r in records]
    assert all(not result.findings for clean, result in said if clean)
    assert sum(clean for clean, _ in said) >= 3
