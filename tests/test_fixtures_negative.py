"""Negative fixtures: each breaks exactly the rule on its label, and the validator says so."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from conformance.bundle.catalog import load_catalog
from conformance.errors import UsageError
from conformance.generate import NegativeFixture, generate, generate_invalid, strategy
from conformance.validation.engine import validate
from conformance.validation.semantics import INVARIANTS

NAMES = load_catalog().names()
SEED = 20261122
PER_OBJECT = 1000
_produced: Counter[str] = Counter()


def reported(fixture: NegativeFixture, name: str) -> list[tuple[str, str, str, str]]:
    result = validate(fixture.instance, name, strict=True)
    return [(f.severity, f.kind, f.keyword, f.pointer) for f in result.findings]


def assert_exact(fixture: NegativeFixture, name: str) -> None:
    findings = reported(fixture, name)
    # exactly the label: no other error, no warning, and no info (drift) either
    assert findings == [("error", fixture.kind, fixture.keyword, fixture.pointer)], (
        fixture.rule,
        findings,
        json.dumps(fixture.instance)[:400],
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_label_is_reported_exactly(name: str) -> None:
    fixtures = list(generate(name, PER_OBJECT, SEED, valid=False))
    assert len(fixtures) == PER_OBJECT
    for fixture in fixtures:
        assert fixture.rule == f"{fixture.kind}:{fixture.keyword}@{fixture.pointer}"
        assert_exact(fixture, name)
        _produced[fixture.rule.split("@")[0]] += 1


def test_rules_cover_schema_keywords_and_every_invariant() -> None:
    labels: set[str] = set()
    for name in NAMES:
        labels |= {f.rule.split("@")[0] for f in generate(name, 150, SEED, valid=False)}
    schema = {"enum", "type", "required", "format", "maxLength", "minLength", "anyOf", "oneOf",
              "additionalProperties", "minProperties", "minimum"}  # fmt: skip
    assert {f"schema:{k}" for k in schema} <= labels
    assert {f"invariant:{rule}" for rule in INVARIANTS} <= labels


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("xceptor.WorkflowRun", "invariant:time-order"),
        ("xceptor.WorkflowRun", "schema:enum@/status"),
        ("knock.WorkflowRecipientRun", "invariant:time-order@/updated_at"),
        ("hatchet.V1TaskSummaryList", "invariant:page-consistent"),
        ("knock.ListWorkflowRecipientRunsResponse", "invariant:page-size@/page_info/page_size"),
        ("canonical.WorkflowRun", "invariant:step-count@/step_count"),
        ("paragon.WorkflowExecution", "schema"),
        ("restack.WorkflowRunStatus", "invariant"),
    ],
)
def test_rule_selects_the_violation(name: str, rule: str) -> None:
    for fixture in generate_invalid(name, 40, SEED, rule=rule):
        head, _, pointer = rule.partition("@")
        assert fixture.rule.startswith(head)
        if pointer:
            assert fixture.pointer == pointer
        assert_exact(fixture, name)


def test_impossible_rule_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        next(generate_invalid("xceptor.Error", 1, SEED, rule="invariant:time-order"))
    assert str(info.value) == (
        "xceptor.Error: could not produce a negative fixture matching "
        "'invariant:time-order' in 50 tries"
    )
    with pytest.raises(UsageError, match="valid=False"):
        generate("xceptor.WorkflowRun", 1, SEED, rule="schema")


def test_sidecar_form_round_trips() -> None:
    fixture = next(generate_invalid("xceptor.WorkflowRun", 1, SEED, rule="schema:enum@/status"))
    sidecar = fixture.sidecar()
    assert sidecar == {
        "fixture": fixture.instance,
        "violates": {"kind": "schema", "keyword": "enum", "pointer": "/status"},
    }
    back = NegativeFixture.from_sidecar(json.loads(json.dumps(sidecar)))
    assert (back.instance, back.rule, back.keyword, back.pointer) == (
        fixture.instance,
        fixture.rule,
        fixture.keyword,
        fixture.pointer,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        fixture.rule = "x"  # type: ignore[misc]


def test_negative_fixtures_are_deterministic() -> None:
    def labelled(seed: int) -> list[Any]:
        return [f.sidecar() for f in generate("hatchet.V1TaskSummaryList", 50, seed, valid=False)]

    assert json.dumps(labelled(1)) == json.dumps(labelled(1))
    assert json.dumps(labelled(1)) != json.dumps(labelled(2))


@pytest.mark.parametrize(
    "name", ["xceptor.WorkflowRun", "knock.WorkflowRecipientRunDetail", "hatchet.V1TaskSummary"]
)
def test_negative_strategy(name: str) -> None:
    seen: list[NegativeFixture] = []

    @settings(
        max_examples=20,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(strategy(name, valid=False))
    def check(fixture: NegativeFixture) -> None:
        seen.append(fixture)
        assert_exact(fixture, name)

    check()
    assert seen


def test_negative_from_the_schemathesis_backend() -> None:
    @settings(max_examples=10, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(strategy("xceptor.WorkflowRun", valid=False, backend="schemathesis"))
    def check(fixture: NegativeFixture) -> None:
        assert_exact(fixture, "xceptor.WorkflowRun")

    check()
