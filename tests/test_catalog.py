"""The catalog: names, lookups, provenance, and an offline registry that resolves every $ref."""

from __future__ import annotations

import pytest
from referencing.exceptions import Unresolvable

from conformance.bundle.catalog import VARIANTS, Catalog
from conformance.bundle.openapi import iter_refs
from conformance.errors import UnknownObjectError

REQUIRED_OBJECTS = {
    "hatchet": {
        "V1WorkflowRun",
        "V1TaskSummary",
        "V1TaskSummaryList",
        "V1WorkflowRunDetails",
        "V1TaskStatus",
    },
    "knock": {
        "WorkflowRecipientRun",
        "WorkflowRecipientRunDetail",
        "WorkflowRecipientRunEvent",
        "ListWorkflowRecipientRunsResponse",
    },
    "paragon": {"WorkflowExecution", "WorkflowExecutionList"},
    "restack": {"WorkflowRunStatus", "WorkflowRunResponse", "AgentRunStatus"},
    "xceptor": {"WorkflowRun", "WorkflowRunList", "StepResult", "Error"},
    "canonical": {"WorkflowRun"},
}


@pytest.mark.parametrize("vendor", sorted(REQUIRED_OBJECTS))
def test_every_required_object_is_listed(catalog: Catalog, vendor: str) -> None:
    listed = {name.split(".", 1)[1] for name in catalog.names(vendor)}
    assert REQUIRED_OBJECTS[vendor] <= listed


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_ref_resolves_offline(catalog: Catalog, variant: str) -> None:
    registry = catalog.registry(variant)  # type: ignore[arg-type]
    crawled = 0
    for name in catalog.names(include_dependencies=True):
        entry = catalog.entry(name, variant)  # type: ignore[arg-type]
        resolver = registry.resolver(base_uri=entry.id)
        assert resolver.lookup(entry.id).contents["$id"] == entry.id
        for _, ref in iter_refs(catalog.schema(name, variant)):  # type: ignore[arg-type]
            resolved = resolver.lookup(ref)
            assert resolved.contents is not None
            crawled += 1
    assert crawled >= 30


def test_registry_never_retrieves(catalog: Catalog) -> None:
    with pytest.raises(Unresolvable):
        catalog.registry().resolver().lookup("https://example.com/schema.json")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "hatchet.V1WorkflowRn",
            "unknown object 'hatchet.V1WorkflowRn'; did you mean: "
            "hatchet.V1WorkflowRun, hatchet.V1WorkflowType, hatchet.V1WorkflowRunDetails?",
        ),
        (
            "WorkflowRun",
            "ambiguous object name 'WorkflowRun': matches canonical.WorkflowRun, "
            "xceptor.WorkflowRun",
        ),
        (
            "knock.workflowrecipientrun",
            "unknown object 'knock.workflowrecipientrun'; did you "
            "mean: knock.WorkflowRecipientRun?",
        ),
        ("zzz", "unknown object 'zzz'; `runconform schemas list` shows the bundle"),
    ],
)
def test_unknown_names_list_close_matches(catalog: Catalog, name: str, message: str) -> None:
    with pytest.raises(UnknownObjectError) as caught:
        catalog.resolve(name)
    assert str(caught.value) == message


def test_bare_unique_object_name_resolves(catalog: Catalog) -> None:
    assert catalog.resolve("V1TaskSummaryList") == "hatchet.V1TaskSummaryList"


def test_provenance_and_errata_in_scope(catalog: Catalog) -> None:
    entry = catalog.entry("hatchet.V1TaskSummaryList")
    assert entry.source["file"] == "hatchet/hatchet-api.openapi.json"
    assert entry.source["sha256"] == (
        "f993715ca37c424c1a1f6a9e0104d7d250e108d1d60888e6acd7592dfbfc887b"
    )
    assert entry.source["assembled_from"] == (
        "hatchet/upstream-openapi/components/schemas/v1/task.yaml#/V1TaskSummaryList"
    )
    assert entry.errata == ("hatchet-tasksummary-required-id", "hatchet-tasksummary-type-object")
    assert catalog.entry("hatchet.V1TaskSummaryList", "published").errata == ()
    assert catalog.erratum("hatchet-tasksummary-required-id")["object"] == "V1TaskSummary"


def test_schema_returns_a_copy(catalog: Catalog) -> None:
    catalog.schema("xceptor.WorkflowRun")["title"] = "changed"
    assert catalog.schema("xceptor.WorkflowRun")["title"] == "WorkflowRun"
