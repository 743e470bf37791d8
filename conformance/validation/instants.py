"""Reading values out of records: RFC 3339 instants and JSON pointers.

Kept apart from the invariants that use them, because fixtures, the simulator and
the mapping transforms read instants and pointers too, and must read them alike.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from typing import Any

_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


def parse_instant(value: Any) -> datetime | None:
    """An RFC 3339 timestamp as an aware datetime, or None if it is not one.

    Leap seconds (`23:59:60`) are read as the last microsecond of the minute, so
    they still order correctly; fractions beyond microseconds are truncated.
    """
    if type(value) is not str:
        return None
    if len(value) >= 20 and value[10] == "T" and value[-1] == "Z" and value[17:19] != "60":
        try:  # the common shape, straight to the C parser (Python 3.11+)
            instant = _FROMISO(value)
            if instant.tzinfo is not None:
                return instant
        except ValueError:
            pass
    return _parse_slow(value)


def _parse_slow(value: str) -> datetime | None:
    match = _RFC3339.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    leap = second == "60"
    micro = int(((fraction or ".")[1:] + "000000")[:6])
    text = f"{year}-{month}-{day}T{hour}:{minute}:{'59' if leap else second}.{micro:06d}"
    text += "+00:00" if offset in ("Z", "z") else offset
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return None
    return instant + timedelta(microseconds=999_999 - micro) if leap else instant


_FROMISO = datetime.fromisoformat
MILLISECOND = timedelta(milliseconds=1)


@cache
def pointer_tokens(pointer: str) -> tuple[str, ...]:
    """RFC 6901 pointer -> its unescaped tokens (cached: profiles use a few pointers)."""
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:])


def get(instance: Any, pointer: str) -> Any:
    """The value at a JSON pointer, or None when any step is missing."""
    tokens = pointer_tokens(pointer)
    if len(tokens) == 1 and type(instance) is dict:
        return instance.get(tokens[0])
    return value_at(instance, tokens)


def value_at(node: Any, tokens: tuple[str, ...]) -> Any:
    """The value at a tokenised pointer, or None when any step is missing."""
    for token in tokens:
        if type(node) is dict:
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node
