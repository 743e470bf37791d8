"""List page invariants: a page holds no more than its size, and its numbers agree.

Three page styles (`contracts/semantics.yaml`): page numbers with totals, Hatchet's
current/next/num_pages, and Paragon's next link (no total: only the link is checked).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.report.findings import Finding
from conformance.validation.instants import get as _get
from conformance.validation.page_links import next_link_problem
from conformance.validation.violations import shown_number as _shown
from conformance.validation.violations import violation


def page_rules(
    instance: dict[str, Any], page: dict[str, Any], n_items: int, base: str
) -> Iterator[Finding]:
    """The page-size and page-consistent invariants of one list page (`page`: its profile)."""

    def number(key: str) -> int | None:
        value = _get(instance, page[key]) if key in page else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    size = number("size")
    limit = page.get("max_size") if size is None else size
    if limit is not None and n_items > limit:
        where = page.get("size", "")
        yield violation(
            "page-size",
            base + where,
            f"page holds {n_items} items, more than its page size {_shown(limit)}",
        )
    style = page["style"]
    if style == "page-number":
        yield from _page_number_rules(
            number("page"), size, number("total"), number("pages"), n_items, page, base
        )
    elif style == "hatchet":
        current, nxt, pages = number("current"), number("next"), number("pages")
        if current is not None and pages is not None and current > max(pages, 1):
            yield violation(
                "page-consistent",
                base + page["current"],
                f"current_page {_shown(current)} is beyond num_pages {_shown(pages)}",
            )
        if current is not None and nxt is not None and nxt != current + 1:
            yield violation(
                "page-consistent",
                base + page["next"],
                f"next_page {_shown(nxt)} does not follow current_page {_shown(current)}",
            )
        if current is not None and pages is not None and nxt is not None and current >= pages:
            yield violation(
                "page-consistent",
                base + page["next"],
                f"next_page {_shown(nxt)} is set on the last page"
                f" ({_shown(current)} of {_shown(pages)})",
            )
    elif style == "paragon":  # no total: only the next link can be checked
        problem = next_link_problem(_get(instance, page["next"]), n_items, page)
        if problem is not None:
            yield violation("page-consistent", base + page["next"], problem)


def _page_number_rules(
    current: int | None,
    size: int | None,
    total: int | None,
    pages: int | None,
    n_items: int,
    page: dict[str, Any],
    base: str,
) -> Iterator[Finding]:
    if size and total is not None and pages is not None and pages != -(-total // size):
        yield violation(
            "page-consistent",
            base + page["pages"],
            f"total_pages {_shown(pages)} != ceil(total_items {_shown(total)}"
            f" / page_size {_shown(size)})",
        )
    if current is not None and pages is not None and current > max(pages, 1):
        yield violation(
            "page-consistent",
            base + page["page"],
            f"page {_shown(current)} is beyond total_pages {_shown(pages)}",
        )
    if current is not None and size and total is not None:
        expected = max(0, min(size, total - (current - 1) * size))
        if current <= max(pages or 1, 1) and n_items != expected:
            yield violation(
                "page-consistent",
                base + page["page"],
                f"page {_shown(current)} of {_shown(total)} items at {_shown(size)} per page"
                f" should hold {_shown(expected)} items, holds {n_items}",
            )
