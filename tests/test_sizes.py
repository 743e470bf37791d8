"""`conformance.records.sizes.parse_size`: the size grammar of the CLI's --max-body-size, for the
pytest plugin (which must not import the CLI). The CLI's `ByteSize` delegates to it: both
give the same answers and the same messages."""

from __future__ import annotations

import click
import pytest

from conformance.cli.params import ByteSize
from conformance.records.sizes import parse_size

SIZES = [
    ("16777216", 16777216),
    ("16MiB", 16 << 20),
    ("500 KB", 500_000),
    (" 1kib ", 1024),
    ("2GB", 2 * 1000**3),
    ("7b", 7),
    (4096, 4096),
]
NOT_SIZES = [
    ("1x", "'1x' is not a size: bytes, or a number with KiB, MiB, GiB, KB, MB or GB"),
    ("", "'' is not a size: bytes, or a number with KiB, MiB, GiB, KB, MB or GB"),
    ("-5", "'-5' is not a size: bytes, or a number with KiB, MiB, GiB, KB, MB or GB"),
    ("1.5MiB", "'1.5MiB' is not a size: bytes, or a number with KiB, MiB, GiB, KB, MB or GB"),
    ("0", "'0' is not a positive size"),
    ("0KiB", "'0KiB' is not a positive size"),
    (0, "0 is not a positive size"),
]


@pytest.mark.parametrize(("given", "size"), SIZES, ids=[str(g) for g, _ in SIZES])
def test_sizes(given: str | int, size: int) -> None:
    assert parse_size(given) == size == ByteSize().convert(given, None, None)


@pytest.mark.parametrize(("given", "message"), NOT_SIZES, ids=[repr(g) for g, _ in NOT_SIZES])
def test_not_sizes(given: str | int, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_size(given)
    assert str(refused.value) == message
    with pytest.raises(click.BadParameter) as cli:
        ByteSize().convert(given, None, None)
    assert cli.value.message == message
