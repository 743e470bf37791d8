"""The "findings by kind" chart of the HTML report: inline SVG, one labelled bar per rule.

A rule's family (`schema`, `lint`, `contract`, ...) is told apart three ways, so no reader
depends on colour: its name leads the bar's label, a marker shape precedes it, and the
colour (Okabe-Ito, safe for colour-blind readers) fills bar and marker; a legend says which
is which. Labels sit above their bars, so the chart stays readable at phone width.
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.report.writers.html_kit import data, e

NO_FINDINGS = "No findings: every check passed without a remark, so there is nothing to chart."
BUNDLE_SUFFIX = " · about the bundle"

#: family -> (marker shape, hollow): every family its own pair, so shape alone tells them apart
_MARKERS: dict[str, tuple[str, bool]] = {
    "schema": ("circle", False),
    "invariant": ("square", False),
    "drift": ("triangle", False),
    "contract": ("diamond", False),
    "routing": ("down", False),
    "read": ("bar", False),
    "lint": ("circle", True),
    "mapping": ("square", True),
    "fixtures": ("triangle", True),
    "lifecycle": ("diamond", True),
    "coverage": ("down", True),
}
_OTHER = ("bar", True)

# Geometry (SVG user units): a row is a label line, then the bar; room for the count.
_LEFT, _BAR_W, _COUNT_W, _ROW_H, _LABEL_CHARS = 22, 380, 56, 40, 60


def family(rule: str) -> str:
    """`schema/enum` -> `schema`: the finding kind a rule belongs to."""
    return rule.partition("/")[0]


def _css(kind: str) -> str:
    shape_hollow = _MARKERS.get(kind)
    name = kind if shape_hollow else "other"
    hollow = (shape_hollow or _OTHER)[1]
    return f"k-{name} hollow" if hollow else f"k-{name}"


def marker(kind: str, x: float, y: float, size: float = 10) -> str:
    """The family's shape, centred on (x, y)."""
    shape, _ = _MARKERS.get(kind, _OTHER)
    r = size / 2
    css = f'class="{_css(kind)}"'
    if shape == "circle":
        return f'<circle {css} cx="{x}" cy="{y}" r="{r}"></circle>'
    if shape == "square":
        return f'<rect {css} x="{x - r}" y="{y - r}" width="{size}" height="{size}"></rect>'
    if shape == "bar":
        return f'<rect {css} x="{x - r}" y="{y - r / 2}" width="{size}" height="{r}"></rect>'
    points = {
        "triangle": ((x, y - r), (x + r, y + r), (x - r, y + r)),
        "down": ((x - r, y - r), (x + r, y - r), (x, y + r)),
        "diamond": ((x, y - r), (x + r, y), (x, y + r), (x - r, y)),
    }[shape]
    joined = " ".join(f"{px:g},{py:g}" for px, py in points)
    return f'<polygon {css} points="{joined}"></polygon>'


def _short(text: str, limit: int = _LABEL_CHARS) -> str:
    """SVG text does not wrap; the full kind stays in the bar's <title> and data-kind."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend(families: list[str], bundle: bool) -> str:
    items = [
        f'<li><svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">'
        f"{marker(kind, 6, 6)}</svg>{e(kind)}</li>"
        for kind in families
    ]
    if bundle:
        items.append(
            '<li><svg width="18" height="12" viewBox="0 0 18 12" aria-hidden="true">'
            '<rect class="k-other hollow" x="1" y="2" width="16" height="8"></rect></svg>'
            f"pale bar, {e(BUNDLE_SUFFIX.strip(' ·'))}: not your findings</li>"
        )
    return f'<ul class="legend" aria-label="Legend">{"".join(items)}</ul>'


def chart(counts: list[tuple[str, int]], bundle: frozenset[str] = frozenset()) -> Iterable[str]:
    """The section: a bar per (rule, count), most frequent first, and its legend.

    Rules in `bundle` (only ever found about runconform's own bundle) get a pale bar and
    say so in their label."""
    yield '<section id="chart"><h2>Findings by kind</h2>'
    if not counts:
        yield f'<p class="empty" id="chart-empty">{e(NO_FINDINGS)}</p></section>'
        return
    families = list(dict.fromkeys(family(rule) for rule, _ in counts))
    yield _legend(families, any(rule in bundle for rule, _ in counts))
    top = max(n for _, n in counts)
    width, height = _LEFT + _BAR_W + _COUNT_W, len(counts) * _ROW_H + 4
    # No xmlns: inline SVG in HTML does not need it, and the page holds no URL at all.
    yield (
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="chart-title">'
        f'<title id="chart-title">Findings by kind, {len(counts)} kinds</title>'
    )
    for row, (kind, count) in enumerate(counts):
        y = row * _ROW_H + 2
        bar = max(2, round(_BAR_W * count / top))
        css = _css(family(kind)).replace(" hollow", "") + (" hollow" if kind in bundle else "")
        label = _short(kind) + (BUNDLE_SUFFIX if kind in bundle else "")
        yield (
            f'<g class="bar"{data({"kind": kind, "count": count})}>'
            f"<title>{e(kind)}: {count}</title>"
            f"{marker(family(kind), 8, y + 10)}"
            f'<text x="{_LEFT}" y="{y + 14}">{e(label)}</text>'
            f'<rect class="{css}" x="{_LEFT}" y="{y + 20}" width="{bar}" height="14" rx="2">'
            "</rect>"
            f'<text class="count" x="{_LEFT + bar + 6}" y="{y + 32}">{count}</text></g>'
        )
    yield "</svg></section>"
