"""Every XML report stays well-formed whatever text reaches it.

A message can quote a server's body, a file name need not be UTF-8: control characters,
U+FFFE/U+FFFF and lone surrogates reach every field of every JUnit writer here. Each
output must parse (ElementTree and junitparser) and show those characters as visible
escapes, never drop them silently.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import junitparser
import pytest

from conformance.contract.report_files import write_contract_reports
from conformance.contract.results import ContractResult, OperationRun
from conformance.records import Locator
from conformance.report.cases import Header, Summary, record_case
from conformance.report.escape import xml_safe
from conformance.report.files import write_report
from conformance.report.findings import Finding as RecordFinding
from conformance.report.findings import ValidationResult
from conformance.report.model import Provenance, Report, StageResult, Tally
from conformance.report.writers.junit import JUnitWriter

#: What XML 1.0 cannot carry, and how each is shown.
NASTY = (
    ("\x00", "\\x00"),
    ("\x08", "\\x08"),
    ("\x0b", "\\x0b"),
    ("\x1b", "\\x1b"),
    ("\x1f", "\\x1f"),
    ("\ufffe", "\\ufffe"),
    ("\uffff", "\\uffff"),
    ("\ud800", "\\ud800"),
    ("\udcff", "\\xff"),  # a file-name byte `surrogateescape` kept
)
RAW = "".join(raw for raw, _ in NASTY)
SHOWN = "".join(shown for _, shown in NASTY)


def text(label: str) -> str:
    """A field value: its name, every bad character, and what XML must still escape."""
    return f"{label}{RAW}<&>\"'"


def _contract(tmp_path: Path) -> str:
    operation = text("GET /runs/{id}")
    runs = (
        OperationRun(
            operation,
            text("op"),
            2,
            (200,),
            (
                RecordFinding(
                    "error",
                    "contract",
                    text("check"),
                    "",
                    text("message"),
                    subject=operation,
                    stage="contract",
                ),
            ),
            (),
            1,
        ),
        OperationRun(text("GET /errors"), None, 1, (), (), (text("error"),)),
        OperationRun(text("GET /untested"), None, 1, (404,), (), (), 0, text("hint")),
    )
    result = ContractResult(
        "xceptor", text("url"), 0, runs, ((text("POST /x"), text("reason")),), (), 0.1
    )
    (path,) = write_contract_reports(result, ["junit"], tmp_path)
    return path.read_text(encoding="utf-8")


def _check(tmp_path: Path) -> str:
    finding = RecordFinding(
        "error", "contract", text("kind"), "", text("message"), subject=text("subject")
    )
    untested = RecordFinding(
        "error",
        "contract",
        "untested",
        "",
        text("untested"),
        subject=text("op"),
        hint=text("where"),
    )
    stages = (
        StageResult(
            "contract",
            text("title"),
            "failed",
            0.1,
            (Tally(text("subject"), 0, 1), Tally(text("op"), 0, 1, None, 1)),
            (finding, untested),
            text("stage message"),
            1,
        ),
        StageResult("lint", text("errored"), "error", 0.1, message=text("why")),
        StageResult("fixtures", text("skipped"), "skipped", 0.0, message=text("not asked")),
    )
    report = Report("0", "2025-01-01T00:00:00Z", 0.2, 1, stages, Provenance("corrected", "0"))
    out = io.StringIO()
    write_report(report, "junit", out)
    return out.getvalue()


def _validate(tmp_path: Path) -> str:
    finding = RecordFinding("error", "schema", text("keyword"), "/status", text("message"))
    out = io.StringIO()
    writer = JUnitWriter(out)
    writer.begin(Header("validate"))
    summary = Summary()
    for locator in (Locator(text("runs.json"), 0, 3, ""), Locator(text("bad"), None, None, "")):
        result = ValidationResult(text("vendor.Object"), "corrected", (finding,), locator)
        writer.case(record_case(result))
        summary.add(result)
    writer.end(summary.outcome())
    return out.getvalue()


WRITERS: dict[str, Callable[[Path], str]] = {
    "contract": _contract,
    "check": _check,
    "validate": _validate,
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_junit_writer_parses_and_shows_what_xml_cannot_carry(
    tmp_path: Path, writer: str
) -> None:
    written = WRITERS[writer](tmp_path)
    assert not set(RAW) & set(written)
    assert "\ufffd" not in written  # shown, not replaced by a character that hides it
    root = ET.fromstring(written.encode("utf-8"))
    values = [v for node in root.iter() for v in (*node.attrib.values(), node.text or "")]
    fields = [v for v in values if "<&>\"'" in v]  # every field that carried the text
    assert fields and all(SHOWN in v for v in fields)
    path = tmp_path / "parsed.xml"
    path.write_text(written, encoding="utf-8")
    parsed = junitparser.JUnitXml.fromfile(str(path))
    results = [r for suite in parsed for case in suite for r in case.result]
    assert results and all(SHOWN in (r.message or "") for r in results)


@pytest.mark.parametrize(("raw", "shown"), NASTY)
def test_each_character_xml_cannot_carry_is_escaped_visibly(raw: str, shown: str) -> None:
    assert xml_safe(f"a{raw}b\t\n\r\x7f\ud7ff\ue000\ufffd\U0001f600") == (
        f"a{shown}b\t\n\r\x7f\ud7ff\ue000\ufffd\U0001f600"
    )
