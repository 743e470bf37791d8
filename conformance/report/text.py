"""The one text form of a finding, used by every text output (validate, JUnit bodies,
pytest failures, lint and mapping lines) and the locators of JSON, SARIF and HTML.

`where: severity: message [keyword] (hint)`, where `where` says where the finding is
as people read it: `file:line:column: $.path` at a value in a record (`file:line: $.path`,
the record's line, when the value cannot be found again), `file#pointer` in a bundled
document, `file:line` in a mapping file, the subject (an operation, an object) otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from conformance.report.escape import visible
from conformance.report.findings import Finding, ValidationResult

#: Kinds whose pointer is into a JSON document judged as a whole (a record, a response).
_DOCUMENT_KINDS = frozenset({"schema", "invariant", "drift", "routing", "read"})


def encodable(text: str) -> str:
    """Lone surrogates (valid in JSON, so in a message quoting a value; not in UTF-8) as
    `\\udXXX` escapes, so that any stream can take the text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def locator_text(result: ValidationResult) -> str:
    """`file:line`, its control characters escaped (a file name can hold a newline)."""
    return visible(str(result.locator)) if result.locator else "<instance>"


def rule_id(finding: Finding) -> str:
    """`kind/keyword`, e.g. `schema/enum`: what SARIF rules and the check chart group by."""
    return f"{finding.kind}/{finding.keyword}"


def location(finding: Finding, at: str | None = None) -> str:
    """Where `finding` is; `at` is the record's own locator when the caller has one."""
    if finding.kind == "lint" and finding.file:
        return visible(f"{finding.file}#{finding.pointer}")
    if at is not None:  # a record: its locator (the value's, once placed), then the path
        if finding.file and finding.line and finding.column:
            at = visible(f"{finding.file}:{finding.line}:{finding.column}")
        return f"{at}: {finding.path}"
    place = finding.subject
    if finding.file:
        at_line = f":{finding.line}" if finding.line else ""
        if finding.line and finding.column:
            at_line += f":{finding.column}"
        place = finding.file + (at_line or (f":{finding.label}" if finding.label else ""))
    place = visible(place)
    # a drift item of a whole corpus names its field in `subject`: it has no one document
    if finding.pointer or (finding.kind in _DOCUMENT_KINDS and finding.stage != "drift"):
        return f"{place}: {finding.path}" if place else finding.path
    return place or finding.path


def finding_line(finding: Finding, where: str | None = None) -> str:
    """`where: severity: message [keyword] (hint)` - the one text form of a finding.

    `where` defaults to `location(finding)`; validate passes the record's locator with
    the path (`location(finding, locator_text(result))`)."""
    where = location(finding) if where is None else where
    hint = f" ({visible(encodable(finding.hint))})" if finding.hint else ""
    return (
        f"{where}: {finding.severity}: {visible(encodable(finding.message))} "
        f"[{finding.keyword}]{hint}"
    )


def user_errata_line(errata: Iterable[Mapping[str, str]]) -> str:
    """The one line that names the user errata a run applied, and where each came from."""
    listed = [f"{e['id']} ({e['object']}, {e['source']})" for e in errata]
    return f"user errata applied: {', '.join(listed)}"
