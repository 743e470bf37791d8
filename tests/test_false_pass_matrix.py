"""No false pass: labelled defects in every bundled run object are caught on every path.

`tools/false_pass.py` injects the defects (every negative-fixture rule, unknown enum values,
an undocumented property, a wrong top-level shape, an empty object) and runs them through
each way a user checks a record; `python tools/false_pass.py` prints the same as a table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))

import false_pass
from conftest import example


@pytest.fixture(scope="module")
def all_defects() -> dict[str, tuple[false_pass.Defect, ...]]:
    return {name: false_pass.defects(name) for name in false_pass.subjects()}


def test_every_object_gets_every_kind_of_defect(all_defects) -> None:
    """The matrix tests what it says: each object has schema negatives and the four extras
    (an empty object and an undocumented property wherever the real value is a JSON object)."""
    for name, found in all_defects.items():
        labels = [d.label for d in found]
        assert any(label.startswith("schema:") for label in labels), name
        assert "top-level-array" in labels, name
        if isinstance(example(name), dict):
            extras = {"empty-object", f"undocumented@/{false_pass.UNDOCUMENTED}"}
            assert extras <= set(labels), name
    runs = [n for n in all_defects if n.endswith(("WorkflowRun", "TaskSummary", "Execution"))]
    for name in runs:
        assert any(d.label.startswith("invariant:") for d in all_defects[name]), name
        assert any(d.label.startswith("unknown-enum@") for d in all_defects[name]), name


# one pytest run serves both plugin paths; each other path runs on its own
RUNS = [(p,) for p in false_pass.ALL_PATHS if p not in false_pass.PLUGIN_PATHS]
RUNS.append(false_pass.PLUGIN_PATHS)


@pytest.mark.parametrize("paths", RUNS, ids=["+".join(r) for r in RUNS])
def test_every_injected_defect_is_caught(paths: tuple[str, ...], all_defects, tmp_path) -> None:
    _, results = false_pass.run_paths(tuple(all_defects), paths, work=tmp_path)
    for name, caught in results.items():
        assert false_pass.missed(all_defects, caught) == [], name
        if name in ("schema", "check", "item", "assert"):  # every object takes these paths
            assert all(caught[n] is not None for n in all_defects)


# The contract path (contract VENDOR against serve VENDOR --fault drift=KIND, every vendor
# and kind) is tests/test_contract.py::test_drift_is_caught_and_named, which also asserts
# the check that names each drift; `python tools/false_pass.py` prints it as a table.
