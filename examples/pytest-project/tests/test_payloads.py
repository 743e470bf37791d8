"""Payloads your code builds, checked against the vendors' run schemas."""

from __future__ import annotations

from typing import Any

import pytest


def summarise(run: dict[str, Any]) -> dict[str, Any]:
    """Stand-in for your code: a Knock run as your service re-serves it."""
    return {**run, "status": "completed", "error_count": 0}


def test_a_generated_run_conforms(assert_conforms: Any, run_factory: Any) -> None:
    run = run_factory("knock.WorkflowRecipientRun", status="paused")
    assert_conforms(run, "knock.WorkflowRecipientRun")


def test_a_broken_run_is_reported(assert_conforms: Any, run_factory: Any) -> None:
    run = run_factory("xceptor.WorkflowRun")
    run["status"] = "DONE"
    with pytest.raises(AssertionError, match=r'\$\.status: error: "DONE" is not one of'):
        assert_conforms(run, "xceptor.WorkflowRun")


@pytest.mark.conforms("knock.WorkflowRecipientRun")
def test_summarise_keeps_the_shape(run_factory: Any) -> dict[str, Any]:
    return summarise(run_factory("knock.WorkflowRecipientRun"))
