"""Coverage as report cases, and the `--min-coverage KIND=PERCENT` gates a CI run sets.

One case per (vendor, kind), so every writer of `conformance.report` renders coverage as
it renders the other commands: the never-exercised items are info findings a person
reads, the numbers are the case's `details`, and a kind below its gate fails its case
with an error finding that says by how much.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from conformance.errors import ExitCode, UsageError
from conformance.lifecycle.coverage import CoverageReport
from conformance.lifecycle.coverage_kinds import KIND_NAMES
from conformance.lifecycle.coverage_model import CoverageKind, floor_tenth
from conformance.records import ReadProblem
from conformance.report.cases import Case, Outcome
from conformance.report.findings import Finding
from conformance.words import plural

STAGE = "coverage"


@dataclass(frozen=True)
class Gate:
    """`--min-coverage operations=50`: every vendor's `kind` must be covered at least
    `percent` (exactly: 2 of 3 is below 66.7)."""

    kind: str
    percent: Fraction
    text: str  # as given, for the messages

    def fails(self, kind: CoverageKind) -> bool:
        got = kind.percent
        return kind.name == self.kind and got is not None and got < self.percent


def parse_gate(text: str) -> Gate:
    """`KIND=PERCENT` -> a `Gate`; anything else is a `UsageError` naming the known kinds."""
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep:
        why = "expected KIND=PERCENT"
    elif name not in KIND_NAMES:
        why = f"unknown kind {name!r}"
    else:
        percent = _percent(value)
        if percent is not None:
            return Gate(name, percent, f"{name}={value}")
        why = f"{value!r} is not a percent from 0 to 100"
    raise UsageError(
        f"--min-coverage {text}: {why}; expected KIND=PERCENT, KIND one of "
        f"{', '.join(KIND_NAMES)}, PERCENT from 0 to 100"
    )


def _percent(value: str) -> Fraction | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite() or not 0 <= number <= 100:
        return None
    return Fraction(number)


def _below(kind: CoverageKind, gates: Iterable[Gate]) -> list[Gate]:
    return [gate for gate in gates if gate.fails(kind)]


def details(kind: CoverageKind) -> dict[str, Any]:
    """The numbers of one kind, as JSON and the tables show them."""
    shown = floor_tenth(kind.percent) if kind.percent is not None else None
    data: dict[str, Any] = {
        "vendor": kind.vendor,
        "kind": kind.name,
        "declared": len(kind.declared),
        "seen": len(kind.seen),
        "percent": float(shown) if shown is not None else None,
        "unseen": list(kind.unseen),
        "undeclared": list(kind.undeclared),
    }
    data |= {label.replace(" ", "_"): list(items) for label, items in kind.notes}
    if kind.message:
        data["message"] = kind.message
    return data


def kind_case(kind: CoverageKind, gates: Iterable[Gate] = ()) -> Case:
    """The case of one vendor's kind: failed below a gate, else passed."""
    subject = f"{kind.vendor} {kind.name}"

    def finding(severity: Any, keyword: str, message: str) -> Finding:
        return Finding(severity, "coverage", keyword, "", message, subject=subject, stage=STAGE)

    below = _below(kind, gates)
    found = [
        finding(
            "error",
            "min-coverage",
            f"{len(kind.seen)} of {len(kind.declared)} {kind.name} covered "
            f"({kind.shown_percent}), below --min-coverage {gate.text}",
        )
        for gate in below
    ]
    found += [finding("info", kind.name, kind.never(item)) for item in kind.unseen]
    found += [
        finding("info", kind.name, f"{item} was seen but is not declared")
        for item in kind.undeclared
    ]
    return Case(
        STAGE,
        subject,
        kind.vendor,
        "failed" if below else "passed",
        tuple(found),
        message=kind.message,
        details=details(kind),
    )


def problem_case(problem: ReadProblem) -> Case:
    """An input that could not be read: an error case, as `validate` reports it."""
    loc = problem.locator
    finding = Finding(
        "error",
        "read",
        problem.kind,
        "",
        problem.message,
        stage=STAGE,
        file=loc.file,
        line=loc.line,
        label=loc.label,
    )
    return Case(STAGE, str(loc), "unreadable", "error", (finding,), loc.file, loc.line)


def coverage_cases(report: CoverageReport, gates: Iterable[Gate] = ()) -> tuple[Case, ...]:
    """Unreadable inputs first, then one case per vendor and kind."""
    kept = tuple(gates)
    return (
        *(problem_case(p) for p in report.problems),
        *(kind_case(k, kept) for k in report.kinds),
    )


def exit_code(report: CoverageReport, gates: Iterable[Gate] = ()) -> int:
    """4 unreadable input > 2 nothing checked > 1 below a gate > 0."""
    kept = tuple(gates)
    if report.problems:
        return int(ExitCode.UNREADABLE)
    if not report.attributed:
        return int(ExitCode.USAGE)
    if any(_below(k, kept) for k in report.kinds):
        return int(ExitCode.NON_CONFORMING)
    return int(ExitCode.OK)


def summary_line(report: CoverageReport, gates: Iterable[Gate] = ()) -> str:
    """One line: what was read, what counted, and the verdict."""
    kept = tuple(gates)
    below = sum(1 for k in report.kinds if _below(k, kept))
    parts = [f"{plural(report.records, 'record')} read, {report.attributed:,} counted"]
    if report.unattributed:
        parts.append(
            f"{plural(report.unattributed, 'record')} of no known vendor, not counted "
            "(give --schema or --identify)"
        )
    parts.append(plural(len(report.problems), "unreadable input"))
    if not report.attributed:
        parts.append("nothing checked: no record was counted")
    elif kept:
        parts.append(f"{plural(below, 'kind')} below --min-coverage")
    vendors = ", ".join(report.vendors) or "no vendor"
    return f"coverage of {vendors}: " + "; ".join(parts)


def coverage_outcome(report: CoverageReport, gates: Iterable[Gate] = ()) -> Outcome:
    kept = tuple(gates)
    counts = {
        "records": report.records,
        "counted": report.attributed,
        "unattributed": report.unattributed,
        "unreadable": len(report.problems),
        "vendors": list(report.vendors),
        "below": sum(1 for k in report.kinds if _below(k, kept)),
    }
    return Outcome(exit_code(report, kept), summary_line(report, kept), counts)
