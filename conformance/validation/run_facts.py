"""Facts of one run that both the run invariants and their fast screen read.

Kept apart so the full check (`semantics`) and the screen (`invariant_screen`) decide
them by the very same code: the duration a run's timestamps allow, whether a missing
end time is merely unknown, and when two instants may be compared as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from conformance.validation.instants import MILLISECOND, get, pointer_tokens

#: Allowed difference between a duration and its timestamps: 1 s, or 1 % of the span.
DURATION_TOLERANCE_MS = 1000
DURATION_TOLERANCE_RATIO = 0.01
MICROSECOND = timedelta(microseconds=1)


def duration_off(
    duration: Any, started: datetime, finished: datetime
) -> tuple[float, float] | None:
    """(span, tolerance) in ms when an integer `duration` does not match the timestamps.

    Compared exactly in integer microseconds: a duration of 400 digits is simply wrong,
    where converting it to a float would overflow.
    """
    if type(duration) is not int:
        return None
    span = finished - started
    span_ms = span / MILLISECOND
    tolerance = max(DURATION_TOLERANCE_MS, abs(span_ms) * DURATION_TOLERANCE_RATIO)
    if abs(duration * 1000 - span // MICROSECOND) > tolerance * 1000:
        return span_ms, tolerance
    return None


def unknown(instance: dict[str, Any], profile: dict[str, Any], role: str) -> bool:
    """True when the source declares it cannot express the field of `role` (canonical runs)."""
    if "unexpressed" not in profile:
        return False
    unexpressed = get(instance, profile["unexpressed"])
    field = pointer_tokens(profile[role])[-1]
    return isinstance(unexpressed, list) and field in unexpressed


# -- instants comparable as text -------------------------------------------------------------
#
# `YYYY-MM-DDTHH:MM:SS[.f...]Z` in ASCII digits, all of one width: the digits then stand
# in the same places, so text order is the order of (year, ..., second, fraction), and
# `parse_instant` maps that order onto time monotonically (a leap second 60 becomes the
# minute's last microsecond, fractions are truncated, an impossible date is None). Any
# other shape parseable by `datetime.fromisoformat` (ISO week dates, `HHMMSS`, a comma
# before the fraction, non-ASCII digits read by the slow path, a lower-case `t`) can sort
# as text against time, so it is never compared as text.

_CANONICAL = re.compile(rb"0000-00-00T00:00:00(?:\.0+)?Z")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_SEPARATOR = "|"
#: shape of a joined run of instants -> how many canonical instants of one width it is (0: not)
_SHAPES: dict[bytes, int] = {}
_SHAPES_KEPT = 4096


def uniform_instants(stamps: Sequence[Any]) -> bool:
    """True when every one of `stamps` (two or more) is a canonical UTC instant of one width,
    so `<=` on the texts says what `<=` on `parse_instant` of them would (or that one of
    them is no instant at all, which no rule reports). One join, one translation and one
    dictionary look-up for all of them: the clean record's instants are checked at C speed.
    """
    try:
        joined = _SEPARATOR.join(stamps)
    except TypeError:  # a None, a number: not text
        return False
    if not joined.isascii():
        return False
    shape = joined.encode().translate(_DIGITS_AS_ZERO)
    count = _SHAPES.get(shape)
    if count is None:
        count = _shape_count(shape)
        if len(_SHAPES) >= _SHAPES_KEPT:
            _SHAPES.clear()
        _SHAPES[shape] = count
    # A stamp holding the separator splits into more pieces than there are stamps.
    return count == len(stamps)


def _shape_count(shape: bytes) -> int:
    pieces = shape.split(_SEPARATOR.encode())
    first = pieces[0]
    if _CANONICAL.fullmatch(first) is None or pieces.count(first) != len(pieces):
        return 0
    return len(pieces)
