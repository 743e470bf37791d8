"""The fast JSONL decoder gives exactly the value of the stdlib definition, or steps aside.

`_fast_decode` (msgspec) takes ordinary lines; the stdlib path (`decode`) is the
definition: exact integers, finite floats, the depth limit, refusals with positions.
For every seeded line below, the fast decoder either returns `_SLOW` or a value equal
to the definition's in type and bits (an int stays an int, -0.0 keeps its sign), and
it never accepts a line the definition refuses.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from conformance.records._common import Refused
from conformance.records._jsontext import decode
from conformance.records.documents import _SLOW, _fast_decode

DEPTH = 512
NUMBERS = [
    "0",
    "-0",
    "-0.0",
    "0.0",
    "1",
    "-1",
    "1.5",
    "1e5",
    "1E5",
    "1e-5",
    "1e+5",
    "2.5e-3",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "123456789012345678901234567890",
    "-123456789012345678901234567890",
    "1" * 401,
    "0.1",
    "0.30000000000000004",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "1e400",
    "-1e400",
    "1e-400",
    "4.9e-324",
    "2.4703282292062327e-324",
    "9007199254740993",
    "9007199254740993.0",
    "123456789.123456789123456789",
    "1" * 4300,
    "1" * 4301,
    "01",
    "1.",
    ".5",
    "+1",
    "NaN",
    "Infinity",
    "-Infinity",
]
STRINGS = [
    '"plain"',
    '"\\ud800"',
    '"\\udc00"',
    '"\\ud83d\\ude00"',
    '"\\u0000"',
    '"tab\\t"',
    '"é"',
    '"\\u00e9"',
    '"\u2028"',
    '"\\/"',
    '"unterminated',
    '"ctrl\x01"',
    '"\\x"',
]
LITERALS = ["true", "false", "null", "True", "nul"]


def _typed(value: Any) -> Any:
    """`value` with its types spelled out, so that 1 != 1.0 != True and -0.0 != 0.0."""
    if isinstance(value, float):
        return ("float", value.hex() if not math.isnan(value) else "nan")
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, value)


def _line(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 4 or roll < 0.5:
        return rng.choice(rng.choice([NUMBERS, STRINGS, LITERALS]))
    if roll < 0.75:
        names = [
            rng.choice(['"a"', '"b"', '"a"', '"\\u0061"', '"é"']) for _ in range(rng.randrange(4))
        ]
        blank = rng.choice(["", " ", "\t", "\r"])
        return "{" + ",".join(f"{n}{blank}:{blank}{_line(rng, depth + 1)}" for n in names) + "}"
    return "[" + ", ".join(_line(rng, depth + 1) for _ in range(rng.randrange(4))) + "]"


def _definition(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _SLOW
    try:
        return decode(text, DEPTH)
    except Refused:
        return _SLOW


def _agree(raw: bytes) -> None:
    fast = _fast_decode(raw, DEPTH)
    if fast is _SLOW:
        return
    expected = _definition(raw)
    assert expected is not _SLOW, f"fast decoder accepted what the definition refuses: {raw[:80]!r}"
    assert _typed(fast) == _typed(expected), raw[:80]


@pytest.mark.parametrize("seed", range(60))
def test_seeded_lines_decode_as_the_definition_says(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        _agree(_line(rng).encode())


@pytest.mark.parametrize("token", NUMBERS + STRINGS + LITERALS)
def test_each_tricky_token_alone_and_inside_a_record(token: str) -> None:
    _agree(token.encode())
    _agree(f'{{"id": "r1", "value": {token}, "list": [{token}]}}'.encode())


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf{}",  # a byte order mark: only the definition knows what to do
        b"\xff{}",
        b'{"a": 1} x',
        b'{"a": 1}{"b": 2}',
        b" {} ",
        b'{"a": 1, "a": 2}',
    ],
)
def test_odd_lines(raw: bytes) -> None:
    _agree(raw)


def _depth_and_leaf(value: Any) -> tuple[int, Any]:
    depth = 0
    while isinstance(value, (list, dict)):
        value, depth = (value[0] if isinstance(value, list) else value["k"]), depth + 1
    return depth, value


@pytest.mark.parametrize("depth", [DEPTH - 1, DEPTH, DEPTH + 1, 600, 1000, 1200])
@pytest.mark.parametrize("shape", ["[", '{"k":'])
def test_nesting_around_the_limit(depth: int, shape: str) -> None:
    close = "]" if shape == "[" else "}"
    raw = (shape * depth + "1" + close * depth).encode()
    fast = _fast_decode(raw, DEPTH)
    if depth > DEPTH:
        assert fast is _SLOW
        assert _definition(raw) is _SLOW
    else:
        assert _depth_and_leaf(fast) == _depth_and_leaf(_definition(raw)) == (depth, 1)
