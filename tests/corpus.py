"""A seeded corpus of near-valid records: the examples, mutated where validators disagree most.

Used by the differential test (fast path vs detailed path). Mutations favour the
values on which JSON Schema implementations are known to differ: leap seconds,
braced or signed UUIDs, integers beyond 64 bits, 1.0 as an integer, case
variants of enum values, empty containers.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

TRICKY: tuple[Any, ...] = (
    "2016-12-31T23:59:60Z",
    "2026-02-30T00:00:00Z",
    "2026-11-20T09:15:02.118Z",
    "2026-11-20 09:15:02Z",
    "2026-11-20T09:15:02",
    "yesterday",
    "2026-11-20",
    "550e8400-e29b-41d4-a716-446655440000",
    "550e8400-e29b-41d4-a716-446655440000}",
    "+50e8400-e29b-41d4-a716-446655440000",
    "550E8400-E29B-41D4-A716-446655440000",
    "{550e8400-e29b-41d4-a716-446655440000}",
    "",
    "x" * 40,
    "é",
    "COMPLETED",
    "completed",
    "FAILED",
    "failed",
    "cancelled",
    "queued",
    "api",
    "schedule",
    None,
    True,
    False,
    0,
    -1,
    1.0,
    1.5,
    2**70,
    -(2**70),
    1e308,
    [],
    {},
    [1, "a"],
    {"nested": {"deep": [None]}},
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    node = root
    for part in path[:-1]:
        node = node[part]
    return node


def mutate_once(root: Any, rng: random.Random) -> Any:
    paths = list(_paths(root))
    path = rng.choice(paths)
    if not path:
        return copy.deepcopy(rng.choice(TRICKY)) if rng.random() < 0.2 else root
    parent, key = _parent(root, path), path[-1]
    roll = rng.random()
    if roll < 0.55:
        parent[key] = copy.deepcopy(rng.choice(TRICKY))
    elif roll < 0.7 and isinstance(parent, dict):
        del parent[key]
    elif roll < 0.8 and isinstance(parent, dict):
        parent[f"extra_{rng.randrange(3)}"] = copy.deepcopy(rng.choice(TRICKY))
    elif roll < 0.9 and isinstance(parent[key], int) and not isinstance(parent[key], bool):
        parent[key] = float(parent[key])
    else:
        parent[key] = [parent[key]]
    return root


def corpus(seed_instance: Any, n: int, seed: int) -> Iterator[Any]:
    """`n` records: about a quarter unmutated-but-pruned (mostly valid), the rest mutated."""
    rng = random.Random(seed)
    for _ in range(n):
        instance = copy.deepcopy(seed_instance)
        if rng.random() < 0.25:
            if isinstance(instance, dict) and instance and rng.random() < 0.5:
                del instance[rng.choice(sorted(instance))]
            yield instance
            continue
        for _ in range(rng.randint(1, 3)):
            instance = mutate_once(instance, rng)
        yield instance
