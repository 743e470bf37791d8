"""Cutting JSONL into blocks for other processes gives exactly the records of read_jsonl."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.records import Limits, read_records, read_units
from conformance.records.documents import LineBlock, decode_block

CONTENTS = {
    "plain": b'{"a": 1}\n{"a": 2}\n{"a": 3}\n',
    "no final newline": b'{"a": 1}\n{"a": 2}',
    "blank and space lines": b'\n{"a": 1}\n   \n\n{"a": 2}\r\n \t\n{"a": 3}\n\n',
    "bad lines": b'{"a": 1}\n{bad\n\xff\xfe\n{"a": 4}\n',
    "bom": b'\xef\xbb\xbf{"a": 1}\n{"a": 2}\n',
    "oversized line": b'{"a": 1}\n{"long": "' + b"x" * 300 + b'"}\n{"a": 3}\n',
    "oversized last line": b'{"a": 1}\n{"long": "' + b"y" * 300 + b'"}',
}


def _via_blocks(path: Path, limits: Limits, size: int) -> list[object]:
    out: list[object] = []
    base = 0
    for unit in read_units(path, format="jsonl", limits=limits, block_size=size):
        assert isinstance(unit, LineBlock)
        records = list(decode_block(unit, limits))
        for record in records:
            locator = record.locator
            moved = type(locator)(locator.file, locator.index + base, locator.line, locator.label)
            out.append(
                (
                    type(record).__name__,
                    moved,
                    getattr(record, "payload", None),
                    getattr(record, "message", None),
                )
            )
        base += len(records)
    return out


@pytest.mark.parametrize("name", sorted(CONTENTS))
@pytest.mark.parametrize("size", [1, 7, 64, 1 << 20])
def test_blocks_give_the_records_of_read_jsonl(tmp_path: Path, name: str, size: int) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(CONTENTS[name])
    limits = Limits(max_record_bytes=100)
    expected = [
        (type(r).__name__, r.locator, getattr(r, "payload", None), getattr(r, "message", None))
        for r in read_records(path, format="jsonl", limits=limits)
    ]
    assert _via_blocks(path, limits, size) == expected
