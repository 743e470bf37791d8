"""The invariants runconform checks beyond a schema, and one broken invariant as a Finding."""

from __future__ import annotations

from conformance.report.findings import Finding

#: Every invariant, with the sentence a report shows for it.
INVARIANTS: dict[str, str] = {
    "run-identity": "a run or step carries its id and status, a list page its items",
    "time-order": "created <= started <= finished (and created <= updated)",
    "duration-consistent": "duration matches finished - started within the tolerance",
    "terminal-has-end": "a run in a terminal status has an end time",
    "active-has-no-end": "a run that is still queued or running has no end time",
    "non-negative-count": "counts are not negative",
    "step-count": "step_count equals the number of steps",
    "page-size": "a page holds no more items than its page size",
    "page-consistent": "page numbers and totals agree with each other and with the items",
}


def violation(rule: str, pointer: str, message: str) -> Finding:
    """One broken invariant at one place: a warning, which `--strict` makes an error."""
    return Finding("warning", "invariant", rule, pointer, message)


def shown_number(number: object) -> str:
    """An integer as a message shows it: in full, or its first digits and length when huge."""
    text = str(number)
    return text if len(text) <= 30 else f"{text[:12]}... ({len(text.lstrip('-')):,} digits)"
