"""Scenarios: valid canonical runs, rendered truthfully into every vendor shape, or refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.errors import UsageError
from conformance.mapping import MappingError, object_spec, to_canonical, to_canonical_items
from conformance.mapping.scenarios import (
    RUN_OBJECTS,
    SCENARIOS,
    Rendered,
    Unexpressible,
    canonical,
    render,
    render_all,
    render_one,
)
from conformance.validation.engine import validate
from conformance.validation.semantics import check_invariants

LISTS = {
    "hatchet.V1TaskSummary": "hatchet.V1TaskSummaryList",
    "knock.WorkflowRecipientRun": "knock.ListWorkflowRecipientRunsResponse",
    "paragon.WorkflowExecution": "paragon.WorkflowExecutionList",
    "xceptor.WorkflowRun": "xceptor.WorkflowRunList",
}
#: The canonical error keys each error transform carries to the vendor and back.
ERROR_KEYS = {
    "error-from-string": ("message",),
    "error-from-object": ("message", "code"),
    "count-to-error": ("count",),
}
_KNOCK_FAILED = (
    "knock cannot express status 'failed': Knock has no failed state "
    "(a run with errors still completes; see error_count)"
)
_PARAGON_FINISHED = "the task history lists finished executions only"
#: Every (scenario @ run object) that cannot be rendered, with the exact reason.
UNEXPRESSIBLE_BY_KEY = {
    "queued @ paragon.WorkflowExecution": f"paragon cannot express status 'queued': {_PARAGON_FINISHED}",
    "running @ paragon.WorkflowExecution": f"paragon cannot express status 'running': {_PARAGON_FINISHED}",
    "failed-on-step @ knock.WorkflowRecipientRun": _KNOCK_FAILED,
    "cancelled-while-running @ paragon.WorkflowExecution": "paragon cannot express status 'cancelled': Paragon has no cancelled state",
    "cancelled-while-running @ restack.WorkflowRunStatus": "restack cannot express status 'cancelled': Restack has no cancelled state",
    "cancelled-while-running @ restack.AgentRunStatus": "restack cannot express status 'cancelled': Restack has no cancelled state",
    "cancelled-while-running @ xceptor.WorkflowRun": "xceptor cannot express step status 'cancelled'",
    "paused @ hatchet.V1WorkflowRun": "hatchet cannot express status 'paused': V1TaskStatus has no paused state",
    "paused @ hatchet.V1TaskSummary": "hatchet cannot express status 'paused': V1TaskStatus has no paused state",
    "paused @ paragon.WorkflowExecution": f"paragon cannot express status 'paused': {_PARAGON_FINISHED}",
    "paused @ restack.WorkflowRunStatus": "restack cannot express status 'paused': Restack has no paused state",
    "paused @ restack.AgentRunStatus": "restack cannot express status 'paused': Restack has no paused state",
    "paused @ xceptor.WorkflowRun": "xceptor cannot express status 'paused': Xceptor has no paused state",
    "page @ hatchet.V1WorkflowRun": "hatchet.V1WorkflowRun has no list object in the bundle, so it cannot hold a page of runs",
    "page @ knock.WorkflowRecipientRun": f"knock.ListWorkflowRecipientRunsResponse item 2 of 5: {_KNOCK_FAILED}",
    "page @ paragon.WorkflowExecution": f"paragon.WorkflowExecutionList item 3 of 5: paragon cannot express status 'running': {_PARAGON_FINISHED}",
    "page @ restack.WorkflowRunStatus": "restack.WorkflowRunStatus has no list object in the bundle, so it cannot hold a page of runs",
    "page @ restack.AgentRunStatus": "restack.AgentRunStatus has no list object in the bundle, so it cannot hold a page of runs",
    "page @ xceptor.WorkflowRun": "xceptor.WorkflowRunList item 5 of 5: xceptor cannot express step status 'cancelled'",
}
UNEXPRESSIBLE = {tuple(k.split(" @ ")): v for k, v in UNEXPRESSIBLE_BY_KEY.items()}
ALL_PAIRS = [(s, o) for s in SCENARIOS for o in RUN_OBJECTS]
EXPRESSIBLE = [pair for pair in ALL_PAIRS if pair not in UNEXPRESSIBLE]


def _runs(data: Any) -> list[dict[str, Any]]:
    return list(data) if isinstance(data, (list, tuple)) else [data]


def _clean(value: Any, name: str) -> None:
    """Valid against `name` with formats asserted and invariants as errors: no error, no warning."""
    result = validate(value, name, strict=True)
    noisy = [f for f in result.findings if f.severity in ("error", "warning")]
    assert result.ok and not noisy, [(f.path, f.message) for f in noisy]


def _carried(run: dict[str, Any], name: str) -> dict[str, Any]:
    """The part of a canonical run that `name` can express.

    Fields with no rule in the mapping (its `cannot_express` fields) are dropped;
    within `error` only the keys the vendor's error transform carries are kept;
    within `trigger` only the kind (`source_value` is the vendor's own word, added
    on the way back). `source` says where a mapped run came from and is ignored.
    """
    out: dict[str, Any] = {}
    for rule in object_spec(name).rules:
        if rule.target not in run:
            continue
        value = run[rule.target]
        if rule.target == "error":
            value = {k: v for k, v in value.items() if k in ERROR_KEYS[rule.transform]}
            if not value:
                continue
        elif rule.target == "trigger":
            value = {"kind": value["kind"]}
        out[rule.target] = value
    return out


def assert_same_run(original: dict[str, Any], back: dict[str, Any], name: str) -> None:
    """`back` (vendor -> canonical) equals `original` on every field `name` can express.

    A field the original has must come back equal (after `_carried`). A field the
    original lacks may come back only as the mapping's documented default for a
    vendor-required field (e.g. Hatchet's `output: {}`), never as anything else.
    """
    spec = object_spec(name)
    want, got = _carried(original, name), _carried(back, name)
    for field, value in want.items():
        assert got.get(field) == value, (name, field, value, got.get(field))
    for field in sorted(set(got) - set(want)):
        rule = spec.rule(field)
        default = rule.default if rule is not None else None
        assert default is not None and default.has_value, (name, field, got[field])
        assert got[field] == _carried({field: default.value}, name).get(field), (name, field)
    assert set(back) - {"source"} <= {r.target for r in spec.rules}


# -- canonical form --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scenarios_are_valid_sane_canonical_runs(name: str, seed: int) -> None:
    for run in _runs(canonical(name, seed=seed)):
        _clean(run, "canonical.WorkflowRun")
        assert check_invariants(run, "canonical.WorkflowRun") == ()


def test_failed_on_step_names_the_step() -> None:
    run = canonical("failed-on-step", step=5)
    assert [s["status"] for s in run["steps"]] == ["succeeded"] * 4 + ["failed"]
    assert run["error"]["message"].startswith(f"step 5 ({run['steps'][4]['name']}) failed: ")
    two = canonical("failed-on-step", step=2, steps=4)
    assert [s["status"] for s in two["steps"]] == ["succeeded", "failed", "skipped", "skipped"]
    assert canonical("failed-on-step")["error"]["message"].startswith("step 3 ")


def test_page_cycles_statuses_and_takes_parameters() -> None:
    page = canonical("page", n=7)
    assert [r["status"] for r in page] == [
        "succeeded",
        "failed",
        "running",
        "queued",
        "cancelled",
        "paused",
        "succeeded",
    ]
    assert {r["status"] for r in canonical("page", statuses=["failed"])} == {"failed"}
    assert len({r["id"] for r in page}) == 7


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        (
            "failed-on-step",
            {"n": 2},
            "scenario 'failed-on-step' takes no parameter 'n' (step, steps)",
        ),
        (
            "failed-on-step",
            {"step": 0},
            "scenario parameter step must be a positive integer, not 0",
        ),
        ("page", {"n": 3, "total": 2}, "scenario parameter total (2) is less than n (3)"),
        (
            "page",
            {"statuses": ["done"]},
            "statuses must name canonical statuses (queued, running, succeeded, failed, cancelled, paused)",
        ),
        (
            "nope",
            {},
            "unknown scenario 'nope'; known: queued, running, succeeded, failed-on-step, cancelled-while-running, paused, page",
        ),
    ],
)
def test_bad_parameters_are_usage_errors(name: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as info:
        canonical(name, **params)
    assert str(info.value) == message


# -- rendering -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "target"), EXPRESSIBLE)
def test_rendered_objects_validate_and_map_back(name: str, target: str) -> None:
    result = render_one(name, target)
    assert isinstance(result, Rendered), result
    if SCENARIOS[name].is_page:
        assert result.object == LISTS[target]
        _clean(result.value, result.object)
        back = to_canonical_items(result.value, result.object)
    else:
        assert result.object == target
        _clean(result.value, target)
        back = [to_canonical(result.value, target)]
    originals = _runs(result.canonical)
    assert len(back) == len(originals)
    for original, mapped in zip(originals, back, strict=True):
        assert_same_run(original, mapped, target)


#: Runs on a page: 4, but Paragon's pages hold 100 (a shorter one is the last).
PAGE_N = {target: 100 if target.startswith("paragon.") else 4 for target in LISTS}


@pytest.mark.parametrize("target", list(LISTS))
@pytest.mark.parametrize("pages", [1, 3])
def test_pages_every_list_can_hold(target: str, pages: int) -> None:
    """A page of runs every list vendor can say (all succeeded), on one page or the first of 3."""
    n = PAGE_N[target]
    total = None if pages == 1 else 3 * n
    value = render("page", target, n=n, total=total, statuses=["succeeded"])
    _clean(value, LISTS[target])
    runs = canonical("page", n=n, total=total, statuses=["succeeded"])
    back = to_canonical_items(value, LISTS[target])
    for original, mapped in zip(runs, back, strict=True):
        assert_same_run(original, mapped, target)


def test_page_info_follows_each_style() -> None:
    kw: dict[str, Any] = {"n": 4, "total": 10, "statuses": ["succeeded"]}
    assert render("page", "hatchet.V1TaskSummary", **kw)["pagination"] == {
        "current_page": 1,
        "num_pages": 3,
        "next_page": 2,
    }
    assert render("page", "xceptor.WorkflowRunList", **kw)["pagination"] == {
        "page": 1,
        "page_size": 4,
        "total_items": 10,
        "total_pages": 3,
    }
    paragon = render("page", "paragon.WorkflowExecution", n=100, total=250, statuses=["succeeded"])
    assert len(paragon.pop("workflowExecutions")) == 100
    assert paragon == {
        "nextLink": "https://api.useparagon.com/projects/project-1/task-history/workflow-executions?offset=100"
    }
    # no total; a page short of 100 is Paragon's last, so it cannot say that more follow
    assert render_one("page", "paragon.WorkflowExecution", **kw) == Unexpressible(
        "page",
        "paragon.WorkflowExecutionList",
        "paragon.WorkflowExecutionList cannot express this run: $.nextLink: nextLink is set on "
        "a page of 4 items; a page of fewer than 100 is the last, whose nextLink is null",
    )
    knock = render("page", "knock.WorkflowRecipientRun", n=4, statuses=["succeeded"])
    assert knock["page_info"] == {
        "__typename": "PageInfo",
        "after": None,
        "before": None,
        "page_size": 4,
    }


def test_every_unexpressible_pair_says_exactly_why() -> None:
    found = {}
    for name in SCENARIOS:
        for target, result in render_all(name).items():
            if isinstance(result, Unexpressible):
                found[(name, target)] = result.reason
    assert found == UNEXPRESSIBLE


def test_render_refuses_with_the_reason_and_names_the_list() -> None:
    with pytest.raises(MappingError) as info:
        render("failed-on-step", "knock.WorkflowRecipientRun")
    assert info.value.message == _KNOCK_FAILED
    result = render_one("page", "knock.ListWorkflowRecipientRunsResponse")
    assert isinstance(result, Unexpressible)
    assert result.object == "knock.ListWorkflowRecipientRunsResponse"
    with pytest.raises(UsageError, match="use to_canonical_items"):
        render("succeeded", "xceptor.WorkflowRunList")


# -- determinism -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_seed_same_runs_other_seed_other_runs(name: str) -> None:
    assert canonical(name, seed=3) == canonical(name, seed=3)
    assert canonical(name, seed=3) != canonical(name, seed=4)
    first = {t: r.value for t, r in render_all(name, seed=5).items() if isinstance(r, Rendered)}
    again = {t: r.value for t, r in render_all(name, seed=5).items() if isinstance(r, Rendered)}
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
