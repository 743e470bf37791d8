"""Lint finds every known trap in the published view and no error in the corrected one."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conformance.bundle.catalog import VARIANTS, Catalog
from conformance.bundle.lint import _schema_rules, lint_bundle
from conformance.report.text import finding_line

PUBLISHED_ERRORS = {
    ("required-undefined", "schemas/hatchet/published/V1TaskSummary.json", "/required"),
    ("required-undefined", "schemas/hatchet/published/V1WorkflowRun.json", "/required"),
    (
        "accepts-anything",
        "schemas/knock/published/WorkflowRecipientRun.json",
        "/properties/actor/anyOf/1",
    ),
    (
        "openapi-keyword",
        "schemas/paragon/published/WorkflowExecutionList.json",
        "/properties/nextLink/nullable",
    ),
}


def test_published_view_reports_every_known_trap() -> None:
    report = lint_bundle("published")
    errors = {(f.keyword, f.file, f.pointer) for f in report.findings if f.severity == "error"}
    assert errors == PUBLISHED_ERRORS
    warnings = {(f.keyword, f.file, f.pointer) for f in report.findings if f.severity == "warning"}
    knock = "contracts/knock/workflow-recipient-runs-api.openapi.yml"
    assert (
        "openapi-3.0-nullable",
        knock,
        "/components/schemas/WorkflowRecipientRun/properties/tenant/nullable",
    ) in warnings
    assert (
        "openapi-version",
        "contracts/xceptor/workflow-runs-api.openapi.yml",
        "/openapi",
    ) in warnings
    assert ("missing-type", "schemas/hatchet/published/V1WorkflowRun.json", "") in warnings
    assert ("seed-id-fragment", "contracts/xceptor/workflow-run.schema.json", "/$id") in warnings


def test_hatchet_finding_names_the_source() -> None:
    finding = next(
        f
        for f in lint_bundle("published").findings
        if f.file == "schemas/hatchet/published/V1WorkflowRun.json"
        and f.keyword == "required-undefined"
    )
    assert finding_line(finding) == (
        "schemas/hatchet/published/V1WorkflowRun.json#/required: error: required property 'id' "
        "is not defined in `properties`: no conforming object can have it documented "
        "[required-undefined] (from contracts/hatchet/hatchet-api.openapi.json"
        "#/components/schemas/V1WorkflowRun/required)"
    )


def test_corrected_view_has_no_errors() -> None:
    report = lint_bundle("corrected")
    assert [finding_line(f) for f in report.findings if f.severity == "error"] == []
    assert report.ok


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_bundled_schema_is_valid_2020_12(catalog: Catalog, variant: str) -> None:
    for name in catalog.names(include_dependencies=True):
        Draft202012Validator.check_schema(catalog.schema(name, variant))  # type: ignore[arg-type]


RULE_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "required-undefined",
        {"type": "object", "properties": {"a": {}}, "required": ["b"]},
        {"type": "object", "properties": {"a": {}}, "required": ["a"]},
    ),
    ("missing-type", {"properties": {"a": {}}}, {"type": "object", "properties": {"a": {}}}),
    ("openapi-keyword", {"type": "string", "nullable": True}, {"type": ["string", "null"]}),
    (
        "unknown-format",
        {"type": "integer", "format": "uint64"},
        {"type": "integer", "format": "int64"},
    ),
    ("enum-case-variant", {"enum": ["ok", "OK"]}, {"enum": ["ok", "error"]}),
    ("enum-duplicate", {"enum": ["ok", "ok"]}, {"enum": ["ok"]}),
    (
        "accepts-anything",
        {"anyOf": [{"type": "string"}, {}]},
        {"anyOf": [{"type": "string"}, {"type": "null"}]},
    ),
]


@pytest.mark.parametrize(("rule", "bad", "good"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_rule_flags_bad_and_passes_good(
    rule: str, bad: dict[str, Any], good: dict[str, Any]
) -> None:
    assert rule in {r for r, *_ in _schema_rules(bad)}
    assert rule not in {r for r, *_ in _schema_rules(good)}


def test_cli_lint_exit_codes(run_cli) -> None:
    code, out, _ = run_cli("schemas", "lint", "-q")
    assert code == 0
    assert out.splitlines()[-1] == "corrected: 0 errors, 1 warning, 8 info"
    code, out, _ = run_cli("schemas", "lint", "--as-published", "-q")
    assert code == 3
    # nothing-required info: the published V1DagChildren and AgentRunStatus require nothing
    assert out.splitlines()[-1] == "published: 4 errors, 22 warnings, 12 info"


def test_dag_children_require_nothing_only_as_published(run_cli) -> None:
    """hatchet-dagchildren-required: Hatchet always writes dagId and children."""
    line = "schemas/hatchet{}/V1DagChildren.json#: info: no property is required"
    _, corrected, _ = run_cli("schemas", "lint")
    _, published, _ = run_cli("schemas", "lint", "--as-published")
    assert line.format("") not in corrected
    assert line.format("/published") in published
