"""How runconform words a count for people: `1 record`, `2 records`, `2,048 bytes`.

One helper for every layer (the record readers at the bottom use it too), so no message
says "1 fixtures" or hedges with "input(s)".
"""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, singular for exactly one; `many` for an irregular plural
    (`plural(2, "erratum", "errata")`). Thousands are grouped: `2,048 bytes`."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"
