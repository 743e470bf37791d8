"""The expressiveness matrix: derived from the specs, deterministic, and committed current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.mapping.matrix import (
    DEFAULT_PATH,
    REGENERATE,
    expressiveness,
    main,
    render_markdown,
    write_matrix,
)
from conformance.mapping.scenarios import RUN_OBJECTS, SCENARIOS

COMMITTED = Path(__file__).resolve().parent.parent / DEFAULT_PATH


@pytest.fixture(scope="module")
def matrix_json() -> dict:
    return expressiveness().as_json()


def test_committed_report_is_current() -> None:
    if not COMMITTED.parent.is_dir():
        pytest.skip("no reports/ folder (not a source checkout)")
    fresh = render_markdown(expressiveness())
    current = COMMITTED.read_text(encoding="utf-8") if COMMITTED.is_file() else ""
    assert current == fresh, (
        f"{DEFAULT_PATH} is stale: regenerate it with `{REGENERATE}` and commit the result"
    )


def test_json_shape_and_order(matrix_json: dict) -> None:
    assert list(matrix_json["objects"]) == list(RUN_OBJECTS)
    assert matrix_json["statuses"] == [
        "queued",
        "running",
        "paused",
        "succeeded",
        "failed",
        "cancelled",
    ]
    assert matrix_json["scenarios"] == list(SCENARIOS)
    assert "source" not in matrix_json["fields"]
    for column in matrix_json["objects"].values():
        assert list(column["fields"]) == matrix_json["fields"]
        assert list(column["statuses"]) == matrix_json["statuses"]
    json.dumps(matrix_json)  # plain data


def test_cells_come_from_the_specs(matrix_json: dict) -> None:
    knock = matrix_json["objects"]["knock.WorkflowRecipientRun"]
    assert knock["statuses"]["running"] == {"expressible": True, "vendor_values": "processing"}
    assert knock["statuses"]["failed"] == {
        "expressible": False,
        "reason": "Knock has no failed state (a run with errors still completes; see error_count)",
    }
    assert knock["fields"]["started_at"] == {
        "expressible": False,
        "reason": "Knock records no start time for a recipient run",
    }
    hatchet = matrix_json["objects"]["hatchet.V1WorkflowRun"]
    assert hatchet["fields"]["id"] == {"expressible": True, "from": "/metadata/id"}
    assert hatchet["scenarios"]["failed-on-step"] == {
        "expressible": True,
        "rendered_as": "hatchet.V1WorkflowRun",
    }
    page = matrix_json["objects"]["hatchet.V1TaskSummary"]["scenarios"]["page"]
    assert page == {"expressible": True, "rendered_as": "hatchet.V1TaskSummaryList"}
    paragon = matrix_json["objects"]["paragon.WorkflowExecution"]["scenarios"]["queued"]
    assert paragon["reason"] == (
        "paragon cannot express status 'queued': the task history lists finished executions only"
    )


def test_markdown_is_deterministic_and_lists_reasons() -> None:
    text = render_markdown(expressiveness())
    assert text == render_markdown(expressiveness())
    assert "| `paused` | — | — | ✓ `paused` | — | — | — |" in text
    assert "- scenario `failed-on-step`: knock cannot express status 'failed'" in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_write_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "matrix.md"
    write_matrix(target)
    assert target.read_text(encoding="utf-8") == render_markdown(expressiveness())
    assert main([str(target), "--check"]) == 0
    target.write_text("old\n", encoding="utf-8")
    assert main([str(target), "--check"]) == 1
    assert REGENERATE in capsys.readouterr().err
    assert main(["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 1


def test_lifecycle_transitions_are_carried_or_say_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """A canonical transition is carried where the vendor's lifecycle reaches the mapped
    status; cut the vendor's reach and the cell says why (the defect is caught)."""
    import dataclasses

    from conformance.bundle.lifecycles import lifecycle_of
    from conformance.mapping import matrix as module

    pairs = (("running", "queued"), ("queued", "running"))
    hatchet = dict(module._transitions("hatchet.V1TaskSummary", pairs))
    knock = dict(module._transitions("knock.WorkflowRecipientRun", pairs))
    assert hatchet["running -> queued"] == module.Verdict(True, "RUNNING -> QUEUED")
    assert knock["running -> queued"] == module.Verdict(
        False, "knock.WorkflowRecipientRun does not go from processing to queued"
    )
    assert knock["queued -> running"] == module.Verdict(True, "queued -> processing")
    real = lifecycle_of("knock.WorkflowRecipientRun")
    assert real is not None
    cut = dataclasses.replace(real, reachable={**real.reachable, "queued": frozenset()})
    monkeypatch.setattr(module, "lifecycle_of", lambda name: cut)
    knock = dict(module._transitions("knock.WorkflowRecipientRun", pairs))
    assert knock["queued -> running"] == module.Verdict(
        False, "knock.WorkflowRecipientRun does not go from queued to processing"
    )
