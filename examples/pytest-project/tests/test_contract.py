"""The vendors' contract checks, against the simulators or the API of --runconform-base-url."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize("run_target", ["knock", "xceptor"], indirect=True)
def test_contract(run_target: Any) -> None:
    run_target.check_contract(max_examples=5)


@pytest.mark.runconform_vendor("knock")
def test_our_client_reads_runs_that_conform(client: Any, assert_conforms: Any) -> None:
    page = client.get("/v1/workflow_recipient_runs?page_size=3")
    assert_conforms(page, "knock.ListWorkflowRecipientRunsResponse")
    assert len(page["items"]) == 3
