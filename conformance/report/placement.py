"""Findings placed on the value they are about, not on the record that holds it.

A record's finding says where in the record (`pointer`); this finds that value in the
file (`records.positions`) and fills the finding's file, line, column and end. Called
only for results that have findings, so a clean record never pays for it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from conformance.records import Locator
from conformance.report.findings import Finding, ValidationResult

if TYPE_CHECKING:
    from conformance.records.positions import Span

#: Kinds whose pointer is into the record itself.
_IN_RECORD = frozenset({"schema", "invariant", "drift"})
#: Keywords whose pointer is the object and whose message names the property at fault.
_NAMED_PROPERTY = frozenset({"additionalProperties", "unevaluatedProperties"})
_UNEXPECTED = re.compile(r"\(['\"](.*?)['\"](?:,| (?:was|were) unexpected)")


def placed(result: ValidationResult) -> ValidationResult:
    """`result` with each of its record findings placed where its value is, when found."""
    loc = result.locator
    if not result.findings or loc is None or (loc.line is None and loc.start is None):
        return result
    findings = []
    for finding in result.findings:
        if finding.kind in _IN_RECORD and finding.line is None:
            pointer, key = _target(finding)
            span = _locate(loc, pointer, key)
            if span is not None:
                finding = _placed_at(finding, loc.file, span)
        findings.append(finding)
    return result._replace(findings=tuple(findings))


def _locate(loc: Locator, pointer: str, key: str | None) -> Span | None:
    """The span of the value, else of the object that should hold it (a missing property,
    a name the message gave wrongly)."""
    from conformance.records.positions import locate

    span = locate(loc, pointer, key)
    if span is None and key is not None:
        span = locate(loc, pointer)
    if span is None and pointer:
        span = locate(loc, pointer.rpartition("/")[0])
    return span


def _target(finding: Finding) -> tuple[str, str | None]:
    """(pointer, property name) of what to point at: for a property that should not be
    there, its name in the object holding it; for a missing one, that object."""
    if finding.kind == "drift":
        parent, _, name = finding.pointer.rpartition("/")
        return parent, name.replace("~1", "/").replace("~0", "~")
    if finding.keyword in _NAMED_PROPERTY:
        match = _UNEXPECTED.search(finding.message)
        if match:
            return finding.pointer, match[1]
    return finding.pointer, None


def _placed_at(f: Finding, file: str, span: Span) -> Finding:
    """`f` at `span` of `file`: `dataclasses.replace` spelled out, a sixth of its cost
    (it looks the fields up on every call; this runs once per failing record's finding)."""
    return Finding(
        severity=f.severity,
        kind=f.kind,
        keyword=f.keyword,
        pointer=f.pointer,
        message=f.message,
        schema_path=f.schema_path,
        subject=f.subject,
        stage=f.stage,
        file=file,
        line=span.line,
        column=span.column,
        label=f.label,
        hint=f.hint,
        end_line=span.end_line,
        end_column=span.end_column,
    )
