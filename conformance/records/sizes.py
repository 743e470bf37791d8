"""Byte sizes as people write them: `16777216`, `16MiB`, `500 KB`.

The one grammar of every size a user gives: the CLI's `--max-body-size` and the pytest
plugin's `--runconform-max-body-size` (which must not import the CLI). Only the standard
library: the plugin parses its option when a session starts.
"""

from __future__ import annotations

#: Unit suffixes, case-insensitive; KiB, MiB and GiB are 1024-based, KB, MB and GB 1000-based.
UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}
UNITS |= {"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}


def parse_size(value: str | int) -> int:
    """A positive number of bytes; ValueError with the line a user is shown."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    else:
        text = str(value).strip().lower()
        number = text.rstrip("bikmg ")
        unit = text[len(number) :].strip()
        if not number.isdigit() or unit not in UNITS:
            raise ValueError(
                f"{value!r} is not a size: bytes, or a number with KiB, MiB, GiB, KB, MB or GB"
            )
        size = int(number) * UNITS[unit]
    if size <= 0:
        raise ValueError(f"{value!r} is not a positive size")
    return size
