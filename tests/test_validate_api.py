"""The Python API of validation: `validate()` on one instance, `validate_records()` on streams.

Messages are asserted exactly where a person reads them; `schema_path` only by its keyword
location (its base differs between the detailed engines, both of which are legitimate).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import example, example_names

from conformance.bundle.catalog import Catalog
from conformance.bundle.formats import CHECKED_FORMATS
from conformance.errors import UnknownObjectError
from conformance.records import Locator, ReadProblem, Record
from conformance.report.findings import Finding, ValidationResult
from conformance.validation.engine import ValidationOptions, validate, validate_records

RUN = "hatchet.V1WorkflowRun"
RUN_ERRATA = ("hatchet-workflowrun-required-id", "hatchet-workflowrun-type-object")
STATUSES = '"QUEUED", "RUNNING", "COMPLETED", "CANCELLED", "FAILED"'


def run(**changes: Any) -> dict[str, Any]:
    """The Hatchet run example with top-level fields replaced (None deletes)."""
    instance = example(RUN)
    for key, value in changes.items():
        if value is None:
            instance.pop(key, None)
        else:
            instance[key] = value
    return instance


def without_schema_path(findings: tuple[Finding, ...]) -> list[tuple[str, ...]]:
    return [(f.severity, f.kind, f.keyword, f.pointer, f.path, f.message) for f in findings]


# -- the result and its findings ---------------------------------------------------------------


def test_valid_example_gives_a_frozen_result_with_the_errata_in_scope() -> None:
    result = validate(example(RUN), RUN)
    assert isinstance(result, ValidationResult)
    assert result.schema == RUN
    assert result.variant == "corrected"
    assert result.findings == ()
    assert result.ok
    assert result.errata == RUN_ERRATA
    assert result.chosen_by == "explicit"
    assert result.locator is None
    with pytest.raises(AttributeError):  # FrozenInstanceError is one too
        result.schema = "knock.WorkflowRecipientRun"  # type: ignore[misc]


@pytest.mark.parametrize("name", example_names())
def test_every_example_conforms_and_carries_its_errata(name: str, catalog: Catalog) -> None:
    result = validate(example(name), name)
    assert result.ok, result.findings
    assert [f for f in result.findings if f.severity != "info"] == []
    assert result.errata == tuple(catalog.entry(name).errata)
    assert validate(example(name), name, variant="published").errata == ()


@pytest.mark.parametrize("name", example_names())
def test_every_object_rejects_a_value_of_the_wrong_shape(name: str, catalog: Catalog) -> None:
    """The negative twin of the test above; and the `*-type-object` errata are what make
    the corrected Hatchet schemas reject a non-object at all."""
    positive = example(name)
    if isinstance(positive, dict):
        negative: Any = []
        expected = {("error", "schema", "type", "", "$", "[] is not of type object")}
    elif isinstance(positive, list):  # Hatchet's external id list
        negative = {}
        expected = {("error", "schema", "type", "", "$", "{} is not of type array")}
    else:
        negative = "NOT_A_STATUS"
        expected = {
            ("error", "schema", "enum", "", "$", f'"NOT_A_STATUS" is not one of: {STATUSES}')
        }
    result = validate(negative, name)
    assert not result.ok
    assert set(without_schema_path(result.findings)) == expected
    published = validate(negative, name, variant="published")
    type_erratum = any(  # one that adds `type: object` to this very object
        e.endswith("-type-object") and catalog.erratum(e)["object"] == name.split(".", 1)[1]
        for e in catalog.entry(name).errata
    )
    assert published.ok is type_erratum, published.findings


def test_a_finding_carries_severity_kind_keyword_pointer_path_message_schema_path() -> None:
    result = validate(run(status="DONE"), RUN)
    assert not result.ok
    (finding,) = result.findings
    assert finding.severity == "error"
    assert finding.kind == "schema"
    assert finding.keyword == "enum"
    assert finding.pointer == "/status"
    assert finding.path == "$.status"
    assert finding.message == f'"DONE" is not one of: {STATUSES}'
    assert finding.schema_path.endswith("#/properties/status/enum") or finding.schema_path.endswith(
        "V1TaskStatus.json#/enum"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.message = "changed"  # type: ignore[misc]


def test_nested_pointer_and_path() -> None:
    page = example("hatchet.V1TaskSummaryList")
    page["rows"][0]["retryCount"] = "none"
    result = validate(page, "hatchet.V1TaskSummaryList")
    assert without_schema_path(result.findings) == [
        (
            "error",
            "schema",
            "type",
            "/rows/0/retryCount",
            "$.rows[0].retryCount",
            '"none" is not of type integer',
        )
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, [], id="positive"),
        pytest.param(
            {"status": None},
            [("error", "schema", "required", "", "$", "'status' is a required property")],
            id="missing-required",
        ),
        pytest.param(
            {"duration": "7s"},
            [("error", "schema", "type", "/duration", "$.duration", '"7s" is not of type integer')],
            id="wrong-type",
        ),
        pytest.param(
            {"status": "DONE"},
            [
                (
                    "error",
                    "schema",
                    "enum",
                    "/status",
                    "$.status",
                    f'"DONE" is not one of: {STATUSES}',
                )
            ],
            id="enum",
        ),
    ],
)
def test_schema_findings(changes: dict[str, Any], expected: list[tuple[str, ...]]) -> None:
    result = validate(run(**changes), RUN)
    assert without_schema_path(result.findings) == expected
    assert result.ok is (not expected)
    for finding in result.findings:
        assert finding.schema_path.endswith("/" + finding.keyword), finding


# -- corrected vs published --------------------------------------------------------------------


def test_as_published_the_hatchet_example_fails_with_exactly_the_required_id_error() -> None:
    result = validate(example(RUN), RUN, variant="published")
    assert result.variant == "published"
    assert result.errata == ()
    assert without_schema_path(result.findings) == [
        ("error", "schema", "required", "", "$", "'id' is a required property")
    ]
    assert result.findings[0].schema_path.endswith("#/required")
    assert validate(example(RUN), RUN, options=ValidationOptions(variant="published")) == result


# -- formats -----------------------------------------------------------------------------------

NOT_A_UUID = "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"  # 36 characters: only the format fails


@pytest.mark.parametrize(
    ("field", "value", "fmt"),
    [("tenantId", NOT_A_UUID, "uuid"), ("createdAt", "yesterday", "date-time")],
)
@pytest.mark.parametrize(
    ("formats", "asserted"),
    [
        pytest.param(None, True, id="default-all"),
        pytest.param((), False, id="none"),
        pytest.param("only", True, id="only-this-one"),
        pytest.param("all-but", False, id="all-but-this-one"),
    ],
)
def test_per_format_switch(field: str, value: str, fmt: str, formats: Any, asserted: bool) -> None:
    if formats == "only":
        formats = (fmt,)
    elif formats == "all-but":
        formats = tuple(f for f in CHECKED_FORMATS if f != fmt)
    result = validate(run(**{field: value}), RUN, formats=formats)
    expected = [
        ("error", "schema", "format", f"/{field}", f"$.{field}", f'"{value}" is not a valid {fmt}')
    ]
    assert without_schema_path(result.findings) == (expected if asserted else [])


# -- invariants --------------------------------------------------------------------------------

BACKWARDS = {"finishedAt": "2026-11-20T09:15:00.000Z"}  # finished before it started
BACKWARDS_FINDINGS = [
    (
        "invariant",
        "time-order",
        "/finishedAt",
        "$.finishedAt",
        "finished (2026-11-20T09:15:00.000Z) is before started (2026-11-20T09:15:02.530Z)",
    ),
    (
        "invariant",
        "duration-consistent",
        "/duration",
        "$.duration",
        "duration 6871 ms does not match finished - started = -2530 ms (tolerance 1000 ms)",
    ),
]


@pytest.mark.parametrize(("strict", "severity"), [(False, "warning"), (True, "error")])
def test_strict_turns_invariant_warnings_into_errors(strict: bool, severity: str) -> None:
    result = validate(run(**BACKWARDS), RUN, strict=strict)
    assert without_schema_path(result.findings) == [(severity, *f) for f in BACKWARDS_FINDINGS]
    assert result.ok is (not strict)
    assert validate(example(RUN), RUN, strict=strict).findings == ()


def test_invariants_can_be_switched_off() -> None:
    assert validate(run(**BACKWARDS), RUN, invariants=False).findings == ()


# -- drift -------------------------------------------------------------------------------------


def test_drift_is_an_info_finding_on_a_schema_valid_record() -> None:
    instance = run(surprise=1)
    instance["metadata"]["extra"] = True
    result = validate(instance, RUN)
    assert result.ok
    assert without_schema_path(result.findings) == [
        (
            "info",
            "drift",
            "undocumented",
            "/metadata/extra",
            "$.metadata.extra",
            "property 'extra' is not documented in the schema",
        ),
        (
            "info",
            "drift",
            "undocumented",
            "/surprise",
            "$.surprise",
            "property 'surprise' is not documented in the schema",
        ),
    ]
    assert validate(instance, RUN, drift=False).findings == ()


def test_strict_makes_drift_an_error_as_a_contract_run_does() -> None:
    """--strict asks for exactly what is documented: an undocumented property fails."""
    result = validate(run(surprise=1), RUN, strict=True)
    assert not result.ok
    assert [(f.severity, f.kind, f.pointer) for f in result.findings] == [
        ("error", "drift", "/surprise")
    ]


def test_drift_is_not_reported_on_an_invalid_record() -> None:
    result = validate(run(surprise=1, status="DONE"), RUN)
    assert [f.kind for f in result.findings] == ["schema"]
    assert not any(f.kind == "drift" for f in result.findings)


def test_validate_does_not_change_the_instance() -> None:
    instance = run(surprise=1)
    before = copy.deepcopy(instance)
    validate(instance, RUN)
    assert instance == before


# -- names -------------------------------------------------------------------------------------


def test_unknown_schema_name_lists_close_matches() -> None:
    with pytest.raises(UnknownObjectError) as raised:
        validate({}, "hatchet.V1WorkflowRn")
    assert str(raised.value) == (
        "unknown object 'hatchet.V1WorkflowRn'; did you mean: hatchet.V1WorkflowRun, "
        "hatchet.V1WorkflowType, hatchet.V1WorkflowRunDetails?"
    )


# -- validate_records --------------------------------------------------------------------------


def _jsonl(path: Path, items: list[Any]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def test_validate_records_streams_over_files(tmp_path: Path) -> None:
    lines = _jsonl(tmp_path / "runs.jsonl", [run(), run(status="DONE"), run(surprise=1)])
    single = tmp_path / "one.json"
    single.write_text(json.dumps(run(duration="7s")), encoding="utf-8")
    results = validate_records([lines, str(single)], schema=RUN)
    assert iter(results) is results  # a stream, not a list
    got = [(str(r.locator), r.ok, [f.keyword for f in r.findings]) for r in results]
    assert got == [
        (f"{lines}:1", True, []),
        (f"{lines}:2", False, ["enum"]),
        (f"{lines}:3", True, ["undocumented"]),
        (f"{single}:1", False, ["type"]),
    ]
    # one path on its own is a source too
    assert [r.ok for r in validate_records(lines, schema=RUN)] == [True, False, True]


def test_validate_records_streams_over_record_objects_in_order(tmp_path: Path) -> None:
    lines = _jsonl(tmp_path / "runs.jsonl", [run(status="DONE")])
    first = Record(Locator("memory", 0, None, "first"), run())
    problem = ReadProblem(Locator("memory", 1, None, "second"), "cannot read", "unreadable")
    results = list(validate_records([first, lines, problem], schema=RUN))
    assert [str(r.locator) for r in results] == ["memory:first", f"{lines}:1", "memory:second"]
    assert [r.ok for r in results] == [True, False, False]
    assert results[0].locator == first.locator
    assert results[2].unreadable
    assert without_schema_path(results[2].findings) == [
        ("error", "read", "unreadable", "", "$", "cannot read")
    ]


def test_validate_records_without_a_schema_reports_no_schema() -> None:
    record = Record(Locator("memory", 0, None, "bare"), run())
    (result,) = validate_records([record])
    assert result.schema is None
    assert result.chosen_by == "none"
    assert without_schema_path(result.findings) == [
        (
            "error",
            "routing",
            "no-schema",
            "",
            "$",
            "no schema for this record: give --schema vendor.Object, or --identify",
        )
    ]
    (identified,) = validate_records([record], identify=True)
    assert identified.schema == RUN
    assert identified.chosen_by == "identified"
    assert identified.confidence is not None and identified.confidence >= 0.6


def test_validate_records_rejects_an_unknown_schema_before_reading(tmp_path: Path) -> None:
    missing = tmp_path / "not-there.json"
    with pytest.raises(UnknownObjectError):
        next(validate_records([missing], schema="hatchet.Nope"))


# -- lone surrogates (valid JSON, not encodable as UTF-8) --------------------------------------


def test_a_lone_surrogate_in_a_record_is_a_finding_not_a_crash() -> None:
    result = validate(run(status="\ud800"), RUN)
    assert [f.keyword for f in result.findings] == ["enum"]


def test_a_postman_url_with_a_base_url_variable_is_routed_by_its_path(tmp_path: Path) -> None:
    """Postman collections usually say "{{baseUrl}}/..."; the contract route is the path's."""
    page = example("paragon.WorkflowExecutionList")
    path = ["projects", "project-1", "task-history", "workflow-executions"]
    url = {"raw": "{{baseUrl}}/" + "/".join(path), "host": ["{{baseUrl}}"], "path": path}
    response = {
        "name": "ok",
        "originalRequest": {"method": "GET", "header": [], "url": url},
        "code": 200,
        "header": [{"key": "Content-Type", "value": "application/json"}],
        "body": json.dumps(page),
    }
    collection = {
        "info": {
            "name": "runs",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [
            {"name": "list", "request": {"method": "GET", "url": url}, "response": [response]}
        ],
    }
    recording = tmp_path / "runs.postman_collection.json"
    recording.write_text(json.dumps(collection), encoding="utf-8")
    [result] = validate_records(recording)
    assert (result.schema, result.chosen_by, result.findings) == (
        "paragon.WorkflowExecutionList",
        "contract",
        (),
    )
