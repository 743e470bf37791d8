"""Which findings of a `check` report a person sees on the terminal, per stage.

The reports hold every finding; the terminal shows a few per stage, worst first, and
says how many more there are. Lint findings below error are notes about the bundled
schemas, not about the user's files: they are counted apart and never crowd out the
user's findings. A lint error stays in the list: it means the bundle cannot be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.report.findings import Finding
from conformance.report.model import Report

#: Findings shown per stage at most.
PER_STAGE = 5
_RANK = {"error": 0, "warning": 1}


@dataclass(frozen=True)
class StageHighlights:
    """The findings of one stage shown on the terminal, and what was left out."""

    stage: str
    shown: tuple[Finding, ...]  # errors, then warnings, each in report order
    more: int  # the stage's other findings (beyond the bound, info, bundle notes)
    errors: int
    warnings: int
    bundle_notes: int  # lint warnings and info about the bundled schemas


@dataclass(frozen=True)
class Highlights:
    """Per stage that has findings, in stage order."""

    stages: tuple[StageHighlights, ...]


def _is_bundle_note(finding: Finding) -> bool:
    return finding.kind == "lint" and finding.severity != "error"


def stage_highlights(stage: str, findings: tuple[Finding, ...], limit: int) -> StageHighlights:
    """Errors, then warnings, at most `limit`; info and bundle notes only counted."""
    notes = sum(1 for f in findings if _is_bundle_note(f))
    ranked = sorted(
        (f for f in findings if f.severity in _RANK and not _is_bundle_note(f)),
        key=lambda f: _RANK[f.severity],  # stable: report order within a severity
    )
    shown = tuple(ranked[:limit])
    return StageHighlights(
        stage,
        shown,
        len(findings) - len(shown) - notes,
        sum(1 for f in findings if f.severity == "error"),
        sum(1 for f in findings if f.severity == "warning" and not _is_bundle_note(f)),
        notes,
    )


def highlights(report: Report, limit: int = PER_STAGE) -> Highlights:
    """The terminal's selection of `report`: stages without findings are left out."""
    return Highlights(
        tuple(stage_highlights(s.name, s.findings, limit) for s in report.stages if s.findings)
    )
