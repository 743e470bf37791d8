"""Formats mean what RFC 3339 and RFC 4122 say, on both validation paths."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from conformance.bundle.formats import format_checker, is_valid_format

CASES = [
    ("date-time", "2016-12-31T23:59:60Z", True),  # a real leap second
    ("date-time", "2026-11-20T09:15:02.118+05:30", True),
    ("date-time", "yesterday", False),
    ("date-time", "2026-02-30T00:00:00Z", False),
    ("date-time", "2026-11-20T09:15:02", False),  # no offset
    ("uuid", "550e8400-e29b-41d4-a716-446655440000", True),
    ("uuid", "550e8400-e29b-41d4-a716-446655440000}", False),
    ("uuid", "+50e8400-e29b-41d4-a716-446655440000", False),
    ("uuid", "550e8400e29b41d4a716446655440000", False),
    ("date", "2026-11-20", True),
    ("date", "2026-13-01", False),
]


@pytest.mark.parametrize(("fmt", "value", "valid"), CASES)
def test_format_meaning(fmt: str, value: str, valid: bool) -> None:
    assert is_valid_format(fmt, value) is valid
    validator = Draft202012Validator({"format": fmt}, format_checker=format_checker())
    assert validator.is_valid(value) is valid


def test_non_strings_are_not_format_checked() -> None:
    assert is_valid_format("uuid", 42) is True


def test_selecting_formats() -> None:
    validator = Draft202012Validator({"format": "uuid"}, format_checker=format_checker(["date"]))
    assert validator.is_valid("not-a-uuid") is True
    with pytest.raises(ValueError, match="unknown format"):
        format_checker(["uuid4"])
