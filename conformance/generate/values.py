"""Leaf values: formats, timestamps, simple regexes and realistic-looking strings.

Every generator here takes a Chooser, so the same code is seeded-random in bulk
and shrinkable under Hypothesis. Format values are valid by the meaning
`conformance.bundle.formats` asserts (jsonschema-rs's), which a test checks for each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from re import _parser as sre_parse  # the regex parser (3.11+; `sre_parse` is deprecated)
from typing import Any

from conformance.generate.choosers import HEX, LOWER_ALNUM, Chooser

StrGen = Callable[[Chooser], str]

#: Generated timestamps fall in [BASE, BASE + SPAN): 2025-01-01 .. 2026-12-31 (UTC).
BASE_MS = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp() * 1000)
SPAN_MS = 730 * 86_400_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
#: Timestamp renderings: (fraction digits, UTC offset in minutes). The first is the shrink target.
PRECISIONS = (3, 0, 6)
OFFSETS = (0, 0, 0, 0, 0, 0, -300, 60, 330)
MIXED_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@lru_cache(maxsize=4096)
def _day(days: int) -> str:
    return date.fromordinal(_EPOCH_ORDINAL + days).isoformat()


# Pieces of a timestamp, rendered once: formatting them per stamp was most of a fixture's cost.
_TWO_DIGITS = tuple(f"{i:02d}" for i in range(60))
_CLOCK = tuple(f"T{h:02d}:{m:02d}:" for h in range(24) for m in range(60))  # by minute of day
_FRACTIONS = {
    3: tuple(f".{i:03d}" for i in range(1000)),
    6: tuple(f".{i:03d}000" for i in range(1000)),
}


@lru_cache(maxsize=256)
def _zone(offset: int) -> str:
    if offset == 0:
        return "Z"
    sign = "+" if offset > 0 else "-"
    return f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


def stamp(ms: int, digits: int = 3, offset: int = 0) -> str:
    """An RFC 3339 timestamp for `ms` since the epoch (UTC instant), rendered at `offset`.

    `digits` is 0, 3 or 6 fraction digits (anything else renders none).
    """
    days, rest = divmod(ms + offset * 60_000 if offset else ms, 86_400_000)
    rest, milli = divmod(rest, 1000)
    minute, second = divmod(rest, 60)
    text = _day(days) + _CLOCK[minute] + _TWO_DIGITS[second]
    fractions = _FRACTIONS.get(digits)
    if fractions is not None:
        text += fractions[milli]
    return text + _zone(offset) if offset else text + "Z"


def truncate(ms: int, digits: int) -> int:
    """`ms` as a timestamp rendered with `digits` fraction digits will read back."""
    return ms - ms % 1000 if digits == 0 else ms


def random_instant(ch: Chooser) -> int:
    return BASE_MS + ch.integer(0, SPAN_MS - 1)


#: A uuid's version (4) and variant (RFC 4122) bits: kept, and set.
_UUID_KEEP = ~(0xF << 76) & ~(0x3 << 62)
_UUID_SET = (0x4 << 76) | (0x2 << 62)


def uuid4(ch: Chooser) -> str:
    """A version-4, RFC 4122 variant uuid built from 128 chosen bits."""
    h = "%032x" % (ch.bits(128) & _UUID_KEEP | _UUID_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _word(ch: Chooser) -> str:
    return ch.choice(WORDS)


def _date_time(ch: Chooser) -> str:
    instant = BASE_MS + ch.integer(0, SPAN_MS - 1)  # random_instant(ch)
    return stamp(instant, ch.choice(PRECISIONS), ch.choice(OFFSETS))


FORMATS: dict[str, StrGen] = {
    "uuid": uuid4,
    "date-time": _date_time,
    "date": lambda ch: _day((random_instant(ch)) // 86_400_000),
    "time": lambda ch: stamp(random_instant(ch))[11:],
    "duration": lambda ch: f"PT{ch.integer(1, 59)}M",
    "email": lambda ch: f"{_word(ch)}.{ch.integer(1, 999)}@example.com",
    "idn-email": lambda ch: f"{_word(ch)}.{ch.integer(1, 999)}@example.com",
    "hostname": lambda ch: f"{_word(ch)}-{ch.integer(1, 99)}.example.com",
    "idn-hostname": lambda ch: f"{_word(ch)}-{ch.integer(1, 99)}.example.com",
    "ipv4": lambda ch: f"10.{ch.integer(0, 255)}.{ch.integer(0, 255)}.{ch.integer(1, 254)}",
    "ipv6": lambda ch: f"2001:db8::{ch.integer(1, 0xFFFF):x}",
    "uri": lambda ch: f"https://api.example.com/{_word(ch)}/{ch.integer(1, 9999)}",
    "iri": lambda ch: f"https://api.example.com/{_word(ch)}/{ch.integer(1, 9999)}",
    "uri-reference": lambda ch: f"/{_word(ch)}/{ch.integer(1, 9999)}",
    "iri-reference": lambda ch: f"/{_word(ch)}/{ch.integer(1, 9999)}",
    "uri-template": lambda ch: f"https://api.example.com/{_word(ch)}/{{id}}",
    "json-pointer": lambda ch: f"/{_word(ch)}/{ch.integer(0, 9)}",
    "relative-json-pointer": lambda ch: f"{ch.integer(0, 3)}/{_word(ch)}",
    "regex": lambda ch: f"^{_word(ch)}-[0-9]+$",
}

#: The shortest and longest values of a format above (a string's length bounds need no fitting).
FORMAT_LENGTHS: dict[str, tuple[int, int]] = {
    "uuid": (36, 36),
    "date-time": (20, 32),  # 2025-01-01T00:00:00Z .. 2026-12-31T23:59:59.999000+05:30
}

# -- realistic strings, by property name -------------------------------------------------

WORDS = ("alpha", "batch", "ledger", "orders", "billing", "reports", "sync", "digest", "export")
WORKFLOWS = (
    "nightly-reconciliation",
    "send-welcome-email",
    "invoice-render",
    "sync-crm-contacts",
    "weekly-digest",
    "trade-settlement",
    "comment-created",
    "onboarding-drip",
    "data-export",
    "payment-retry",
)
STEPS = (
    "load-trades",
    "enrich",
    "validate",
    "reconcile",
    "publish",
    "render",
    "send-email",
    "fetch-contacts",
    "transform",
    "notify",
)
MESSAGES = (
    "upstream timed out after 30s",
    "validation failed: missing field 'amount'",
    "rate limited by provider, retrying",
    "step reconcile failed",
    "connection reset by peer",
    "14 trades did not match the custodian file",
)
POOLS: dict[str, tuple[str, ...]] = {
    "code": ("TIMEOUT", "RATE_LIMITED", "VALIDATION_FAILED", "UPSTREAM_ERROR", "RECON_MISMATCH"),
    "event": ("message_enqueued", "message_sent", "step_completed", "batch_closed", "delay_ended"),
    "steptype": ("channel", "delay", "batch", "branch", "fetch"),
    "collection": ("projects", "accounts", "teams", "workspaces"),
    "field": ("name", "email", "amount", "workflowId"),
    "output": ('{"ok":true}', '{"sent":3}', '{"rows":120}'),
}
_NAME_HINTS = frozenset({"workflow", "workflowname", "name", "workflowkey", "runname"})
_STEP_HINTS = frozenset({"stepname", "taskname", "stepref", "actionid", "displayname", "step"})
_TASK_HINTS = frozenset({"taskdisplayname"})
_TEXT_HINTS = frozenset({"message", "errormessage", "description", "error", "reason", "detail"})
_LINK_HINTS = frozenset({"nextlink", "link", "url", "href", "docslink"})
_CURSOR_HINTS = frozenset({"after", "before", "cursor", "nextcursor"})


def _norm(hint: str) -> str:
    return hint.replace("_", "").replace("-", "").lower()


def realistic(hint: str) -> StrGen | None:
    """A generator of plausible values for a string property called `hint`, if one fits."""
    key = _norm(hint)
    if key in _NAME_HINTS:
        return lambda ch: ch.choice(WORKFLOWS)
    if key in _STEP_HINTS:
        return lambda ch: ch.choice(STEPS)
    if key in _TASK_HINTS:
        return lambda ch: f"{ch.choice(STEPS)}-{ch.text(HEX, 4, 4)}"
    if key in _TEXT_HINTS:
        return lambda ch: ch.choice(MESSAGES)
    if key in POOLS:
        pool = POOLS[key]
        return lambda ch: ch.choice(pool)
    if key in _LINK_HINTS:
        return lambda ch: f"https://api.example.com/v1/runs?cursor={ch.text(MIXED_ALNUM, 12, 12)}"
    if key in _CURSOR_HINTS:
        return lambda ch: ch.text(MIXED_ALNUM, 12, 16)
    if key == "tenant":
        return lambda ch: f"tenant_{ch.choice(WORDS)}"
    if key == "id":
        return lambda ch: ch.text(MIXED_ALNUM, 20, 27)
    if key.endswith("id") and len(key) > 2:
        stem = key[:-2][:8]
        return lambda ch: f"{stem}_{ch.text(LOWER_ALNUM, 8, 12)}"
    return None


def words(ch: Chooser, lo: int, hi: int) -> str:
    """Neutral text of lo..hi characters (for strings nothing else describes)."""
    if lo <= 6 and hi >= 4:
        word = ch.choice(WORDS)
        if lo <= len(word) <= hi:
            return word
    return ch.text(LOWER_ALNUM, lo, hi)


#: Integer ranges that look real, by property name (intersected with the schema's bounds).
INT_HINTS: dict[str, tuple[int, int]] = {
    "retrycount": (0, 3),
    "attempt": (1, 4),
    "depth": (0, 3),
    "code": (1000, 1599),
    "errorcount": (0, 3),
    "taskcount": (0, 12),
    "numspawnedchildren": (0, 4),
    "recordsprocessed": (0, 5000),
    "recordsfailed": (0, 25),
    "duration": (0, 600_000),
    "durationms": (0, 600_000),
    "runduration": (0, 600_000),
    "total": (0, 500),
}


def int_range(hint: str) -> tuple[int, int]:
    key = _norm(hint)
    if key in INT_HINTS:
        return INT_HINTS[key]
    if key == "id" or key.endswith("id"):
        return (1, 999_999)
    return (0, 1000)


# -- simple regular expressions ------------------------------------------------------------

_PRINTABLE = [chr(c) for c in range(0x20, 0x7F)]
_CATEGORIES = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_WORD": MIXED_ALNUM + "_",
    "CATEGORY_SPACE": " ",
}


class UnsupportedPattern(ValueError):
    """A regex feature the pattern generator does not handle (lookaround, backrefs)."""


def pattern_generator(pattern: str) -> StrGen:
    """A generator of strings matching a simple regex (anchors, classes, repeats, groups)."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        raise UnsupportedPattern(f"invalid pattern {pattern!r}: {exc}") from None
    return _seq(list(parsed))


def _seq(items: list[tuple[Any, Any]]) -> StrGen:
    parts = [_item(op, arg) for op, arg in items]
    return lambda ch: "".join(p(ch) for p in parts)


def _charset(items: list[tuple[Any, Any]]) -> list[str]:
    chars: set[str] = set()
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            chars.add(chr(arg))
        elif name == "RANGE":
            chars.update(chr(c) for c in range(arg[0], arg[1] + 1))
        elif name == "CATEGORY" and str(arg) in _CATEGORIES:
            chars.update(_CATEGORIES[str(arg)])
        else:
            raise UnsupportedPattern(f"character class item {name} {arg}")
    if negate:
        return [c for c in _PRINTABLE if c not in chars]
    return sorted(chars)


def _item(op: Any, arg: Any) -> StrGen:
    name = str(op)
    if name == "LITERAL":
        char = chr(arg)
        return lambda ch: char
    if name == "NOT_LITERAL":
        others = [c for c in _PRINTABLE if c != chr(arg)]
        return lambda ch: ch.choice(others)
    if name == "ANY":
        return lambda ch: ch.choice(LOWER_ALNUM)
    if name == "IN":
        chars = _charset(list(arg))
        if not chars:
            raise UnsupportedPattern("empty character class")
        return lambda ch: ch.choice(chars)
    if name == "AT":
        return lambda ch: ""
    if name == "BRANCH":
        options = [_seq(list(s)) for s in arg[1]]
        return lambda ch: ch.choice(options)(ch)
    if name == "SUBPATTERN":
        return _seq(list(arg[-1]))
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        lo, hi, sub = arg
        body = _seq(list(sub))
        top = min(hi, lo + 4)
        return lambda ch: "".join(body(ch) for _ in range(ch.integer(lo, top)))
    raise UnsupportedPattern(f"regex feature {name}")
