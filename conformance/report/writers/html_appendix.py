"""The HTML report's closing sections: the mapping expressiveness matrix and the
provenance of the schemas (sources with their sha256, the errata applied, bundled or
a user's)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from conformance.report.model import Report
from conformance.report.writers.html_kit import data, dotted, e
from conformance.words import plural

#: Fixed text the tests assert, so a reader sees the same words in every report.
NO_MATRIX = "The mapping expressiveness matrix was not computed for this run."
_MATRIX_PARTS = (
    ("statuses", "Canonical statuses"),
    ("fields", "Canonical fields"),
    ("scenarios", "Scenarios"),
)
_YES, _NO = "✓", "—"


def _verdict_detail(verdict: Mapping[str, Any]) -> str:
    """The one non-flag value of a cell: vendor values, source pointer, rendering or reason."""
    return "; ".join(str(v) for k, v in verdict.items() if k != "expressible")


def matrix_section(matrix: Mapping[str, Any] | None) -> Iterable[str]:
    if matrix is None:
        yield f'<p class="note" id="matrix-note">{e(NO_MATRIX)}</p>'
        return
    objects: Mapping[str, Any] = matrix.get("objects", {})
    yield '<section id="matrix"><h2>Mapping expressiveness</h2>'
    yield (
        f"<details><summary>{plural(len(objects), 'object')} mapped to the canonical run"
        f"</summary><p>{_YES} expressible, {_NO} not expressible; hover a cell for the vendor "
        "values, source or reason.</p>"
    )
    head = "".join(f"<th><code>{dotted(name)}</code></th>" for name in objects)
    for part, title in _MATRIX_PARTS:
        yield f'<h3>{e(title)}</h3><div class="scroll"><table class="matrix" data-part="{part}">'
        yield f"<thead><tr><th>{e(part)}</th>{head}</tr></thead><tbody>"
        for row in matrix.get(part, []):
            cells = []
            for name, column in objects.items():
                verdict = column.get(part, {}).get(row, {"expressible": False, "reason": "absent"})
                ok = bool(verdict.get("expressible"))
                attrs = {"part": part, "row": row, "object": name, "expressible": str(ok).lower()}
                prefix = "expressible: " if ok else "not expressible: "
                cells.append(
                    f'<td class="{"yes" if ok else "no"}"{data(attrs)} '
                    f'title="{e(prefix + _verdict_detail(verdict))}">{_YES if ok else _NO}</td>'
                )
            yield f"<tr><th><code>{e(row)}</code></th>{''.join(cells)}</tr>"
        yield "</tbody></table></div>"
    yield "</details></section>"


def provenance_section(report: Report) -> Iterable[str]:
    p = report.provenance
    yield '<section id="provenance"><h2>Provenance</h2><dl class="facts">'
    yield f'<dt>Variant</dt><dd data-variant="{e(p.variant)}">{e(p.variant)}</dd>'
    yield (
        f'<dt>Bundle digest</dt><dd><code data-bundle-digest="{e(p.bundle_digest)}">'
        f"{e(p.bundle_digest)}</code></dd></dl>"
    )
    if p.sources:
        yield f"<details><summary>{plural(len(p.sources), 'vendor source')}</summary>"
        yield (
            '<div class="scroll"><table class="sources"><thead><tr><th>Vendor</th><th>Path</th>'
            "<th>SHA-256</th><th>Origin</th></tr></thead><tbody>"
        )
        for s in p.sources:
            attrs = {"vendor": s.vendor, "path": s.path, "sha256": s.sha256}
            yield (
                f"<tr{data(attrs)}><td>{e(s.vendor)}</td><td><code>{e(s.path)}</code></td>"
                f"<td><code>{e(s.sha256)}</code></td><td>{e(s.origin)}</td></tr>"
            )
        yield "</tbody></table></div></details>"
    else:
        yield '<p class="empty">No sources recorded.</p>'
    if p.errata:
        yield f"<details><summary>{plural(len(p.errata), 'erratum', 'errata')} applied</summary>"
        yield (
            '<div class="scroll"><table class="errata"><thead><tr><th>Vendor</th><th>Id</th>'
            "<th>Target</th><th>Source</th><th>Rationale</th></tr></thead><tbody>"
        )
        for x in p.errata:
            attrs = {"erratum-id": x.id, "vendor": x.vendor, "target": x.target}
            yield (
                f"<tr{data(attrs)}><td>{e(x.vendor)}</td><td><code>{e(x.id)}</code></td>"
                f"<td><code>{e(x.target)}</code></td><td>{e(x.source)}</td>"
                f'<td class="msg">{e(x.rationale)}</td></tr>'
            )
        yield "</tbody></table></div></details>"
    else:
        yield '<p class="empty">No errata applied.</p>'
    yield "</section>"
