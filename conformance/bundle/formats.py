"""One meaning per format, shared by the fast and the detailed validation paths.

jsonschema's own format checks disagree with RFC 3339 / RFC 4122 (its `uuid`
accepts `550e...0000}`, its `date-time` rejects leap seconds, and without the
optional extras it checks no `date-time` at all). jsonschema-rs gets them right,
so the detailed path (jsonschema, for its error data) asks jsonschema-rs too:
both paths then agree by construction, and a differential test keeps it so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import jsonschema_rs
from jsonschema import FormatChecker

#: Formats whose meaning comes from jsonschema-rs (JSON Schema 2020-12's list).
CHECKED_FORMATS: tuple[str, ...] = (
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
)


@cache
def _rs_check(fmt: str) -> Callable[[object], bool]:
    validator = jsonschema_rs.validator_for({"format": fmt}, validate_formats=True)
    return validator.is_valid


def is_valid_format(fmt: str, value: object) -> bool:
    """True if `value` satisfies `fmt` (non-strings always do, as JSON Schema says)."""
    if not isinstance(value, str) or fmt not in CHECKED_FORMATS:
        return True
    try:
        return _rs_check(fmt)(value)
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"): text no format accepts
        return False


def format_checker(formats: Iterable[str] | None = None) -> FormatChecker:
    """A jsonschema FormatChecker asserting `formats` (default: all of CHECKED_FORMATS)."""
    selected = CHECKED_FORMATS if formats is None else tuple(formats)
    unknown = sorted(set(selected) - set(CHECKED_FORMATS))
    if unknown:
        raise ValueError(
            f"unknown format(s): {', '.join(unknown)}; known: {', '.join(CHECKED_FORMATS)}"
        )
    checker = FormatChecker(formats=())
    for fmt in selected:
        checker.checks(fmt)(_make_check(fmt))
    return checker


def _make_check(fmt: str) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return is_valid_format(fmt, value)

    check.__name__ = f"check_{fmt.replace('-', '_')}"
    return check
