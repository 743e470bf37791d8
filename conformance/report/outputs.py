"""Render validation results: text, JSON, JUnit XML, GitHub annotations, SARIF 2.1.0.

Writers stream: each takes results one at a time and holds only counts, so a
200,000-record recording is reported in constant memory. Formats that need
totals up front (JUnit) spool their body to a temporary file.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar
from urllib.parse import quote

from conformance import __version__
from conformance.atomic import cannot_write
from conformance.errors import ExitCode
from conformance.report.escape import visible, xml_attr, xml_text
from conformance.report.findings import CleanRecords, Finding, ValidationResult

JSON_REPORT_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://runconform.invalid/"


@dataclass
class Summary:
    """Counts over a stream of results; what every writer's footer and the exit code need."""

    records: int = 0
    conforming: int = 0
    failing: int = 0
    unreadable: int = 0
    unrouted: int = 0
    severities: Counter[str] = field(default_factory=Counter)
    schemas: Counter[str] = field(default_factory=Counter)
    errata: set[str] = field(default_factory=set)
    _last_errata: tuple[str, ...] = field(default=(), repr=False)

    def add_clean(self, clean: CleanRecords) -> None:
        """Count records that had nothing to report, without one result each."""
        self.records += clean.count
        self.conforming += clean.count
        self.schemas[clean.schema or ""] += clean.count
        self.errata.update(clean.errata)

    def add(self, result: ValidationResult) -> None:
        if not result.findings:  # the common case, kept cheap
            self.records += 1
            self.conforming += 1
            self.schemas[result.schema or ""] += 1
            if result.errata and result.errata is not self._last_errata:
                self.errata.update(result.errata)
                self._last_errata = result.errata
            return
        if result.unreadable:
            self.unreadable += 1
        else:
            self.records += 1
            if any(f.kind == "routing" and f.keyword == "no-schema" for f in result.findings):
                self.unrouted += 1
            if result.ok:
                self.conforming += 1
            else:
                self.failing += 1
        for finding in result.findings:
            self.severities[finding.severity] += 1
        if result.schema:
            self.schemas[result.schema] += 1
        self.errata.update(result.errata)

    def exit_code(self) -> int:
        """4 unreadable input > 2 records with no schema > 1 non-conforming > 0."""
        if self.unreadable:
            return int(ExitCode.UNREADABLE)
        if self.unrouted:
            return int(ExitCode.USAGE)
        if self.failing:
            return int(ExitCode.NON_CONFORMING)
        return int(ExitCode.OK)

    def line(self) -> str:
        s = self.severities
        return (
            f"{_count(self.records, 'record')}: {self.conforming} conforming, {self.failing} not "
            f"conforming; {_count(self.unreadable, 'unreadable input')}; "
            f"{_count(s['error'], 'error')}, {_count(s['warning'], 'warning')}, {s['info']} info"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "conforming": self.conforming,
            "failing": self.failing,
            "unreadable": self.unreadable,
            "unrouted": self.unrouted,
            "errors": self.severities["error"],
            "warnings": self.severities["warning"],
            "info": self.severities["info"],
            "schemas": dict(sorted(self.schemas.items())),
            "errata": sorted(self.errata),
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def locator_text(result: ValidationResult) -> str:
    """`file:line`, its control characters escaped (a file name can hold a newline)."""
    return visible(str(result.locator)) if result.locator else "<instance>"


def encodable(text: str) -> str:
    """Lone surrogates (valid in JSON, so in a message quoting a value; not in UTF-8) as
    `\\udXXX` escapes, so that any stream can take the text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def finding_line(result: ValidationResult, finding: Finding) -> str:
    """`file:line: $.path: severity: message [keyword]` - the one text form of a finding."""
    return (
        f"{locator_text(result)}: {finding.path}: {finding.severity}: "
        f"{visible(encodable(finding.message))} [{finding.keyword}]"
    )


class Writer:
    """Base: `write(result)` per record, then `close(summary)` once."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, result: ValidationResult) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self, summary: Summary) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class TextWriter(Writer):
    """Findings grouped per record; -q: errors only; -v: info and passing records too."""

    def __init__(
        self,
        out: IO[str],
        *,
        verbosity: int = 0,
        style: Callable[[str, str], str] = lambda text, _severity: text,
    ) -> None:
        super().__init__(out)
        self.verbosity = verbosity
        self.style = style
        shown = {-1: ("error",), 0: ("error", "warning"), 1: ("error", "warning", "info")}
        self.shown = shown[max(-1, min(1, verbosity))]

    def write(self, result: ValidationResult) -> None:
        if not result.findings and self.verbosity <= 0:
            return
        lines = [
            self.style(finding_line(result, f), f.severity)
            for f in result.findings
            if f.severity in self.shown
        ]
        if not lines and self.verbosity > 0:
            lines = [f"{locator_text(result)}: ok ({result.schema}, {result.variant})"]
        if lines:
            self.out.write("\n".join(lines) + "\n")

    def close(self, summary: Summary) -> None:
        self.out.write(summary.line() + "\n")


def result_dict(result: ValidationResult) -> dict[str, Any]:
    loc = result.locator
    return {
        "locator": None
        if loc is None
        else {"file": loc.file, "index": loc.index, "line": loc.line, "label": loc.label},
        "schema": result.schema,
        "variant": result.variant,
        "errata": list(result.errata),
        "chosen_by": result.chosen_by,
        "operation": result.operation,
        "confidence": result.confidence,
        "ok": result.ok,
        "findings": [
            {
                "severity": f.severity,
                "kind": f.kind,
                "keyword": f.keyword,
                "pointer": f.pointer,
                "path": f.path,
                "message": f.message,
                "schema_path": f.schema_path,
            }
            for f in result.findings
        ],
    }


class JsonWriter(Writer):
    """One JSON document, results streamed into its array; the summary comes last."""

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        out.write(
            f'{{"version": {JSON_REPORT_VERSION}, "tool": {{"name": "runconform", '
            f'"version": "{__version__}"}}, "results": ['
        )
        self.first = True

    def write(self, result: ValidationResult) -> None:
        self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(result_dict(result)))
        self.first = False

    def close(self, summary: Summary) -> None:
        self.out.write(f'\n], "summary": {json.dumps(summary.as_dict())}}}\n')


class JUnitWriter(Writer):
    """JUnit XML: one testsuite, one testcase per record (body spooled for the counts)."""

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        try:
            self.body = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in close()
        except OSError as exc:
            raise cannot_write(tempfile.gettempdir(), exc) from None
        self.tests = self.failures = self.errors = 0

    def write(self, result: ValidationResult) -> None:
        try:
            self._write(result)
        except OSError as exc:  # the spool is a file in the temp folder: a full disk shows here
            raise cannot_write(tempfile.gettempdir(), exc) from None

    def _write(self, result: ValidationResult) -> None:
        self.tests += 1
        name = xml_attr(locator_text(result))
        classname = xml_attr(result.schema or "unrouted")
        self.body.write(f"    <testcase classname={classname} name={name}>")
        errors = [f for f in result.findings if f.severity == "error"]
        if result.unreadable:
            self.errors += 1
            tag = "error"
        elif errors:
            self.failures += 1
            tag = "failure"
        else:
            tag = ""
        if tag:
            text = "\n".join(finding_line(result, f) for f in errors)
            message = xml_attr(errors[0].message)
            self.body.write(
                f"\n      <{tag} message={message} type={xml_attr(errors[0].keyword)}>"
                f"{xml_text(text)}</{tag}>\n    "
            )
        self.body.write("</testcase>\n")

    def close(self, summary: Summary) -> None:
        self.out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites tests="{self.tests}" failures="{self.failures}" '
            f'errors="{self.errors}">\n'
            f'  <testsuite name="runconform validate" tests="{self.tests}" '
            f'failures="{self.failures}" errors="{self.errors}" skipped="0">\n'
        )
        try:
            self.body.seek(0)  # flushes the spool: a full disk may show here
            while chunk := self.body.read(1 << 16):
                self.out.write(chunk)
            self.body.close()
        except OSError as exc:
            raise cannot_write(tempfile.gettempdir(), exc) from None
        self.out.write("  </testsuite>\n</testsuites>\n")


class GithubWriter(Writer):
    """GitHub Actions workflow commands: annotations on the recording's lines."""

    LEVELS: ClassVar[dict[str, str]] = {"error": "error", "warning": "warning", "info": "notice"}

    def write(self, result: ValidationResult) -> None:
        loc = result.locator
        for finding in result.findings:
            if finding.severity == "info":
                continue
            props = [f"file={_gh(loc.file, True)}"] if loc else []
            if loc and loc.line:
                props.append(f"line={loc.line}")
            props.append(f"title={_gh('runconform ' + finding.keyword, True)}")
            message = _gh(f"{finding.path}: {encodable(finding.message)}", False)
            self.out.write(f"::{self.LEVELS[finding.severity]} {','.join(props)}::{message}\n")

    def close(self, summary: Summary) -> None:
        self.out.write(summary.line() + "\n")


def _gh(text: str, is_property: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


class SarifWriter(Writer):
    """SARIF 2.1.0 for code scanning: results streamed first, the tool object last."""

    LEVELS: ClassVar[dict[str, str]] = {"error": "error", "warning": "warning", "info": "note"}

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        out.write(f'{{"$schema": "{SARIF_SCHEMA}", "version": "2.1.0", "runs": [{{"results": [')
        self.first = True
        self.rules: dict[str, str] = {}

    def write(self, result: ValidationResult) -> None:
        for finding in result.findings:
            rule = f"{finding.kind}/{finding.keyword}"
            self.rules.setdefault(rule, finding.kind)
            location: dict[str, Any] = {}
            if result.locator:
                # a path is not a URI: percent-encode (spaces, '#', '%', undecodable bytes)
                uri = quote(result.locator.file, safe="/", errors="surrogateescape")
                physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
                if result.locator.line:
                    physical["region"] = {"startLine": result.locator.line}
                location = {
                    "physicalLocation": physical,
                    "logicalLocations": [{"fullyQualifiedName": finding.path, "kind": "member"}],
                }
            item = {
                "ruleId": rule,
                "level": self.LEVELS[finding.severity],
                "message": {"text": f"{finding.path}: {finding.message}"},
                "locations": [location] if location else [],
            }
            self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(item))
            self.first = False

    def close(self, summary: Summary) -> None:
        rules = [
            {"id": rule, "shortDescription": {"text": f"{kind} check {rule.split('/')[1]}"}}
            for rule, kind in sorted(self.rules.items())
        ]
        tool = {
            "driver": {
                "name": "runconform",
                "version": __version__,
                "informationUri": TOOL_URI,
                "rules": rules,
            }
        }
        self.out.write(f'\n], "tool": {json.dumps(tool)}}}]}}\n')


WRITERS: dict[str, type[Writer]] = {
    "text": TextWriter,
    "json": JsonWriter,
    "junit": JUnitWriter,
    "github": GithubWriter,
    "sarif": SarifWriter,
}
