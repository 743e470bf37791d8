"""Fixtures: valid with formats asserted, invariant-clean, deterministic, steerable, writable."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from conformance.bundle.catalog import load_catalog
from conformance.bundle.formats import is_valid_format
from conformance.errors import InputError, UnknownObjectError, UsageError
from conformance.generate import (
    MAX_FIXTURES,
    NegativeFixture,
    generate,
    run_factory,
    strategy,
    write_fixtures,
)
from conformance.generate.backends import (
    hypothesis_jsonschema_problem,
    inline_schema,
    openapi_document,
)
from conformance.generate.choosers import RandomChooser
from conformance.generate.values import FORMATS, pattern_generator
from conformance.validation.engine import validate, validate_records
from conformance.validation.instants import parse_instant
from conformance.validation.semantics import check_invariants, load_profiles
from conformance.validation.validators import validators_for

NAMES = load_catalog().names()
LISTS = {
    "hatchet.V1TaskSummaryList": "/rows",
    "hatchet.V1TaskEventList": "/rows",
    "hatchet.V1TaskTimingList": "/rows",
    "knock.ListWorkflowRecipientRunsResponse": "/items",
    "paragon.WorkflowExecutionList": "/workflowExecutions",
    "xceptor.WorkflowRunList": "/data",
}
SEED = 20261122
QUICK = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def sane(instance: Any, name: str) -> bool:
    validators = validators_for(name)
    return (
        validators.fast.is_valid(instance)
        and validators.fast_strict.is_valid(instance)  # no undocumented property: no drift
        and check_invariants(instance, name) == ()
    )


@pytest.mark.parametrize("name", NAMES)
def test_thousand_fixtures_valid_and_sane(name: str) -> None:
    validators = validators_for(name)
    fixtures = list(generate(name, 1000, SEED))
    assert len(fixtures) == 1000
    assert all(validators.fast.is_valid(f) for f in fixtures)
    assert all(validators.fast_strict.is_valid(f) for f in fixtures)
    assert [f for f in fixtures if check_invariants(f, name)] == []
    for fixture in fixtures[::50]:  # the full validator, strict: not a single finding
        result = validate(fixture, name, strict=True)
        assert result.ok and result.findings == ()


@pytest.mark.parametrize("name", NAMES)
def test_hypothesis_strategy_per_object(name: str) -> None:
    seen: list[Any] = []

    @QUICK
    @given(strategy(name))
    def check(instance: Any) -> None:
        seen.append(instance)
        assert sane(instance, name)

    check()
    assert seen


def test_strategy_shrinks_to_a_small_object() -> None:
    from hypothesis import find

    smallest = find(
        strategy("xceptor.WorkflowRun"),
        lambda run: "step_results" in run,
        settings=settings(database=None, derandomize=True),
    )
    assert smallest["step_results"] == []
    assert sane(smallest, "xceptor.WorkflowRun")


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    for name in (
        "xceptor.WorkflowRun",
        "hatchet.V1WorkflowRunDetails",
        "knock.WorkflowRecipientRun",
    ):
        first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
        write_fixtures(name, 300, 42, "jsonl", first)
        write_fixtures(name, 300, 42, "jsonl", second)
        assert first.read_bytes() == second.read_bytes()
        write_fixtures(name, 300, 43, "jsonl", second)
        assert first.read_bytes() != second.read_bytes()
    prefix = [json.dumps(x) for x in generate("xceptor.WorkflowRun", 10, 5)]
    assert prefix == [json.dumps(x) for x in generate("xceptor.WorkflowRun", 100, 5)][:10]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_pages_are_consistent(name: str) -> None:
    items_key = LISTS[name][1:]
    for page in generate(name, 300, SEED):
        items = page[items_key]
        if name.startswith("hatchet."):
            info = page["pagination"]
            current, pages = info["current_page"], info["num_pages"]
            assert 1 <= current <= pages
            assert info.get("next_page") == (current + 1 if current < pages else None)
        elif name.startswith("knock."):
            info = page["page_info"]
            assert info["page_size"] >= len(items)
            if info["after"] is not None:  # more pages: this one is full
                assert info["page_size"] == len(items) > 0
        elif name.startswith("paragon."):  # no total: a link only after a full page of 100
            link = page["nextLink"]
            assert len(items) <= 100
            if link is not None:
                assert len(items) == 100
                assert re.fullmatch(r"https://[^/]+/projects/[^/]+/task-history/"
                                    r"workflow-executions\?offset=\d+", link)  # fmt: skip
        else:
            info = page["pagination"]
            size, total = info["page_size"], info["total_items"]
            assert info["total_pages"] == -(-total // size)
            expected = max(0, min(size, total - (info["page"] - 1) * size))
            assert len(items) == expected


def test_children_run_inside_their_parent() -> None:
    for run in generate("xceptor.WorkflowRun", 300, SEED):
        if run.get("status") in ("completed", "failed", "cancelled"):
            assert all(
                s.get("status") not in ("pending", "running") for s in run.get("step_results", ())
            )
        begin = parse_instant(run.get("started_at"))
        for step in run.get("step_results", ()):
            if begin and step.get("started_at"):
                assert parse_instant(step["started_at"]) >= begin


def test_overrides_ask_for_a_failed_run() -> None:
    runs = list(generate("xceptor.WorkflowRun", 200, 1, overrides={"status": "failed"}))
    assert {r["status"] for r in runs} == {"failed"}
    assert all("completed_at" in r and sane(r, "xceptor.WorkflowRun") for r in runs)
    running = run_factory("hatchet.V1WorkflowRun", seed=3, status="RUNNING",
                          started="2026-01-01T00:00:00Z")  # fmt: skip
    assert running["startedAt"] == "2026-01-01T00:00:00Z" and "finishedAt" not in running
    assert sane(running, "hatchet.V1WorkflowRun")
    # property names of the vendor work too, and pointers for anything else
    run = run_factory("xceptor.WorkflowRun", seed=2, completed_at="2026-03-01T10:00:00Z",
                      **{"/triggered_by": "api"})  # fmt: skip
    assert run["completed_at"] == "2026-03-01T10:00:00Z" and run["triggered_by"] == "api"
    assert run["status"] in ("completed", "failed", "cancelled") or "status" not in run
    assert sane(run, "xceptor.WorkflowRun")
    page = run_factory("xceptor.WorkflowRunList", seed=4, status="cancelled")
    assert {r["status"] for r in page["data"]} <= {"cancelled"}


def test_overrides_object_for_scenarios() -> None:
    """A later scenario layer passes vendor-neutral roles: one failed run, everywhere."""
    from datetime import datetime

    from conformance.generate import Overrides

    end = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    wanted = {"xceptor.WorkflowRun": "failed", "hatchet.V1WorkflowRun": "FAILED",
              "paragon.WorkflowExecution": "FAILED", "restack.WorkflowRunStatus": "failed",
              "canonical.WorkflowRun": "failed"}  # fmt: skip
    for name, status in wanted.items():
        profile = load_profiles()[name]  # the fields differ per vendor; the roles do not
        for run in generate(name, 20, 1, overrides=Overrides(status=status, finished=end)):
            assert sane(run, name)
            assert run[profile["status"][1:]] == status
            assert parse_instant(run[profile["finished"][1:]]) == end

    @QUICK
    @given(strategy("hatchet.V1TaskSummaryList", overrides={"status": "FAILED"}))
    def check(page: Any) -> None:
        assert all(row["status"] == "FAILED" for row in page["rows"])
        assert sane(page, "hatchet.V1TaskSummaryList")

    check()


def test_bad_overrides_say_why() -> None:
    with pytest.raises(UsageError, match=r"status 'done' is not one of pending, running"):
        run_factory("xceptor.WorkflowRun", status="done")
    with pytest.raises(UsageError, match=r"unknown override 'colour'"):
        run_factory("xceptor.WorkflowRun", colour="red")
    with pytest.raises(UsageError, match=r"the overrides break time-order"):
        run_factory("xceptor.WorkflowRun", seed=1, status="completed",
                    started="2026-01-02T00:00:00Z", finished="2026-01-01T00:00:00Z")  # fmt: skip
    with pytest.raises(UsageError, match=r"status 'running' is active, it has no end"):
        run_factory("xceptor.WorkflowRun", status="running", finished="2026-01-01T00:00:00Z")
    with pytest.raises(UsageError, match=r"not an RFC 3339 timestamp"):
        run_factory("xceptor.WorkflowRun", started="yesterday")


def test_run_factory() -> None:
    assert run_factory("knock.WorkflowRecipientRun", seed=9) == run_factory(
        "knock.WorkflowRecipientRun", seed=9
    )
    assert run_factory("knock.WorkflowRecipientRun") != run_factory("knock.WorkflowRecipientRun")
    broken = run_factory("paragon.WorkflowExecution", valid=False, seed=9)
    assert isinstance(broken, NegativeFixture)


def test_formats_and_patterns_are_valid() -> None:
    ch = RandomChooser(1)
    for fmt, gen in FORMATS.items():
        assert all(is_valid_format(fmt, gen(ch)) for _ in range(300)), fmt
    import re

    pattern = r"^run_[a-zA-Z0-9_]+$"  # the restack seed's runId pattern
    gen = pattern_generator(pattern)
    assert all(re.search(pattern, gen(ch)) for _ in range(300))


# -- write_fixtures ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml"])
def test_write_formats(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"runs.{fmt}"
    assert write_fixtures("xceptor.WorkflowRun", 25, 3, fmt, out) == 25
    text = out.read_text()
    if fmt == "json":
        loaded = json.loads(text)
    elif fmt == "jsonl":
        loaded = [json.loads(line) for line in text.splitlines()]
    else:
        loaded = list(yaml.safe_load_all(text))  # a document per fixture
    assert loaded == list(generate("xceptor.WorkflowRun", 25, 3))
    results = list(validate_records(out, schema="xceptor.WorkflowRun"))
    assert len(results) == 25 and all(r.ok for r in results)  # a record per fixture, any format
    write_fixtures("xceptor.WorkflowRun", 0, 3, fmt, out)
    assert out.read_text() == {"json": "[]\n", "jsonl": "", "yaml": ""}[fmt]


def test_write_negative_sidecars(tmp_path: Path) -> None:
    out = tmp_path / "bad.jsonl"
    write_fixtures("knock.WorkflowRecipientRun", 20, 3, "jsonl", out, valid=False)
    for line in out.read_text().splitlines():
        record = json.loads(line)
        assert set(record) == {"fixture", "violates"}
        assert set(record["violates"]) == {"kind", "keyword", "pointer"}


def test_write_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_fixtures("restack.WorkflowRunResponse", 3, 1, "jsonl", None)
    write_fixtures("restack.WorkflowRunResponse", 3, 1, "jsonl", "-")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6 and lines[:3] == lines[3:]


def test_write_bad_arguments(tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    with pytest.raises(UsageError) as info:
        write_fixtures("xceptor.WorkflowRun", -1, 1, "json", out)
    assert str(info.value) == "the number of fixtures cannot be negative (got -1)"
    with pytest.raises(UsageError) as info:
        write_fixtures("xceptor.WorkflowRun", MAX_FIXTURES + 1, 1, "json", out)
    assert str(info.value) == "at most 10,000,000 fixtures per run (got 10,000,001); split the job"
    with pytest.raises(UsageError) as info:
        write_fixtures("xceptor.WorkflowRun", 1, 1, "xml", out)
    assert str(info.value) == "unknown format 'xml'; choose one of: json, jsonl, yaml"
    with pytest.raises(UnknownObjectError, match=r"did you mean: xceptor\.WorkflowRun"):
        write_fixtures("xceptor.WorkflowRan", 1, 1, "json", out)
    with pytest.raises(UsageError, match="is a folder"):
        write_fixtures("xceptor.WorkflowRun", 1, 1, "json", tmp_path)
    with pytest.raises(InputError, match="cannot write here"):
        write_fixtures("xceptor.WorkflowRun", 1, 1, "json", tmp_path / "missing" / "x.json")
    with pytest.raises(UsageError, match="must be an integer"):
        write_fixtures("xceptor.WorkflowRun", True, 1, "json", out)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_failure_midway_leaves_no_partial_file(tmp_path: Path, monkeypatch: Any) -> None:
    import conformance.generate as fixtures

    real = fixtures.generate

    def broken(*args: Any, **kwargs: Any) -> Any:
        items = real(*args, **kwargs)
        for i, item in enumerate(items):
            if i == 5:
                raise RuntimeError("disk on fire")
            yield item

    monkeypatch.setattr(fixtures, "generate", broken)
    out = tmp_path / "runs.json"
    out.write_text("previous")
    with pytest.raises(RuntimeError):
        write_fixtures("xceptor.WorkflowRun", 100, 1, "json", out)
    assert out.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["runs.json"]


# -- backends ------------------------------------------------------------------------------


def test_unknown_backend_message() -> None:
    with pytest.raises(UsageError) as info:
        strategy("xceptor.WorkflowRun", backend="faker")
    assert str(info.value) == (
        "unknown backend 'faker'; choose one of: default, hypothesis-jsonschema, schemathesis"
    )


def test_hypothesis_jsonschema_incompatibility_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where Hypothesis lacks `many.more()` (6.170.10 and later), the backend says so by name."""
    from importlib.metadata import version

    import hypothesis
    from hypothesis.internal.conjecture import utils

    monkeypatch.delattr(utils.many, "more")
    problem = hypothesis_jsonschema_problem()

    assert problem == (
        f"backend 'hypothesis-jsonschema' cannot run with Hypothesis {hypothesis.__version__}: "
        f"hypothesis-jsonschema {version('hypothesis-jsonschema')} calls the private "
        "`many.more()` that Hypothesis removed in 6.170.10 (\"'many' object has no attribute "
        "'more'\" on every object schema); use backend='default' or 'schemathesis', "
        "or install hypothesis<6.170.10"
    )
    with pytest.raises(UsageError) as info:
        strategy("xceptor.WorkflowRun", backend="hypothesis-jsonschema")
    assert str(info.value) == problem


def test_inlined_schema_for_hypothesis_jsonschema() -> None:
    schema = inline_schema("hatchet.V1TaskSummary")
    text = json.dumps(schema)
    assert "$ref" not in text and "$id" not in text
    children = schema["properties"]["children"]
    assert children["items"] is False and children["maxItems"] == 0  # recursion cut
    canonical = inline_schema("canonical.WorkflowRun")
    assert canonical["properties"]["steps"]["items"]["required"] == ["name", "status"]


def test_openapi_document_for_schemathesis() -> None:
    doc = openapi_document("canonical.WorkflowRun")
    schemas = doc["components"]["schemas"]
    assert set(schemas) >= {"canonical_WorkflowRun", "canonical_WorkflowRun__Step"}
    doc = openapi_document("hatchet.V1WorkflowRunDetails")
    assert "hatchet_V1TaskSummary" in doc["components"]["schemas"]
    assert "$id" not in json.dumps(doc)


@pytest.mark.parametrize(
    "name", ["xceptor.WorkflowRun", "knock.WorkflowRecipientRunDetail", "hatchet.V1TaskSummaryList"]
)
def test_schemathesis_backend_is_post_processed(name: str) -> None:
    seen: list[Any] = []

    @QUICK
    @given(strategy(name, backend="schemathesis"))
    def check(instance: Any) -> None:
        seen.append(instance)
        assert sane(instance, name)

    check()
    assert seen


def test_python_310_compatible_imports() -> None:
    assert sys.version_info >= (3, 10)
    from conformance.generate import values

    assert values.sre_parse is not None


def test_same_seed_same_bytes_across_processes(tmp_path: Path) -> None:
    """Two runs (separate interpreters, different hash seeds) write identical files."""
    import os
    import subprocess

    script = (
        "import sys; from conformance.generate import write_fixtures as w; "
        "w('hatchet.V1TaskSummaryList', 200, 11, 'jsonl', sys.argv[1]); "
        "w('knock.WorkflowRecipientRunDetail', 200, 11, 'jsonl', sys.argv[2], valid=False)"
    )
    outputs = []
    for hash_seed in ("1", "2"):
        valid, invalid = tmp_path / f"v{hash_seed}.jsonl", tmp_path / f"i{hash_seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, valid, invalid], check=True, env=env)
        outputs.append((valid.read_bytes(), invalid.read_bytes()))
    assert outputs[0] == outputs[1]
