"""`json_walk` finds every value of a JSON text where it is, whatever the layout.

The oracle is the JSON itself: the span found for a pointer, decoded, is the value at
that pointer, and the span found for a property's name is that name. Seeded random
values, written compact, as `json.dumps` does, indented, with escapes and with odd
blanks, cover what the walker steps over (strings holding brackets, quotes and
colons, nested names equal to the wanted one, numbers and literals, empty containers).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.records.positions import json_walk, pointer_tokens

NAMES = ["id", "status", "a,b", 'q"uote', "br]ace", "co:lon", "é", "back\\slash", "", "0"]
STRINGS = ["done", "}", "[", '"', "\\", 'a"b', ":", ",", "\u2028", "😀", "x" * 50, ""]


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.45:
        return rng.choice(
            [rng.randrange(-(10**20), 10**20), rng.random() * 1e6, True, False, None, *STRINGS]
        )
    if roll < 0.75:
        names = rng.sample(NAMES, rng.randrange(0, 5))
        return {name: _value(rng, depth + 1) for name in names}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]


def _pointers(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    yield prefix, value
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        token = str(key).replace("~", "~0").replace("/", "~1")
        yield from _pointers(child, f"{prefix}/{token}")


LAYOUTS = {
    "compact": lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False),
    "json.dumps": json.dumps,
    "indented": lambda v: json.dumps(v, indent=2),
    "odd blanks": lambda v: json.dumps(v, indent="\t", separators=(" ,\r\n", " \t: ")),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("seed", range(40))
def test_every_value_is_found_where_it_is(layout: str, seed: int) -> None:
    rng = random.Random(seed)
    value = {"outer": _value(rng, 0), "status": _value(rng, 1), "list": [_value(rng, 2)]}
    text = LAYOUTS[layout](value)
    checked = 0
    for pointer, expected in _pointers(value):
        start, end = json_walk(text, 0, pointer_tokens(pointer))
        assert json.loads(text[start:end]) == expected, (pointer, text[start:end])
        checked += 1
        parent, _, name = pointer.rpartition("/")
        holder = value
        for token in pointer_tokens(parent):
            holder = holder[int(token)] if isinstance(holder, list) else holder[token]
        if pointer and isinstance(holder, dict):
            key = name.replace("~1", "/").replace("~0", "~")
            at, after = json_walk(text, 0, pointer_tokens(parent), key)
            assert json.loads(text[at:after]) == key
    assert checked >= 4


@pytest.mark.parametrize(
    "pointer", ["/missing", "/list/9", "/status/x", "/list/x", "/empty/0", "/none/0"]
)
def test_what_is_not_there_is_a_key_error(pointer: str) -> None:
    text = json.dumps({"status": 1, "list": [1, 2], "empty": [], "none": {}})
    with pytest.raises(KeyError):
        json_walk(text, 0, pointer_tokens(pointer))
