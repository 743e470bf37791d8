"""`runconform coverage`: what recordings exercised of the vendor contracts, and what not.

Two corpora. A small one written here (a HAR written by runconform's own HAR writer, the
one `contract --report har` uses), whose numbers are worked out by hand below as literal
sets. And the bundled recordings (`contracts/recordings/`), whose numbers the test works
out itself from the files, read with plain `json` and `yaml`: the methods, paths and
statuses recorded, the status values and fields in the bodies, against the declarations
read from the vendors' OpenAPI documents and the bundled schema files.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from conformance.bundle.resources import contracts_dir, schemas_dir
from conformance.contract.recordings import Exchange, write_har
from conformance.lifecycle.coverage import CoverageReport, coverage_of
from conformance.lifecycle.coverage_kinds import KIND_NAMES
from conformance.lifecycle.coverage_model import shown_percent

Cli = Callable[..., tuple[int, str, str]]
RECORDINGS = contracts_dir() / "recordings"
KNOCK = "https://api.knock.app/v1/workflow_recipient_runs"
LIST = "GET /v1/workflow_recipient_runs (listWorkflowRecipientRuns)"
GET = "GET /v1/workflow_recipient_runs/{id} (getWorkflowRecipientRun)"

# -- the small corpus: three Knock exchanges, numbers by hand -------------------------------------

RUN_A = {
    "id": "4a3c9bd0-5d1e-4d0e-9a8e-000000000001",
    "status": "queued",
    "workflow": "comment-created",
    "inserted_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:01Z",
    "actor": None,
    "surprise": 1,  # not in the schema
}
RUN_B = {**{k: v for k, v in RUN_A.items() if k != "surprise"}, "status": "completed"}


def _exchange(url: str, status: int, body: object) -> Exchange:
    return Exchange(
        "op",
        "GET",
        url,
        (),
        None,
        status,
        "",
        (("Content-Type", "application/json"),),
        json.dumps(body),
        1.0,
        "2026-01-01T00:00:00.000Z",
    )


#: The list's query: two of its declared parameters (`status[]` twice, `recipient` in the
#: deepObject style Knock's erratum declares) and one it does not declare.
LIST_QUERY = (
    "page_size=2&status%5B%5D=queued&status%5B%5D=completed&recipient%5Bid%5D=u1&colour=red"
)


def knock_har(path: Path) -> Path:
    """A list of two runs (200), a missing run (404, declared), a server error (500, not)."""
    exchanges = (
        _exchange(
            f"{KNOCK}?{LIST_QUERY}", 200, {"items": [RUN_A, RUN_B], "page_info": {"page_size": 2}}
        ),
        _exchange(f"{KNOCK}/missing", 404, {"code": "not_found", "message": "no such run"}),
        _exchange(f"{KNOCK}/{RUN_A['id']}", 500, {"message": "boom"}),
    )
    with path.open("w", encoding="utf-8") as out:
        write_har(exchanges, out)
    return path


#: Knock declares 2 operations; 3 responses (list 200; get 200 and 404); one status enum of
#: 5 values; 12 fields of a run and 13 of a run's details (its 12 and `events`).
EXPECTED: dict[str, dict[str, Any]] = {
    "operations": {"declared": 2, "seen": {LIST, GET}, "undeclared": set()},
    "responses": {
        "declared": 3,
        "seen": {
            "GET /v1/workflow_recipient_runs -> 200",
            "GET /v1/workflow_recipient_runs/{id} -> 404",
        },
        "undeclared": {"GET /v1/workflow_recipient_runs/{id} -> 500"},
    },
    "statuses": {
        "declared": 5,
        "seen": {"WorkflowRecipientRun.status queued", "WorkflowRecipientRun.status completed"},
        "undeclared": set(),
    },
    "fields": {
        "declared": 25,
        "seen": {
            f"WorkflowRecipientRun.{f}"
            for f in ("id", "status", "workflow", "inserted_at", "updated_at")
        },
        "undeclared": {"WorkflowRecipientRun.surprise"},
    },
    # Knock's lifecycle has 7 direct transitions; run A is listed queued, then (the same
    # id, later in the page) completed: a change that skips processing, no direct one
    "transitions": {
        "declared": 7,
        "seen": set(),
        "undeclared": {"WorkflowRecipientRun queued -> completed"},
    },
    # the list declares 10 query parameters (after, before, page_size, workflow, status[],
    # tenant, has_errors, recipient, starting_at, ending_at), get-one none
    "parameters": {
        "declared": 10,
        "seen": {
            "GET /v1/workflow_recipient_runs?page_size",
            "GET /v1/workflow_recipient_runs?status[]",
            "GET /v1/workflow_recipient_runs?recipient",
        },
        "undeclared": {"GET /v1/workflow_recipient_runs?colour"},
    },
}

SMALL_TABLE = """\
vendor  kind         seen/declared  covered  undeclared
knock   operations             2/2  100.0 %           0
knock   responses              2/3   66.6 %           1
knock   statuses               2/5   40.0 %           0
knock   fields                5/25   20.0 %           1
knock   transitions            0/7    0.0 %           1
knock   parameters            3/10   30.0 %           1
"""


def test_the_small_corpus_has_the_numbers_worked_out_by_hand(tmp_path: Path) -> None:
    report = coverage_of(knock_har(tmp_path / "knock.har"))
    assert report.vendors == ("knock",)
    assert (report.records, report.unattributed, report.problems) == (3, 0, ())
    for name, want in EXPECTED.items():
        kind = report.kind("knock", name)
        assert len(kind.declared) == want["declared"], name
        assert set(kind.seen) == want["seen"], name
        assert set(kind.undeclared) == want["undeclared"], name
        assert kind.percent == Fraction(100 * len(want["seen"]), want["declared"]), name
    assert report.kind("knock", "responses").unseen == (
        "GET /v1/workflow_recipient_runs/{id} -> 200",
    )
    fields = report.kind("knock", "fields")
    assert fields.notes == (("only ever null", ("WorkflowRecipientRun.actor",)),)
    assert (
        fields.never("WorkflowRecipientRun.actor")
        == "WorkflowRecipientRun.actor was only ever null"
    )


def test_the_text_output_is_the_table_then_what_was_never_exercised(
    run_cli: Cli, tmp_path: Path
) -> None:
    har = knock_har(tmp_path / "knock.har")
    code, out, err = run_cli("coverage", str(har))
    assert (code, err) == (0, "")
    assert out.startswith(SMALL_TABLE)
    lines = out.splitlines()
    assert "knock operations: ok (knock)" in lines
    assert (
        "knock responses: info: GET /v1/workflow_recipient_runs/{id} -> 200 was never recorded "
        "[responses]"
    ) in lines
    assert (
        "knock responses: info: GET /v1/workflow_recipient_runs/{id} -> 500 was seen but is "
        "not declared [responses]"
    ) in lines
    assert (
        "knock statuses: info: WorkflowRecipientRun.status paused was never seen [statuses]"
        in lines
    )
    assert "knock fields: info: WorkflowRecipientRun.actor was only ever null [fields]" in lines
    assert (
        "knock fields: info: WorkflowRecipientRunDetail.events was never present [fields]" in lines
    )
    assert (
        "knock parameters: info: GET /v1/workflow_recipient_runs?after was never sent [parameters]"
        in lines
    )
    assert (
        "knock parameters: info: GET /v1/workflow_recipient_runs?colour was seen but is not "
        "declared [parameters]"
    ) in lines
    assert lines[-1] == "coverage of knock: 3 records read, 3 counted; 0 unreadable inputs"
    code, quiet, _ = run_cli("coverage", "-q", str(har))
    assert quiet == SMALL_TABLE + lines[-1] + "\n"


def test_shown_percent_rounds_down_to_a_tenth() -> None:
    assert shown_percent(Fraction(200, 3)) == "66.6 %"
    assert shown_percent(Fraction(9999, 100)) == "99.9 %"  # never 100 % when one is missing
    assert shown_percent(Fraction(100)) == "100.0 %"
    assert shown_percent(Fraction(0)) == "0.0 %"
    assert shown_percent(None) == "n/a"


# -- --min-coverage --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gate", "code"),
    [
        ("statuses=40", 0),  # exactly at the line
        ("statuses=40.1", 1),
        ("responses=66.6", 0),  # 2 of 3 is 66.66...: above 66.6
        ("responses=66.7", 1),  # and below 66.7, though both show as 66.6 %
        ("operations=100", 0),
        ("fields=0", 0),
    ],
)
def test_min_coverage_fails_below_the_line_and_passes_at_it(
    run_cli: Cli, tmp_path: Path, gate: str, code: int
) -> None:
    got, out, _ = run_cli(
        "coverage", "-q", str(knock_har(tmp_path / "k.har")), "--min-coverage", gate
    )
    assert got == code, out
    assert out.splitlines()[-1].endswith(
        f"; {code} kind{'' if code == 1 else 's'} below --min-coverage"
    )


def test_a_kind_below_its_gate_says_by_how_much(run_cli: Cli, tmp_path: Path) -> None:
    har = str(knock_har(tmp_path / "k.har"))
    code, out, _ = run_cli(
        "coverage", "-q", har, "--min-coverage", "statuses=50", "--min-coverage", "fields=20"
    )
    assert code == 1
    assert out.splitlines() == [
        *SMALL_TABLE.splitlines()[:3],
        "knock   statuses               2/5   40.0 %           0  below --min-coverage",
        *SMALL_TABLE.splitlines()[4:],
        "knock statuses: error: 2 of 5 statuses covered (40.0 %), below --min-coverage "
        "statuses=50 [min-coverage]",
        "coverage of knock: 3 records read, 3 counted; 0 unreadable inputs; "
        "1 kind below --min-coverage",
    ]
    code, out, _ = run_cli(
        "coverage", har, "--output-format", "junit", "--min-coverage", "statuses=50"
    )
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("6", "1")


KNOWN = (
    "expected KIND=PERCENT, KIND one of operations, responses, statuses, fields, transitions, "
    "parameters, PERCENT from 0 to 100"
)


@pytest.mark.parametrize(
    ("gate", "why"),
    [
        ("ops=50", "unknown kind 'ops'"),
        ("operations=150", "'150' is not a percent from 0 to 100"),
        ("operations=abc", "'abc' is not a percent from 0 to 100"),
        ("operations=-1", "'-1' is not a percent from 0 to 100"),
        ("operations=nan", "'nan' is not a percent from 0 to 100"),
        ("operations", "expected KIND=PERCENT"),
    ],
)
def test_a_bad_gate_is_one_line_naming_the_kinds(
    run_cli: Cli, tmp_path: Path, gate: str, why: str
) -> None:
    code, out, err = run_cli("coverage", str(knock_har(tmp_path / "k.har")), "--min-coverage", gate)
    assert (code, out) == (2, "")
    assert err == f"runconform: error: --min-coverage {gate}: {why}; {KNOWN}\n"
    assert KIND_NAMES == (
        "operations",
        "responses",
        "statuses",
        "fields",
        "transitions",
        "parameters",
    )


# -- inputs: unreadable, nothing counted, standard input ---------------------------------------------


def test_an_unreadable_input_exits_4_and_the_others_are_still_reported(
    run_cli: Cli, tmp_path: Path
) -> None:
    har = knock_har(tmp_path / "k.har")
    missing = tmp_path / "missing.har"
    code, out, _ = run_cli("coverage", "-q", str(missing), str(har))
    assert code == 4
    assert out.splitlines() == [
        *SMALL_TABLE.splitlines(),
        f"{missing}: $: error: cannot read: No such file or directory [unreadable]",
        "coverage of knock: 3 records read, 3 counted; 1 unreadable input",
    ]


def test_records_of_no_known_vendor_are_nothing_checked(run_cli: Cli, tmp_path: Path) -> None:
    bare = tmp_path / "runs.jsonl"
    bare.write_text('{"id": 1}\n{"id": 2}\n', encoding="utf-8")
    code, out, err = run_cli("coverage", str(bare))
    assert (code, err) == (2, "")
    assert out == (
        "coverage of no vendor: 2 records read, 0 counted; 2 records of no known vendor, not "
        "counted (give --schema or --identify); 0 unreadable inputs; nothing checked: no record "
        "was counted\n"
    )


def test_standard_input_is_read_as_a_file(tmp_path: Path) -> None:
    har = knock_har(tmp_path / "k.har")
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "coverage", "-q", "-"],
        input=har.read_bytes(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith(SMALL_TABLE)


def test_a_schema_names_the_object_of_bare_records(run_cli: Cli, tmp_path: Path) -> None:
    bare = tmp_path / "runs.jsonl"
    bare.write_text(json.dumps(RUN_A) + "\n", encoding="utf-8")
    code, out, _ = run_cli("coverage", "-q", str(bare), "--schema", "knock.WorkflowRecipientRun")
    assert code == 0
    assert "knock   statuses               1/5   20.0 %           0" in out.splitlines()
    assert "knock   operations             0/2    0.0 %           0" in out.splitlines()


# -- every writer -----------------------------------------------------------------------------------


def test_every_format_carries_the_same_numbers(run_cli: Cli, tmp_path: Path) -> None:
    har = str(knock_har(tmp_path / "k.har"))
    code, out, _ = run_cli("coverage", har, "--output-format", "json")
    assert code == 0
    document = json.loads(out)
    details = {r["details"]["kind"]: r["details"] for r in document["results"]}
    for name, want in EXPECTED.items():
        assert (details[name]["declared"], details[name]["seen"]) == (
            want["declared"],
            len(want["seen"]),
        )
        assert set(details[name]["undeclared"]) == want["undeclared"]
    assert details["responses"]["percent"] == 66.6
    assert details["fields"]["only_ever_null"] == ["WorkflowRecipientRun.actor"]
    assert document["summary"]["counted"] == 3

    _, page, _ = run_cli(
        "coverage", har, "--output-format", "html", "--min-coverage", "statuses=50"
    )
    rows = re.findall(r'<tr class="row-failed" data-vendor="knock" data-kind="(\w+)"', page)
    assert rows == ["statuses"]
    assert 'data-kind="fields" data-seen="5" data-declared="25" data-percent="20.0 %"' in page
    assert "<li>WorkflowRecipientRun.status paused was never seen</li>" in page
    assert "<script" not in page

    _, markdown, _ = run_cli("coverage", har, "--output-format", "markdown")
    assert "| knock | responses | 2/3 | 66.6 % | 1 |  |" in markdown.splitlines()

    _, sarif, _ = run_cli("coverage", har, "--output-format", "sarif")
    results = json.loads(sarif)["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {f"coverage/{k}" for k in KIND_NAMES} - {
        "coverage/operations"
    }


# -- the bundled recordings, worked out from the files ----------------------------------------------


def _bodies(vendor: str) -> Iterator[tuple[str | None, str | None, int | None, str, Any]]:
    """(method, URL, status, file name, body) of every recording of `vendor`."""
    for path in sorted((RECORDINGS / vendor).iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".har":
            for entry in json.loads(text)["log"]["entries"]:
                request, response = entry["request"], entry["response"]
                body = json.loads(response["content"]["text"])
                yield request["method"], request["url"], response["status"], path.name, body
        elif path.name.endswith(".cassette.yaml"):
            for i in yaml.safe_load(text)["interactions"]:
                request, response = i["request"], i["response"]
                body = json.loads(response["body"]["string"])
                yield (
                    request["method"],
                    request["uri"],
                    response["status"]["code"],
                    path.name,
                    body,
                )
        elif path.name.endswith(".postman_collection.json"):
            yield from _postman(json.loads(text)["item"], path.name)
        elif path.suffix == ".jsonl":
            for line in text.splitlines():
                yield None, None, None, path.name, json.loads(line)
        else:
            for document in yaml.safe_load_all(text):
                yield None, None, None, path.name, document


def _postman(items: list[Any], name: str) -> Iterator[tuple[str, str, int, str, Any]]:
    for item in items:
        yield from _postman(item.get("item", []), name)
        for response in item.get("response", []):
            url = response["originalRequest"]["url"]
            raw = url if isinstance(url, str) else url["raw"]
            yield (
                response["originalRequest"]["method"],
                raw,
                response["code"],
                name,
                json.loads(response["body"]),
            )


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[1].split("?")[0]


#: The path templates the recordings call, as patterns (the test's own routing, by hand).
TEMPLATES = {
    "hatchet": {
        r"/api/v1/stable/tenants/[^/]+/workflow-runs": "/api/v1/stable/tenants/{tenant}/workflow-runs",
        r"/api/v1/stable/workflow-runs/[^/]+": "/api/v1/stable/workflow-runs/{v1-workflow-run}",
        r"/api/v1/stable/workflow-runs/[^/]+/status": "/api/v1/stable/workflow-runs/{v1-workflow-run}/status",
    },
    "knock": {
        r"/v1/workflow_recipient_runs": "/v1/workflow_recipient_runs",
        r"/v1/workflow_recipient_runs/[^/]+": "/v1/workflow_recipient_runs/{id}",
    },
    "paragon": {
        r"/projects/[^/]+/task-history/workflow-executions": "/projects/{projectId}/task-history/workflow-executions",
    },
}


def _template(vendor: str, path: str) -> str:
    found = [t for pattern, t in TEMPLATES[vendor].items() if re.fullmatch(pattern, path)]
    assert len(found) == 1, (vendor, path)
    return found[0]


def _declared_responses(vendor: str) -> dict[str, list[str]]:
    """`METHOD /template` -> its declared status keys, from the vendor's OpenAPI documents
    and the operation errata that add a response."""
    declared: dict[str, list[str]] = {}
    for source in yaml.safe_load((contracts_dir() / vendor / "manifest.yaml").read_text())[
        "sources"
    ]:
        if source.get("kind") != "openapi":
            continue
        document = yaml.safe_load((contracts_dir() / vendor / source["file"]).read_text())
        for template, item in document["paths"].items():
            for method, operation in item.items():
                if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
                    declared[f"{method.upper()} {template}"] = list(operation["responses"])
    errata = yaml.safe_load((contracts_dir() / vendor / "errata.yaml").read_text()) or {}
    for erratum in errata.get("operation_errata", []):  # documented additions (knock's 404)
        for op in erratum["patch"]:
            if op["op"] == "add" and op["path"].startswith("/responses/"):
                declared[erratum["operation"]].append(op["path"].rpartition("/")[2])
    return declared


def _declared_query(vendor: str) -> dict[str, list[str]]:
    """`METHOD /template` -> the names of its query parameters (the path item's and its
    own), from the vendor's OpenAPI documents read with plain `yaml`."""
    declared: dict[str, list[str]] = {}
    manifest = yaml.safe_load((contracts_dir() / vendor / "manifest.yaml").read_text())
    for source in manifest["sources"]:
        if source.get("kind") != "openapi":
            continue
        document = yaml.safe_load((contracts_dir() / vendor / source["file"]).read_text())
        named = document.get("components", {}).get("parameters", {})
        for template, item in document["paths"].items():
            for method, operation in item.items():
                if method not in ("get", "put", "post", "delete", "patch"):
                    continue
                listed = item.get("parameters", []) + operation.get("parameters", [])
                resolved = [
                    named[p["$ref"].rpartition("/")[2]] if "$ref" in p else p for p in listed
                ]
                names = [p["name"] for p in resolved if p["in"] == "query"]
                declared[f"{method.upper()} {template}"] = list(dict.fromkeys(names))
    return declared


#: vendor -> (file or None) -> where the run objects are in a body: (pointer-ish path, object)
def _run_objects(vendor: str, name: str, body: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The run objects of a body and their schema, found by the test's own reading."""
    if vendor == "hatchet":
        if isinstance(body, str):
            return
        tasks = body.get("rows") if "rows" in body else body.get("tasks", [])
        if "run" in body:
            yield "V1WorkflowRun", body["run"]
        stack = list(tasks)
        while stack:
            task = stack.pop()
            yield "V1TaskSummary", task
            stack += task.get("children") or []
    elif vendor == "knock":
        if "items" in body:
            yield from (("WorkflowRecipientRun", run) for run in body["items"])
        else:
            yield "WorkflowRecipientRunDetail", body
    elif vendor == "paragon":
        yield from (("WorkflowExecution", run) for run in body["workflowExecutions"])
    elif vendor == "restack":
        yield ("AgentRunStatus" if name.startswith("agent") else "WorkflowRunStatus"), body
    else:
        yield "WorkflowRun", body
        yield from (("StepResult", step) for step in body.get("step_results") or [])


def _schema_properties(vendor: str, name: str) -> list[str]:
    schema = json.loads((schemas_dir() / vendor / f"{name}.json").read_text())
    if "properties" in schema:
        return list(schema["properties"])
    found: list[str] = []
    for branch in schema["allOf"]:
        if "$ref" in branch:
            found += _schema_properties(vendor, branch["$ref"].removesuffix(".json"))
        found += list(branch.get("properties", {}))
    return found


#: How each vendor's statuses are grouped: by the shared status schema, else per object.
STATUS_LABEL = {
    ("hatchet", "V1WorkflowRun"): "V1TaskStatus",
    ("hatchet", "V1TaskSummary"): "V1TaskStatus",
    ("knock", "WorkflowRecipientRun"): "WorkflowRecipientRun.status",
    ("knock", "WorkflowRecipientRunDetail"): "WorkflowRecipientRun.status",
}


@pytest.fixture(scope="module")
def bundled() -> CoverageReport:
    return coverage_of(sorted(RECORDINGS.glob("*/*")), identify=True)


@pytest.mark.parametrize("vendor", sorted(TEMPLATES))
def test_operations_and_responses_of_the_bundled_recordings(
    bundled: CoverageReport, vendor: str
) -> None:
    declared = _declared_responses(vendor)
    calls = {
        (f"{method} {_template(vendor, _path(url))}", status)
        for method, url, status, _, _ in _bodies(vendor)
        if method is not None
    }
    operations = bundled.kind(vendor, "operations")
    assert len(operations.declared) == len(declared)
    assert {item.rpartition(" (")[0] for item in operations.seen} == {op for op, _ in calls}
    responses = bundled.kind(vendor, "responses")
    assert len(responses.declared) == sum(len(keys) for keys in declared.values())
    assert set(responses.seen) == {f"{op} -> {status}" for op, status in calls}
    assert responses.undeclared == ()


@pytest.mark.parametrize("vendor", sorted(TEMPLATES))
def test_parameters_of_the_bundled_recordings(bundled: CoverageReport, vendor: str) -> None:
    """Each query name of each recorded URL, against its operation's declared parameters
    (a bracketed `recipient[id]` is `recipient`'s deepObject form)."""
    declared = _declared_query(vendor)
    sent: set[str] = set()
    for method, url, _, _, _ in _bodies(vendor):
        if method is None:
            continue
        op = f"{method} {_template(vendor, _path(url))}"
        for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            base = name if name in declared[op] else name.split("[")[0]
            assert base in declared[op], (op, name)  # the bundled recordings send no other
            sent.add(f"{op}?{base}")
    parameters = bundled.kind(vendor, "parameters")
    assert len(parameters.declared) == sum(len(names) for names in declared.values())
    assert set(parameters.seen) == sent
    assert parameters.undeclared == ()


@pytest.mark.parametrize("vendor", ["hatchet", "knock", "paragon", "restack", "xceptor"])
def test_statuses_and_fields_of_the_bundled_recordings(
    bundled: CoverageReport, vendor: str
) -> None:
    statuses: set[str] = set()
    present: set[str] = set()
    for _, _, _, name, body in _bodies(vendor):
        if isinstance(body, str):  # Hatchet's get-status: a bare status
            statuses.add(f"V1TaskStatus {body}")
        for obj, run in _run_objects(vendor, name, body):
            label = STATUS_LABEL.get((vendor, obj), f"{obj}.status")
            statuses.add(f"{label} {run['status']}")
            fields = set(_schema_properties(vendor, obj))
            present |= {f"{obj}.{k}" for k, v in run.items() if v is not None and k in fields}
    assert set(bundled.kind(vendor, "statuses").seen) == statuses
    assert set(bundled.kind(vendor, "fields").seen) == present
    assert bundled.kind(vendor, "statuses").undeclared == ()


def test_bodies_alone_cannot_say_which_operation_answered(bundled: CoverageReport) -> None:
    for vendor in ("restack", "xceptor"):
        operations = bundled.kind(vendor, "operations")
        assert (len(operations.seen), operations.message) == (
            0,
            "no recorded HTTP exchange: bodies alone do not say which operation answered",
        )


def test_without_identify_bare_records_are_of_no_vendor(run_cli: Cli) -> None:
    files = [str(p) for p in sorted(RECORDINGS.glob("*/*"))]
    code, out, _ = run_cli("coverage", "-q", *files)
    assert code == 0
    assert out.splitlines()[-1] == (
        "coverage of hatchet, knock, paragon: 59 records read, 18 counted; 41 records of no "
        "known vendor, not counted (give --schema or --identify); 0 unreadable inputs"
    )


def test_a_transition_is_seen_between_two_observations_of_one_run(
    run_cli: Cli, tmp_path: Path
) -> None:
    """Run A listed queued, then fetched processing: Knock's queued -> processing is seen
    (1 of 7), and a --min-coverage on transitions judges it."""
    exchanges = (
        _exchange(KNOCK, 200, {"items": [RUN_A], "page_info": {"page_size": 1}}),
        _exchange(f"{KNOCK}/{RUN_A['id']}", 200, {**RUN_A, "status": "processing"}),
    )
    har = tmp_path / "knock.har"
    with har.open("w", encoding="utf-8") as out:
        write_har(exchanges, out)
    kind = coverage_of(har).kind("knock", "transitions")
    assert (kind.seen, kind.undeclared) == (("WorkflowRecipientRun queued -> processing",), ())
    assert kind.percent == Fraction(100, 7)
    code, out, _ = run_cli("coverage", "-q", str(har), "--min-coverage", "transitions=15")
    assert code == 1
    assert (
        "knock transitions: error: 1 of 7 transitions covered (14.2 %), below --min-coverage "
        "transitions=15 [min-coverage]"
    ) in out.splitlines()
    assert run_cli("coverage", "-q", str(har), "--min-coverage", "transitions=14")[0] == 0


def test_check_reports_carry_the_coverage_of_the_recordings(tmp_path: Path) -> None:
    """`check`'s JSON, Markdown and HTML reports show the same numbers `coverage` gives."""
    from conformance.check import CheckOptions, run_check
    from conformance.lifecycle.coverage_cases import details
    from conformance.report.files import write_reports

    har = knock_har(tmp_path / "knock.har")
    report = run_check(CheckOptions(paths=(har,), vendors=("knock",), fixtures=5, max_examples=3))
    expected = [details(kind) for kind in coverage_of(har, vendor="knock", identify=True).kinds]
    assert [dict(case.details or {}) for case in report.coverage] == expected
    write_reports(report, tmp_path / "out")
    out = tmp_path / "out"
    assert json.loads((out / "runconform-check.json").read_text())["coverage"] == expected
    markdown = (out / "runconform-check.md").read_text()
    assert "| knock | responses | 2/3 | 66.6 % | 1 |  |" in markdown
    html = (out / "runconform-check.html").read_text()
    assert 'data-kind="transitions"' in html and '<a href="#coverage">Coverage</a>' in html


# -- a defect: a declared query parameter never sent -------------------------------------------------


def test_a_declared_parameter_never_sent_is_unseen(run_cli: Cli, tmp_path: Path) -> None:
    """The small corpus without `page_size` in the list's query: that parameter turns
    unseen, named in the text output, and the kind drops from 3 to 2 of 10."""
    exchanges = (
        _exchange(
            f"{KNOCK}?{LIST_QUERY.replace('page_size=2&', '')}",
            200,
            {"items": [RUN_A, RUN_B], "page_info": {"page_size": 2}},
        ),
    )
    har = tmp_path / "knock.har"
    with har.open("w", encoding="utf-8") as out:
        write_har(exchanges, out)
    kind = coverage_of(har).kind("knock", "parameters")
    assert set(kind.seen) == EXPECTED["parameters"]["seen"] - {
        "GET /v1/workflow_recipient_runs?page_size"
    }
    assert "GET /v1/workflow_recipient_runs?page_size" in kind.unseen
    code, out, _ = run_cli("coverage", str(har), "--min-coverage", "parameters=30")
    assert code == 1
    lines = out.splitlines()
    assert "knock   parameters            2/10   20.0 %           1  below --min-coverage" in lines
    assert (
        "knock parameters: info: GET /v1/workflow_recipient_runs?page_size was never sent "
        "[parameters]"
    ) in lines


# -- a contract run's own coverage, against the Knock simulator on 127.0.0.1 ---------------------------

SIM_TOKEN = "coverage-t0k3n"


def _contract(run_cli: Cli, tmp_path: Path, *more: str) -> tuple[int, str, dict[str, Any]]:
    """`runconform contract knock` against its simulator, few examples, unthrottled, with
    JSON, HAR and text reports: (exit code, stdout, the HAR as plain JSON)."""
    from conformance.simulator import start

    with start("knock", seed=1, token=SIM_TOKEN) as sim:
        known = sim.known_path_parameters()
        code, out, _ = run_cli(
            "contract",
            "knock",
            "--base-url",
            sim.url,
            "--rate-limit",
            "0",
            "--max-examples",
            "3",
            "--header",
            f"Authorization: Bearer {SIM_TOKEN}",
            "--path-param",
            f"id={known['id']}",
            "--report",
            "json,har,text",
            "--report-dir",
            str(tmp_path),
            *more,
        )
    return code, out, json.loads((tmp_path / "contract-knock.har").read_text())


def _what_the_har_shows(har: dict[str, Any]) -> dict[str, set[str]]:
    """Per kind, what the run's own HAR shows was exercised, read with plain `json` and
    the test's own routing, run objects and declarations."""
    responses = _declared_responses("knock")
    query = _declared_query("knock")
    seen: dict[str, set[str]] = {k: set() for k in ("operations", "responses", "parameters")}
    seen |= {"statuses": set(), "fields": set()}
    for entry in har["log"]["entries"]:
        request, response = entry["request"], entry["response"]
        op = f"{request['method']} {_template('knock', _path(request['url']))}"
        seen["operations"].add(op)
        if str(response["status"]) in responses[op]:
            seen["responses"].add(f"{op} -> {response['status']}")
        for name, _ in parse_qsl(urlsplit(request["url"]).query, keep_blank_values=True):
            base = name if name in query[op] else name.split("[")[0]
            if base in query[op]:
                seen["parameters"].add(f"{op}?{base}")
        if response["status"] != 200:
            continue
        body = json.loads(response["content"]["text"])
        for obj, run in _run_objects("knock", "", body):
            seen["statuses"].add(f"WorkflowRecipientRun.status {run['status']}")
            fields = set(_schema_properties("knock", obj))
            seen["fields"] |= {
                f"{obj}.{k}" for k, v in run.items() if v is not None and k in fields
            }
    return seen


def test_a_contract_run_reports_what_it_exercised(run_cli: Cli, tmp_path: Path) -> None:
    """The JSON report's coverage section says what the run's own HAR shows; stdout and
    the text report carry the table after the operations, before the summary."""
    code, out, har = _contract(run_cli, tmp_path)
    assert code == 0, out
    document = json.loads((tmp_path / "contract-knock.json").read_text())
    coverage = {kind["kind"]: kind for kind in document["coverage"]}
    assert [kind["kind"] for kind in document["coverage"]] == list(KIND_NAMES)
    shown = _what_the_har_shows(har)
    declared = {
        "operations": len(_declared_responses("knock")),
        "responses": sum(len(keys) for keys in _declared_responses("knock").values()),
        "statuses": 5,  # queued, processing, paused, completed, cancelled
        "fields": 25,
        "parameters": sum(len(names) for names in _declared_query("knock").values()),
    }
    for name, count in declared.items():
        kind = coverage[name]
        assert (kind["vendor"], kind["declared"], kind["seen"]) == (
            "knock",
            count,
            len(shown[name]),
        )
        assert kind["percent"] == int(1000 * len(shown[name]) / count) / 10
    assert {f"{op}?{p}" for op, names in _declared_query("knock").items() for p in names} - shown[
        "parameters"
    ] == set(coverage["parameters"]["unseen"])
    assert coverage["operations"]["unseen"] == []

    # the numbers `runconform coverage` gives of the same HAR
    from conformance.lifecycle.coverage_cases import details

    again = coverage_of(tmp_path / "contract-knock.har", vendor="knock")
    assert [details(kind) for kind in again.kinds] == document["coverage"]

    lines = out.splitlines()
    head = lines.index("vendor  kind         seen/declared  covered  undeclared")
    assert all(": ok (" in line for line in lines[:head])  # each operation first
    assert [line.split()[:2] for line in lines[head + 1 : head + 7]] == [
        ["knock", name] for name in KIND_NAMES
    ]
    assert lines[head + 7].startswith("2 operations tested, 0 failures, 0 untested")
    ratio = f"{coverage['parameters']['seen']}/{coverage['parameters']['declared']}"
    assert re.fullmatch(rf"knock   parameters\s+{ratio}\s+[\d.]+ %\s+0", lines[head + 6])
    text = (tmp_path / "contract-knock.txt").read_text().splitlines()
    assert text[-8:] == lines[head:]


def test_an_operation_a_contract_run_never_called_is_unseen(run_cli: Cli, tmp_path: Path) -> None:
    """`--operation` leaves the list out: it is never called, and none of its ten query
    parameters is sent."""
    code, _, har = _contract(run_cli, tmp_path, "--operation", "getWorkflowRecipientRun")
    assert code == 0
    called = {_template("knock", _path(e["request"]["url"])) for e in har["log"]["entries"]}
    assert called == {"/v1/workflow_recipient_runs/{id}"}
    coverage = {
        kind["kind"]: kind
        for kind in json.loads((tmp_path / "contract-knock.json").read_text())["coverage"]
    }
    assert coverage["operations"]["unseen"] == [LIST]
    assert (coverage["parameters"]["seen"], coverage["parameters"]["percent"]) == (0, 0.0)
    assert coverage["parameters"]["unseen"] == [
        f"GET /v1/workflow_recipient_runs?{name}"
        for name in _declared_query("knock")["GET /v1/workflow_recipient_runs"]
    ]


def test_a_run_of_your_own_contract_has_no_coverage_section(run_cli: Cli, tmp_path: Path) -> None:
    """With --contract the bundled contract is not what was called: nothing to count against."""
    own = contracts_dir() / "knock" / "workflow-recipient-runs-api.openapi.yml"
    _, out, har = _contract(run_cli, tmp_path, "--contract", str(own), "--allow-untested")
    assert har["log"]["entries"]  # the run did call the API
    assert "seen/declared" not in out
    assert "coverage" not in json.loads((tmp_path / "contract-knock.json").read_text())
    assert "seen/declared" not in (tmp_path / "contract-knock.txt").read_text()
