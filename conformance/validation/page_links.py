"""What a next-page link alone can say about a page that has no total (Paragon's `nextLink`).

Paragon's list carries no total and no page number, only the rows and an absolute link to
the next page, null on the last one. Three things still hold of one page: the link is an
absolute http(s) URL, it calls the same operation (same path), and a page of fewer rows than
the page size is the last, so its link is null.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import urlsplit


@cache
def _path_pattern(template: str) -> re.Pattern[str]:
    """`/projects/{projectId}/x` -> a pattern for that path, behind any base path (a proxy)."""
    parts = re.split(r"(\{[^{}/]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"(?:/.*)?{body}")


def next_link_problem(link: Any, n_items: int, page: Mapping[str, Any]) -> str | None:
    """Why the page's next link (`page["next"]`) is wrong, or None; the first reason only."""
    if not isinstance(link, str):
        return None  # null is the last page; any other type is the schema's to report
    name = page["next"].rsplit("/", 1)[-1]
    split = urlsplit(link)
    if split.scheme not in ("http", "https") or not split.netloc:
        return f"{name} {link!r} is not an absolute http(s) URL"
    template = page.get("next_path")
    if template and not _path_pattern(template).fullmatch(split.path):
        return f"{name} {link!r} does not call {template}"
    limit = page.get("max_size")
    if limit is not None and n_items < limit:
        return (
            f"{name} is set on a page of {n_items} items; a page of fewer than {limit} "
            f"is the last, whose {name} is null"
        )
    return None
