"""Strict JSON text decoding with a nesting guard, shared by every reader.

The stdlib decoder is used because it keeps integers of any size exact and reports line and
column on errors; it is made strict (no NaN/Infinity, no number beyond a double) and is never
handed text nested deeper than the limit, so it cannot exhaust the stack.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from ._common import Refused


class _ConstantError(ValueError):
    """NaN/Infinity: accepted by Python's json module, not by JSON."""


def _reject_constant(name: str) -> object:
    raise _ConstantError(f"invalid JSON: {name} is not a JSON value")


def _finite_float(text: str) -> float:
    """A JSON number as a float, refused when it overflows a double (``1e400``).

    Python would make it infinity, which no schema type matches honestly (it validated as
    "null") and which cannot be written back as JSON.
    """
    value = float(text)
    if value in (_INF, -_INF):
        shown = text if len(text) <= 40 else f"{text[:20]}...{text[-10:]}"
        raise _ConstantError(f"invalid JSON: number {shown} is too large for a double")
    return value


def loads_strict(data: bytes | str) -> Any:
    """JSON text (or UTF-8 bytes) as Python, refusing what JSON cannot mean: NaN,
    Infinity and numbers beyond a double raise ValueError (not JSONDecodeError)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return STRICT_DECODER.decode(text)


def _ignore(text: str) -> object:
    return None


_INF = float("inf")
STRICT_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
#: Finds where a value refused by STRICT_DECODER for its numbers ends, to read on after it.
SKIPPING_DECODER = json.JSONDecoder(parse_constant=_ignore, parse_float=_ignore, parse_int=_ignore)
# The decoder's C scanner, called directly on the hot path to skip two regex passes (an
# attribute `JSONDecoder.__init__` sets but typeshed does not declare).
_scan_once = STRICT_DECODER.scan_once  # type: ignore[attr-defined]

# A JSON string (unrolled so a missing quote cannot backtrack) or a bracket.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def too_deep_at(text: str, max_depth: int, start: int = 0, end: int | None = None) -> int | None:
    """Index of the first bracket nested deeper than ``max_depth`` in ``text[start:end]``.

    Counting brackets is a cheap upper bound on depth, so almost every record skips the scan.
    """
    stop = len(text) if end is None else end
    if stop - start <= max_depth:
        return None
    if text.count("[", start, stop) + text.count("{", start, stop) <= max_depth:
        return None
    depth = 0
    for match in _TOKENS.finditer(text, start, stop):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - text.rfind("\n", 0, index)


def too_deep(max_depth: int, line: int | None = None, column: int | None = None) -> Refused:
    return Refused(
        "too-deep", f"nesting deeper than {max_depth:,} levels", line=line, column=column
    )


def decode(text: str, max_depth: int) -> object:
    """Decode one complete JSON text, or raise ``Refused`` with its position in ``text``."""
    deep = too_deep_at(text, max_depth)
    if deep is not None:
        raise too_deep(max_depth, *position(text, deep))
    try:  # fast path; anything unusual is decoded again below for the exact error
        value, end = _scan_once(text, 0)
        if end == len(text) or not text[end:].strip(" \t\r\n"):
            return value
    except (StopIteration, ValueError, RecursionError):
        pass
    try:
        return STRICT_DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise Refused(
            "malformed-json", describe(error, text), line=error.lineno, column=error.colno
        ) from None
    except RecursionError:
        raise too_deep(max_depth) from None
    except ValueError as error:  # NaN/Infinity, or an integer too long to convert
        raise Refused("malformed-json", value_error_message(error)) from None


def describe(error: json.JSONDecodeError, text: str) -> str:
    """``invalid JSON: <what>``, or ``truncated JSON: <what>`` when the text simply stops."""
    if error.msg.startswith("Unterminated string"):
        return "truncated JSON: unterminated string"
    if error.msg.startswith("Expecting") and not text[error.pos :].strip():
        return f"truncated JSON: {error.msg} at end of data"
    return f"invalid JSON: {error.msg.removesuffix(' at')}"


def value_error_message(error: ValueError) -> str:
    if isinstance(error, _ConstantError):
        return str(error)
    if "integer string conversion" in str(error):
        limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
        return f"invalid JSON: integer with more than {limit:,} digits"
    return f"invalid JSON: {error}"
