"""The three fixture backends in the default install: every one draws valid, sane fixtures."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from conformance.generate import BACKENDS, strategy
from conformance.generate.backends import hypothesis_jsonschema_problem, incompatibility
from conformance.validation.engine import validate
from conformance.validation.semantics import check_invariants
from conformance.validation.validators import validators_for

#: One run object per vendor (and the canonical run), light enough for every backend.
REPRESENTATIVES = (
    "canonical.WorkflowRun",
    "hatchet.V1WorkflowRun",
    "knock.WorkflowRecipientRun",
    "paragon.WorkflowExecution",
    "restack.WorkflowRunResponse",
    "xceptor.WorkflowRun",
)
BOUNDED = settings(
    max_examples=10,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def problems(instance: Any, name: str) -> list[str]:
    """What keeps `instance` from being a valid, sane `name` (empty when it is both)."""
    validators = validators_for(name)
    found = []
    if not validators.fast.is_valid(instance):  # formats asserted
        found.append("invalid")
    if not validators.fast_strict.is_valid(instance):  # an undocumented property: drift
        found.append("drift")
    found += [str(violation) for violation in check_invariants(instance, name)]
    result = validate(instance, name, strict=True)  # the detailed validator agrees
    found += [str(finding) for finding in result.findings]
    return found


@pytest.mark.parametrize("name", REPRESENTATIVES)
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_gives_valid_sane_fixtures(backend: str, name: str) -> None:
    seen: list[Any] = []

    @BOUNDED
    @given(strategy(name, backend=backend))
    def check(instance: Any) -> None:
        seen.append(instance)
        assert problems(instance, name) == []

    check()
    assert seen


def test_the_default_install_runs_hypothesis_jsonschema() -> None:
    """pyproject.toml keeps Hypothesis below the release that broke hypothesis-jsonschema."""
    assert hypothesis_jsonschema_problem() is None


@pytest.mark.parametrize(
    ("has_many_more", "expected"),
    [
        pytest.param(True, None, id="compatible"),
        pytest.param(
            False,
            "backend 'hypothesis-jsonschema' cannot run with Hypothesis 6.170.17: "
            "hypothesis-jsonschema 0.23.1 calls the private `many.more()` that Hypothesis "
            "removed in 6.170.10 (\"'many' object has no attribute 'more'\" on every object "
            "schema); use backend='default' or 'schemathesis', or install hypothesis<6.170.10",
            id="many-more-removed",
        ),
    ],
)
def test_an_incompatible_install_is_refused_by_name(
    has_many_more: bool, expected: str | None
) -> None:
    assert incompatibility("0.23.1", "6.170.17", has_many_more) == expected
