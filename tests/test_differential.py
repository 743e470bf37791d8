"""The fast path (jsonschema-rs) and the detailed path (jsonschema) agree, record for record."""

from __future__ import annotations

import pytest
from conftest import example, example_names
from corpus import corpus

from conformance.validation.validators import validators_for

RECORDS_PER_OBJECT = 10_000


@pytest.mark.parametrize("name", example_names())
def test_fast_and_detailed_paths_agree(name: str) -> None:
    validators = validators_for(name)
    fast, detailed = validators.fast, validators.detailed
    disagreements, valid = [], 0
    for i, instance in enumerate(corpus(example(name), RECORDS_PER_OBJECT, seed=i_seed(name))):
        verdict = fast.is_valid(instance)
        valid += verdict
        if verdict != detailed.is_valid(instance):
            disagreements.append((i, instance, verdict))
    assert disagreements == []
    assert RECORDS_PER_OBJECT * 0.05 < valid < RECORDS_PER_OBJECT * 0.95


@pytest.mark.parametrize("name", example_names())
def test_strict_twins_agree(name: str) -> None:
    validators = validators_for(name)
    for instance in corpus(example(name), 1_000, seed=i_seed(name) + 1):
        assert validators.fast_strict.is_valid(instance) == validators.detailed_strict.is_valid(
            instance
        ), instance


def i_seed(name: str) -> int:
    return sum(name.encode())


@pytest.mark.parametrize("name", example_names())
def test_both_engines_name_the_same_errors(name: str) -> None:
    """On failing records, jsonschema-rs and jsonschema report the same keywords at the
    same places, so the fast engine's error details can stand in for jsonschema's."""
    from conformance.validation.engine import validate

    compared = 0
    for instance in corpus(example(name), 1_000, seed=i_seed(name) + 2):
        rs = validate(instance, name, details="jsonschema-rs", invariants=False, drift=False)
        if rs.ok:
            continue
        py = validate(instance, name, details="jsonschema", invariants=False, drift=False)
        assert {(f.keyword, f.pointer) for f in rs.findings} == {
            (f.keyword, f.pointer) for f in py.findings
        }, instance
        compared += 1
    assert compared > 50
