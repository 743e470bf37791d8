"""Message previews of values are what `json.dumps` writes, however they are computed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.validation.explain import _one_of, preview

VALUES: list[Any] = [
    "done",
    "",
    'say "hi"',
    "back\\slash",
    "tab\there",
    "line\nbreak",
    "\u2028",
    "é",
    "😀",
    "\x00",
    "x" * 39,
    "x" * 40,
    "y" * 80,
    0,
    -1,
    10**30,
    True,
    False,
    None,
    1.5,
    1e300,
    float("nan"),
    [1, "a"],
    {"k": [None]},
    ("tu", "ple"),
]


def _reference(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_preview_is_the_json_text_cut_to_forty(value: Any) -> None:
    assert preview(value) == _reference(value)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([1, 2], "1, 2"),
        ([True, False], "true, false"),  # equal to 1 and 0 as keys, not as text
        ([1.0], "1.0"),
        ([{"a": 1}, [2]], '{"a": 1}, [2]'),
        (list("abcdefgh"), '"a", "b", "c", "d", "e", "f" (+2 more)'),
    ],
)
def test_enum_options_are_shown_as_written(options: list[Any], expected: str) -> None:
    assert _one_of([1]) == "1"
    assert _one_of(options) == expected
