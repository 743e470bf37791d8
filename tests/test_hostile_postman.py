"""Hostile recordings for the Postman reader and the contract's own cassette (issue 13).

- item 17: a Postman collection is streamed, folder by folder and response by response: a
  saved response over the record limit (64 MiB) is one problem with its line and column,
  skipped by scanning (never built), and the responses after it are still read, with
  memory bounded by one response whatever the size of the collection;
- a contract run that cut a body over --max-body-size records the exchange with a
  "Body truncated: ..." comment and an empty body: `validate` refuses that exchange as
  `truncated-body` (as it does the HAR's), never judges its empty body, never passes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import example, on_loopback
from hostile import RSS_BOUND_MIB, RUNCONFORM, Outcome, run_child
from hostile_server import RUN as SERVED_RUN
from hostile_server import contract_of

from conformance.records import Record, read_records
from conformance.records.model import MAX_RECORD_BYTES, Limits

RUN = "xceptor.WorkflowRun"
GOOD = json.dumps(example(RUN))
TOO_LARGE = "record larger than 67,108,864 bytes"
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
URL = "{{baseUrl}}/v1/workflows/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/runs/5d2c1b0a"
OK = f"ok ({RUN}, corrected)"


def assert_sane(outcome: Outcome, code: int) -> None:
    """What every hostile case must show besides its message."""
    assert outcome.returncode == code, outcome.output[-2000:]
    assert not outcome.timed_out
    assert not outcome.traceback, outcome.output[-2000:]
    assert outcome.returncode != 70
    assert outcome.peak_rss_mib < RSS_BOUND_MIB, outcome.peak_rss_mib


# -- item 17: an oversized saved response in a Postman collection ------------------------


def _response(name: str, body: str) -> str:
    return json.dumps(
        {
            "name": name,
            "originalRequest": {"method": "GET", "header": [], "url": URL},
            "code": 200,
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": body,
        }
    )


def _item(name: str, responses: list[str]) -> str:
    request = json.dumps({"method": "GET", "url": URL})
    listed = ",\n".join(responses)
    return f'{{"name": {json.dumps(name)}, "request": {request}, "response": [\n{listed}\n]}}'


def _collection(items: list[str], folder: str | None = "Runs") -> str:
    listed = ",\n".join(items)
    if folder is not None:
        listed = f'{{"name": {json.dumps(folder)}, "item": [\n{listed}\n]}}'
    info = json.dumps({"name": "runs", "schema": SCHEMA})
    return f'{{"info": {info}, "item": [\n{listed}\n], "variable": []}}\n'


def _big_body() -> str:
    """About 70 MB: a body string over the record limit."""
    return '{"blob": "' + "x" * (MAX_RECORD_BYTES + 4 * 1024 * 1024) + '"}'


def _big_headers() -> str:
    """A response over the limit made of small objects: the shape costly to build."""
    header = '{"key": "X-Pad", "value": "]"}'
    headers = ", ".join([header] * (MAX_RECORD_BYTES // len(header) + 1))
    return '{"name": "big", "code": 200, "header": [' + headers + '], "body": "{}"}'


def _label(item: str, response: str, folder: str | None = "Runs") -> str:
    path = f"item {item!r} / response {response!r}"
    return path if folder is None else f"folder {folder!r} / {path}"


def _write(folder: Path, text: str) -> Path:
    path = folder / "pm.postman_collection.json"
    path.write_text(text, encoding="utf-8")
    return path


def _in_a_folder(big: str) -> str:
    responses = [_response("first", GOOD), big, _response("third", GOOD)]
    return _collection([_item("Get run", responses)])


def _own_items(big: str) -> str:
    items = [
        _item("Get run", [_response("first", GOOD)]),
        _item("Get big", [big]),
        _item("Get run again", [_response("third", GOOD)]),
    ]
    return _collection(items, folder=None)


# case -> (the collection around the oversized response, that response, its line, the good
# responses' labels); the oversized response starts at column 1 of its line
OVERSIZED: dict[str, tuple[Callable[[str], str], Callable[[], str], int, list[str]]] = {
    "item17-oversized-postman-response": (
        _in_a_folder,
        lambda: _response("big", _big_body()),
        5,
        [_label("Get run", "first"), _label("Get run", "third")],
    ),
    "item17-oversized-postman-response-structure": (
        _in_a_folder,
        _big_headers,
        5,
        [_label("Get run", "first"), _label("Get run", "third")],
    ),
    "item17-oversized-postman-response-own-item": (
        _own_items,
        lambda: _response("big", _big_body()),
        6,
        [_label("Get run", "first", None), _label("Get run again", "third", None)],
    ),
}


@pytest.mark.parametrize("case", sorted(OVERSIZED))
def test_an_oversized_saved_response_is_one_problem_and_the_next_ones_are_read(
    tmp_path: Path, case: str
) -> None:
    """Not the whole collection refused at line 1: one problem where that response starts."""
    around, big, line, labels = OVERSIZED[case]
    path = _write(tmp_path, around(big()))
    name = path.name
    outcome = run_child(
        [*RUNCONFORM, "validate", name, "--schema", RUN, "-v"], case=case, cwd=tmp_path
    )
    path.unlink()
    assert_sane(outcome, 4)
    first, third = labels
    assert outcome.stdout.splitlines() == [
        f"{name}:{first}: {OK}",
        f"{name}:{line}: $: error: {TOO_LARGE} (line {line}, column 1) [too-large-record]",
        f"{name}:{third}: {OK}",
        "2 records: 2 conforming, 0 not conforming; 1 unreadable input;"
        " 1 error, 0 warnings, 0 info",
    ]


# -- streaming keeps what reading the collection whole did ------------------------------


def _deep(levels: int) -> str:
    """A good request, then `levels` folders one inside the other, one a line."""
    opened = '{"name": "f", "item": [\n' * levels
    closed = "]}" * levels
    first = _item("Get run", [_response("first", GOOD)])
    return _collection([first, opened + _item("Deep", []) + closed], folder=None)


def _sorted(text: str) -> str:
    """The same collection with sorted keys: a folder's "item" before its "name"."""
    return json.dumps(json.loads(text), sort_keys=True, indent=1)


def _truncated(text: str) -> str:
    return text[: text.index('"third"')]


# case -> (the collection, what is read from it: "label: payload" or the problem)
STREAMED: dict[str, tuple[str, list[str]]] = {
    "names after their responses": (
        _sorted(_in_a_folder(_response("second", GOOD))),
        [f"{_label('Get run', n)}: ok" for n in ("first", "second", "third")],
    ),
    "folders deeper than the limit": (
        _deep(300),  # depth 513: the 256th folder, on line 4 + 256
        [
            f"{_label('Get run', 'first', None)}: ok",
            "260: nesting deeper than 512 levels (line 260, column 1)",
        ],
    ),
    "cut short": (
        _truncated(_in_a_folder(_response("second", GOOD))),
        [
            f"{_label('Get run', 'first')}: ok",
            f"{_label('Get run', 'second')}: ok",
            "6: truncated JSON: Expecting value at end of data (line 6, column 10)",
        ],
    ),
}


def _read(text: str, folder: Path) -> list[str]:
    path = _write(folder, text)
    found = []
    for item in read_records(path):
        if isinstance(item, Record):
            good = item.payload == json.loads(GOOD)
            found.append(f"{item.locator.label}: {'ok' if good else item.payload}")
        else:
            found.append(f"{item.locator.line}: {item.message}")
    return found


@pytest.mark.parametrize("case", sorted(STREAMED))
def test_a_streamed_collection_reads_as_a_whole_one_did(tmp_path: Path, case: str) -> None:
    text, expected = STREAMED[case]
    assert _read(text, tmp_path) == expected


def test_names_after_more_than_a_record_of_responses_are_not_waited_for(
    tmp_path: Path,
) -> None:
    """Memory stays bounded: past one record's worth of text, the responses waiting for
    their folder's name are handed out with what is known. (A collection that large was
    refused whole before: nothing it read is labelled differently.)"""
    text = _sorted(_in_a_folder(_response("second", GOOD)))
    path = _write(tmp_path, text)
    limits = Limits(max_record_bytes=len(GOOD) + 1024)
    labels = [item.locator.label for item in read_records(path, limits=limits)]
    assert labels == [
        _label("Get run", "first", "(unnamed)"),
        _label("Get run", "second", "(unnamed)"),
        _label("Get run", "third"),  # its folder's name was read before it had to go
    ]


# -- a body the contract run cut, read back from its cassette ------------------------------

#: What the loopback API answers: a conforming run padded to 4 KiB, over --max-body-size 1KiB.
FOUR_KIB = json.dumps({**SERVED_RUN, "input_parameters": {"pad": "x" * 4000}}).encode()
CUT = "response body larger than 1 KiB (--max-body-size); not read further"


class _FourKiB(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(FOUR_KIB)))
        self.end_headers()
        self.wfile.write(FOUR_KIB)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@pytest.fixture(scope="module")
def cut_cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cassette of a real contract run whose only response was cut at 1 KiB."""
    folder = tmp_path_factory.mktemp("cut")
    contract = folder / "api.json"
    contract.write_text(json.dumps(contract_of("big")))
    with on_loopback(_Server(("127.0.0.1", 0), _FourKiB)) as url:
        argv = [
            *RUNCONFORM,
            *("contract", "xceptor", "--base-url", url, "--contract", str(contract)),
            *(f"--expect=big={RUN}", "--rate-limit", "0", "--max-examples", "1"),
            *("--max-body-size", "1KiB", "--report", "vcr,har"),
        ]
        outcome = run_child(argv, case="item7-cut-body-contract", cwd=folder, timeout=60)
    assert outcome.returncode == 1, outcome.output[-2000:]
    assert f"  error: GET /big: {CUT}" in outcome.stdout.splitlines()
    return folder / "reports"


@pytest.mark.parametrize("suffix", ["vcr.yaml", "har"])
def test_validate_refuses_the_body_a_contract_run_cut(cut_cassette: Path, suffix: str) -> None:
    """Not a pass on an empty body: the exchange is unreadable (exit 4), a good file beside
    it is still judged."""
    name = f"contract-xceptor.{suffix}"
    (cut_cassette / "good.json").write_text(GOOD)
    outcome = run_child(
        [*RUNCONFORM, "validate", name, "good.json", "--schema", RUN, "-v"],
        case=f"item7-cut-body-validate-{suffix.partition('.')[0]}",
        cwd=cut_cassette,
    )
    assert_sane(outcome, 4)
    line = 9 if suffix == "har" else 2
    assert outcome.stdout.splitlines() == [
        f"{name}:{line}: $: error: the recorder kept only part of the body"
        f" (Body truncated: {CUT}) [truncated-body]",
        f"good.json:1: {OK}",
        "1 record: 1 conforming, 0 not conforming; 1 unreadable input; 1 error, 0 warnings, 0 info",
    ]
