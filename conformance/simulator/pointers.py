"""Plain JSON pointers and the one instant form the simulator writes, for its stores and faults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def format_instant(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds: the one form the simulator writes."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def get(obj: Any, pointer: str) -> Any:
    node = obj
    for token in pointer.split("/")[1:]:
        if not isinstance(node, dict) or token not in node:
            return None
        node = node[token]
    return node


def put(obj: dict[str, Any], pointer: str, value: Any) -> None:
    """Set (or, with None, remove) the value at a pointer of plain object keys."""
    *parents, last = pointer.split("/")[1:]
    node = obj
    for token in parents:
        node = node.setdefault(token, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
