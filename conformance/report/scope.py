"""Whose finding it is: about the user's inputs, or about runconform's own bundle.

`check` also proves the bundle's own promises (lint of the bundled schemas, the fixture
self-check, the mapping checks). What those stages find is about files that ship inside
runconform, not in the user's repository: the HTML report keeps them apart from the
user's findings and SARIF never points an alert at them.
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.report.findings import Finding

#: The `check` stages that judge the bundle itself rather than the user's recordings or API.
BUNDLE_STAGES = frozenset({"lint", "fixtures", "mappings"})


def about_bundle(finding: Finding) -> bool:
    """True when `finding` is about a bundled schema, fixture or mapping, not the user's input."""
    return finding.stage in BUNDLE_STAGES


def split_findings(
    findings: Iterable[Finding],
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(the user's findings, the findings about the bundle), each in its original order."""
    mine: list[Finding] = []
    bundle: list[Finding] = []
    for finding in findings:
        (bundle if about_bundle(finding) else mine).append(finding)
    return tuple(mine), tuple(bundle)
