"""The fast JSONL decoder (msgspec) gives exactly the stdlib's values and verdicts."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from conformance.records import MAX_DEPTH, ReadProblem, Record, read_records

LINES = [
    b'{"n": 123456789012345678901234567890}',  # beyond 64 bits: must stay an exact int
    b'{"n": 9223372036854775807, "m": -9223372036854775808}',
    b'{"n": 18446744073709551615}',
    b'{"x": 1.0, "y": -0, "z": 1e-7, "w": 0.1}',
    b'{"big": 1e400}',  # stdlib: inf, which JSON cannot hold: refused
    b'{"s": "caf\\u00e9 \\ud83d\\ude00", "t": "\\ud800"}',  # lone surrogate
    b'{"a": 1, "a": 2}',
    b'{"v": NaN}',
    b'{"v": "tab\there"}',
    b'{"ok": true}\r',
    b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1),
    b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    b'{"unterminated": "x',
    '{"é": "ü"}'.encode(),
]


def _stdlib(raw: bytes) -> object:
    def refuse(name: str) -> object:
        raise ValueError(name)

    def finite(text: str) -> float:
        value = float(text)
        if math.isinf(value):
            raise ValueError(text)
        return value

    return json.loads(raw.decode("utf-8"), parse_constant=refuse, parse_float=finite)


@pytest.mark.parametrize("raw", LINES, ids=range(len(LINES)))
def test_line_decodes_as_the_stdlib_would(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "one.jsonl"
    path.write_bytes(b'{"first": 1}\n' + raw + b"\n")
    first, second = list(read_records(path, format="jsonl"))
    assert isinstance(first, Record)
    try:
        expected = _stdlib(raw)
    except (ValueError, RecursionError):
        assert isinstance(second, ReadProblem)
        return
    depth_refused = raw.count(b"[") > MAX_DEPTH
    if depth_refused:
        assert isinstance(second, ReadProblem) and second.kind == "too-deep"
        return
    assert isinstance(second, Record)
    assert _same(second.payload, expected)


def _same(a: object, b: object) -> bool:
    """Equal values of equal JSON types: 1 and 1.0 serialise differently, NaN as NaN."""
    return json.dumps(a) == json.dumps(b)
