"""The defects of the false-pass matrix: labelled ways to break each bundled run object.

One negative fixture per distinct labelled rule (`runconform fixtures NAME --invalid`:
schema keywords and run invariants), an unknown value at every enum the negatives touch,
an undocumented property, the object wrapped in an array (wrong top-level shape) and an
empty object. See `false_pass.py`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from conformance.bundle.catalog import load_catalog
from conformance.generate import generate

NOT_RUN_OBJECTS = frozenset({"hatchet.APIErrors", "hatchet.V1TaskStatus", "xceptor.Error"})
UNKNOWN_ENUM_VALUE = "exploded"
UNDOCUMENTED = "runconformUndocumentedProbe"
NEGATIVES_DRAWN = 400  # negative fixtures drawn per object; one kept per distinct rule
SEED = 11


@dataclass(frozen=True)
class Defect:
    """One injected defect: the object it breaks, a label saying how, the broken value."""

    subject: str
    label: str
    instance: Any


def subjects() -> tuple[str, ...]:
    """Every bundled run object: each vendor's listed objects, and the canonical run."""
    listed = [n for n in load_catalog().names() if n not in NOT_RUN_OBJECTS]
    return (*listed, "canonical.WorkflowRun")


def _set(instance: Any, pointer: str, value: Any) -> bool:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node = instance
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node.get(token)
        if node is None:
            return False
    if not tokens:
        return False
    if isinstance(node, list):
        node[int(tokens[-1])] = value
    elif isinstance(node, dict):
        node[tokens[-1]] = value
    else:
        return False
    return True


def defects(name: str, seed: int = SEED) -> tuple[Defect, ...]:
    """The labelled defects of one object (see the module docstring)."""
    valid = next(iter(generate(name, 1, seed=seed)))
    found: dict[str, Defect] = {}
    enum_negatives = {}
    for negative in generate(name, NEGATIVES_DRAWN, seed=seed, valid=False):
        found.setdefault(negative.rule, Defect(name, negative.rule, negative.instance))
        if negative.keyword == "enum":
            enum_negatives.setdefault(negative.pointer, negative.instance)
    for pointer, instance in sorted(enum_negatives.items()):
        broken = copy.deepcopy(instance)
        if _set(broken, pointer, UNKNOWN_ENUM_VALUE):
            label = f"unknown-enum@{pointer}"
            found[label] = Defect(name, label, broken)
    if isinstance(valid, dict):
        label = f"undocumented@/{UNDOCUMENTED}"
        found[label] = Defect(name, label, {**valid, UNDOCUMENTED: True})
        found["empty-object"] = Defect(name, "empty-object", {})
    found["top-level-array"] = Defect(name, "top-level-array", [valid])
    return tuple(found.values())
