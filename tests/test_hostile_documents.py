"""Hostile documents (issue 13, items 3, 4, 8 and 14): contracts, mappings, errata and YAML
recordings that try to make runconform fetch, read, allocate or recurse without bound.

Every case runs `runconform` in a child process (`hostile.run_child`: wall-time bound,
address-space cap, peak RSS) and asserts the exit code, the exact message, no traceback,
no internal error and a peak RSS under the bound. A bad `--contract` must be refused before
anything is sent: the base URL is a live loopback server that must see no request, or
127.0.0.1:9, where nothing listens (the refusal must not be "cannot reach").
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import example, on_loopback
from hostile import RSS_BOUND_MIB, RUNCONFORM, Outcome, run_child

from conformance.bundle.resources import contracts_dir
from conformance.records import Limits, Record, read_records

RUN = "xceptor.WorkflowRun"
NOWHERE = "http://127.0.0.1:9"
RUNS = "/paths/~1my~1runs/get/responses/200/content/application~1json/schema"
NEVER = (
    "runconform never fetches or reads referenced documents; copy what it references into "
    "this contract and point at it with a local '#/...' reference"
)
#: 378 bytes that expand to 9^9 nodes: the issue's 753-byte alias bomb, shorter names.
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
BOMB_REFUSED = "YAML aliases expand to more than 100,000 extra nodes (alias bomb?)"


def contract(schema: Any = None, **document: Any) -> dict[str, Any]:
    """A one-operation OpenAPI 3.1 document whose 200 body has `schema`."""
    media = {"schema": {"type": "object"} if schema is None else schema}
    operation = {
        "operationId": "myRun",
        "responses": {"200": {"description": "a run", "content": {"application/json": media}}},
    }
    base = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}
    return {**base, "paths": {"/my/runs": {"get": operation}}, **document}


class Seen:
    """A loopback server that answers every GET with a JSON schema and counts requests."""

    def __init__(self) -> None:
        self.requests: list[str] = []


@contextmanager
def counting_server() -> Iterator[tuple[str, Seen]]:
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.requests.append(self.path)
            body = json.dumps({"type": "object"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with on_loopback(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        yield url, seen


def contract_args(path: Path, base_url: str) -> list[str]:
    args = ["contract", "xceptor", "--contract", str(path), "--base-url", base_url]
    return [*args, "--expect", f"myRun={RUN}", "--max-examples", "2", "--max-time", "30"]


def run_contract(path: Path, base_url: str, case: str) -> Outcome:
    argv = [*RUNCONFORM, *contract_args(path, base_url)]
    return run_child(argv, case=case, cwd=path.parent, timeout=60)


def assert_refused(outcome: Outcome, code: int, message: str) -> None:
    assert not outcome.timed_out, outcome
    assert not outcome.traceback, outcome.output
    assert outcome.returncode != 70, outcome.output
    assert (outcome.returncode, outcome.stdout, outcome.stderr) == (code, "", message + "\n")
    assert outcome.peak_rss_mib < RSS_BOUND_MIB


# -- item 3: a reference in --contract is never fetched, and no file outside it is read --


@contextmanager
def watched_fifo(path: Path) -> Iterator[list[bool]]:
    """A FIFO at `path`; the list holds True once anything opened it to read."""
    os.mkfifo(path)
    opened: list[bool] = []

    def writer() -> None:
        with open(path, "wb") as fh:  # returns only once a reader opens the FIFO
            opened.append(True)
            fh.write(json.dumps({"type": "object"}).encode())

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        yield opened
    finally:
        if thread.is_alive():  # release the writer: open the read end ourselves
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            thread.join(timeout=10)
            os.close(fd)


BOTH = pytest.mark.parametrize("live", [True, False], ids=["live-base-url", "unreachable-base-url"])


@BOTH
def test_a_remote_reference_is_refused_and_never_fetched(tmp_path: Path, live: bool) -> None:
    with counting_server() as (remote, elsewhere), counting_server() as (api, base):
        path = tmp_path / "remote.json"
        ref = f"{remote}/schemas/run.json"
        path.write_text(json.dumps(contract({"$ref": ref})))
        outcome = run_contract(path, api if live else NOWHERE, "item3-remote-ref")
    message = f"runconform: error: {path}#{RUNS}/$ref: external $ref {ref!r}: {NEVER}"
    assert_refused(outcome, 3, message)
    assert (elsewhere.requests, base.requests) == ([], [])


@BOTH
def test_a_file_reference_is_refused_and_never_read(tmp_path: Path, live: bool) -> None:
    folder = tmp_path / "contract"
    folder.mkdir()
    secret = tmp_path / "secret.json"  # outside the contract's folder, as /etc/passwd is
    path = folder / "api.json"
    path.write_text(json.dumps(contract({"$ref": secret.as_uri()})))
    with watched_fifo(secret) as opened, counting_server() as (api, base):
        outcome = run_contract(path, api if live else NOWHERE, "item3-file-url-ref")
        read = list(opened)
    message = f"runconform: error: {path}#{RUNS}/$ref: external $ref {secret.as_uri()!r}: {NEVER}"
    assert_refused(outcome, 3, message)
    assert (read, base.requests) == ([], [])


@pytest.mark.parametrize(
    ("keyword", "ref"),
    [
        ("$ref", "../secret.json"),
        ("$ref", "/etc/passwd"),
        ("$dynamicRef", "{remote}/meta.json"),
        ("$recursiveRef", "{remote}/meta.json"),
    ],
)
def test_every_kind_of_external_reference_is_refused(
    tmp_path: Path, run_cli, keyword: str, ref: str
) -> None:
    """In-process (the child-process cases above prove the same path): no request, exit 3."""
    with counting_server() as (remote, elsewhere), counting_server() as (api, base):
        ref = ref.format(remote=remote)
        path = tmp_path / "api.json"
        path.write_text(json.dumps(contract({keyword: ref})))
        result = run_cli(*contract_args(path, api))
    message = f"runconform: error: {path}#{RUNS}/{keyword}: external {keyword} {ref!r}: {NEVER}\n"
    assert result == (3, "", message)
    assert (elsewhere.requests, base.requests) == ([], [])


# -- item 14: a misshapen --contract is exit 3 with its pointer, before the run --------

DEEP = 100_000
OPERATION = contract()["paths"]["/my/runs"]["get"]
#: case -> (file name, content, message after "runconform: error: FILE"): the issue's cases.
MISSHAPEN: dict[str, tuple[str, str, str]] = {
    "deep-json": (
        "deep.json",
        '{"paths": ' + "[" * DEEP + "]" * DEEP + "}",
        ": nesting deeper than 128 levels (line 1, column 138)",
    ),
    "deep-yaml": (
        "deep.yaml",
        "paths:\n  x: " + "[" * DEEP + "]" * DEEP + "\n",
        ": nesting deeper than 128 levels (line 2, column 132)",
    ),
    "paths-5": (
        "paths.json",
        json.dumps({**contract(), "paths": 5}),
        "#/paths: must be an object (the Paths Object), not an integer",
    ),
    "get-5": (
        "get.json",
        json.dumps({**contract(), "paths": {"/my/runs": {"get": 5}}}),
        "#/paths/~1my~1runs/get: must be an object (an Operation Object), not an integer",
    ),
    "schema-5": (
        "schema.json",
        json.dumps(contract(5)),
        f"#{RUNS}: invalid Schema Object: 5 is not of type 'object', 'boolean'",
    ),
}
#: More of the same shape check, run in-process.
MORE_MISSHAPEN: dict[str, tuple[str, str, str]] = {
    "deep-block-yaml": (
        "block.yaml",
        "paths:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200)),
        ": nesting deeper than 128 levels (line 129, column 257)",
    ),
    "schema-bad-type": (
        "type.json",
        json.dumps(contract({"type": "objectx"})),
        f"#{RUNS}/type: invalid Schema Object: 'objectx' is not valid under any of the given "
        "schemas",
    ),
    "schema-properties-5": (
        "properties.json",
        json.dumps(contract({"type": "object", "properties": 5})),
        f"#{RUNS}/properties: invalid Schema Object: 5 is not of type 'object'",
    ),
    "schema-3.0-boolean": (
        "boolean.json",
        json.dumps({**contract(True), "openapi": "3.0.3"}),
        f"#{RUNS}: invalid Schema Object: True is not of type 'object'",
    ),
    "ref-to-nothing": (
        "nothing.json",
        json.dumps(contract({"$ref": "#/components/schemas/Run"})),
        f"#{RUNS}/$ref: $ref '#/components/schemas/Run' points to nothing in this contract",
    ),
    "ref-to-a-string": (
        "string.json",
        json.dumps(contract({"$ref": "#/info/title"})),
        f"#{RUNS}/$ref: $ref '#/info/title' points to a string",
    ),
    "operation-id-5": (
        "id.json",
        json.dumps({**contract(), "paths": {"/my/runs": {"get": {**OPERATION, "operationId": 5}}}}),
        "#/paths/~1my~1runs/get/operationId: must be a string (an operation id), not an integer",
    ),
    "responses-list": (
        "responses.json",
        json.dumps({**contract(), "paths": {"/my/runs": {"get": {**OPERATION, "responses": []}}}}),
        "#/paths/~1my~1runs/get/responses: must be an object (the Responses Object), not an array",
    ),
    "parameters-5": (
        "parameters.json",
        json.dumps({**contract(), "paths": {"/my/runs": {"get": OPERATION, "parameters": 5}}}),
        "#/paths/~1my~1runs/parameters: must be an array (a list of Parameter Objects), not an "
        "integer",
    ),
    "component-5": (
        "component.json",
        json.dumps({**contract(), "components": {"responses": {"Run": 5}}}),
        "#/components/responses/Run: must be an object (a component of responses), not an integer",
    ),
}


@BOTH
@pytest.mark.parametrize("case", list(MISSHAPEN))
def test_a_misshapen_contract_is_refused_before_the_run(
    tmp_path: Path, case: str, live: bool
) -> None:
    name, content, message = MISSHAPEN[case]
    path = tmp_path / name
    path.write_text(content)
    with counting_server() as (api, base):
        outcome = run_contract(path, api if live else NOWHERE, f"item14-{case}")
    assert_refused(outcome, 3, f"runconform: error: {path}{message}")
    assert base.requests == []


@pytest.mark.parametrize("case", list(MORE_MISSHAPEN))
def test_more_misshapen_contracts_are_refused_before_the_run(
    tmp_path: Path, run_cli, case: str
) -> None:
    name, content, message = MORE_MISSHAPEN[case]
    path = tmp_path / name
    path.write_text(content)
    with counting_server() as (api, base):
        result = run_cli(*contract_args(path, api))
    assert result == (3, "", f"runconform: error: {path}{message}\n")
    assert base.requests == []


def test_a_contract_that_passes_the_checks_still_runs(tmp_path: Path, run_cli) -> None:
    """The checks refuse what is wrong, not what is unusual: local refs, a boolean schema."""
    document = contract(
        {"$ref": "#/components/schemas/Run"},
        components={"schemas": {"Run": {"type": "object", "properties": {"x": True}}}},
    )
    path = tmp_path / "fine.yaml"
    path.write_text(json.dumps(document))
    with counting_server() as (api, base):
        code, out, err = run_cli(*contract_args(path, api))
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == "GET /my/runs: FAILED (1 call, statuses [200])"
    assert base.requests == ["/my/runs"]


# -- item 4: every YAML the tool reads goes through the safe loader ---------------------


def test_an_alias_bomb_contract_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text("openapi: 3.1.0\npaths: {}\n" + ALIAS_BOMB)
    with counting_server() as (api, base):
        outcome = run_contract(path, api, "item4-alias-bomb-contract")
    assert_refused(outcome, 3, f"runconform: error: {path}: {BOMB_REFUSED} (line 8, column 8)")
    assert base.requests == []


def test_an_alias_bomb_mapping_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "mappings"
    shutil.copytree(contracts_dir() / "mappings", folder)
    (folder / "knock.yaml").write_text(ALIAS_BOMB)
    argv = [*RUNCONFORM, "mappings", "check", "--dir", str(folder)]
    outcome = run_child(argv, case="item4-alias-bomb-mapping", cwd=tmp_path, timeout=60)
    where = folder / "knock.yaml"
    assert_refused(outcome, 3, f"runconform: error: {where}: {BOMB_REFUSED} (line 6, column 8)")


@pytest.mark.parametrize("name", ["knock/errata.yaml", "knock/manifest.yaml"])
def test_an_alias_bomb_in_the_contracts_tree_is_refused(tmp_path: Path, name: str) -> None:
    tree = tmp_path / "contracts"
    shutil.copytree(contracts_dir(), tree)
    (tree / name).write_text(ALIAS_BOMB)
    argv = [
        *RUNCONFORM,
        "schemas",
        "build",
        "--contracts",
        str(tree),
        "--out",
        str(tmp_path / "out"),
    ]
    outcome = run_child(argv, case=f"item4-alias-bomb-{name}", cwd=tmp_path, timeout=60)
    assert_refused(outcome, 3, f"runconform: error: {name}: {BOMB_REFUSED} (line 6, column 8)")
    assert not (tmp_path / "out").exists()


# -- item 8: a YAML recording is bounded as it is read ----------------------------------


def test_an_80_mb_flat_yaml_list_is_refused_as_it_is_read(tmp_path: Path) -> None:
    good = json.dumps(example(RUN))
    item = b"- 1234567\n"
    count = 80 * 1024 * 1024 // len(item)
    with open(tmp_path / "flat.yaml", "wb") as fh:
        fh.write(f"{good}\n---\n".encode())
        fh.write(item * count)
        fh.write(f"---\n{good}\n".encode())
    (tmp_path / "good.json").write_text(good)
    argv = [*RUNCONFORM, "validate", "flat.yaml", "good.json", "--schema", RUN, "-v"]
    outcome = run_child(argv, case="item8-80mb-flat-yaml-list", cwd=tmp_path, timeout=120)
    assert not outcome.timed_out
    assert not outcome.traceback, outcome.output
    assert outcome.returncode == 4, outcome.output
    assert outcome.peak_rss_mib < RSS_BOUND_MIB
    assert outcome.stderr == ""
    last = count + 4  # the document after the list starts on this line
    assert outcome.stdout.splitlines() == [
        f"flat.yaml:1: ok ({RUN}, corrected)",
        f"flat.yaml:{262_144 + 2}: $: error: record with more than 262,144 YAML nodes (one per "
        f"256 bytes of the 67,108,864-byte record limit) (line {262_144 + 2}, column 3) "
        "[too-large-record]",
        f"flat.yaml:{last}: ok ({RUN}, corrected)",
        f"good.json:1: ok ({RUN}, corrected)",
        "3 records: 3 conforming, 0 not conforming; 1 unreadable input; 1 error, 0 warnings, "
        "0 info",
    ]


# The skip past an oversized document, in-process with a small record limit (1,024 bytes:
# four nodes): the next ---/... line is found whatever comes before it, and the documents
# after it keep their own line numbers.
SMALL = Limits(max_record_bytes=1024)
FOUR = "record with more than 4 YAML nodes (one per 256 bytes of the 1,024-byte record limit)"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            "a: é\n---\n[1, 2, 3, 4, 5, 6]\n---\nb: 2\n",
            [(1, {"a": "é"}), (3, f"{FOUR} (line 3, column 11)"), (5, {"b": 2})],
            id="flow-then-next-document",
        ),
        pytest.param(
            "- 1\n- 2\n- 3\n- 4\n- 5\n- 6\n...\n# after the end\n---\nb: [é]\n",
            [(4, f"{FOUR} (line 4, column 3)"), (10, {"b": ["é"]})],
            id="document-end-marker",
        ),
        pytest.param(
            "\ufeffk: ééééé\n---\n- 1\r\n- 2\r\n- 3\r\n- 4\r\n- 5\r\n--- \r\nb: 2\r\n",
            [(1, {"k": "ééééé"}), (6, f"{FOUR} (line 6, column 3)"), (9, {"b": 2})],
            id="bom-multibyte-crlf",
        ),
        pytest.param(
            "a: 1\n---\n- 1\n- 2\n- 3\n- 4\n- 5\n- '--- not a marker'\n",
            [(1, {"a": 1}), (6, f"{FOUR} (line 6, column 3)")],
            id="oversized-last-document",
        ),
        pytest.param(
            "s: '" + "x" * 1100 + "'\n---\nb: 2\n",
            [(1, "record larger than 1,024 bytes (line 1, column 4)"), (3, {"b": 2})],
            id="bytes-over-the-limit",
        ),
    ],
)
def test_an_oversized_yaml_document_is_skipped_to_the_next_one(
    tmp_path: Path, content: str, expected: list[tuple[int, object]]
) -> None:
    path = tmp_path / "docs.yaml"
    path.write_bytes(content.encode())
    shown = [
        (item.locator.line, item.payload if isinstance(item, Record) else item.message)
        for item in read_records(path, limits=SMALL)
    ]
    assert shown == expected
