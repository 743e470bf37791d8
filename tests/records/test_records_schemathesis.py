"""Schemathesis cassettes (``--report vcr``), written by a real ``schemathesis run``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from records_support import RUN, local_server, read, summary, write

from conformance.records import HttpExchange, Record, detect_format


@pytest.fixture
def server() -> Iterator[str]:
    """A local HTTP server with an OpenAPI document (see ``records_support.local_server``)."""
    with local_server() as base:
        yield base


SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _schemathesis(server: str, out: Path, *extra: str) -> tuple[Path, Path]:
    if not SCHEMATHESIS.exists():
        pytest.skip("schemathesis is not installed next to this Python")
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{server}/openapi.json",
        "--phases=fuzzing",
        "--max-examples=1",
        "--seed=1",
        "--checks=not_a_server_error",
        "--report=vcr,har",
        f"--report-dir={out}",
        *extra,
    ]
    done = subprocess.run(command, cwd=out.parent, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return next(out.glob("vcr-*.yaml")), next(out.glob("har-*.json"))


@pytest.mark.parametrize("preserve_bytes", [False, True], ids=["text", "base64"])
def test_real_schemathesis_reports(preserve_bytes: bool, server: str, tmp_path: Path) -> None:
    extra = ["--report-preserve-bytes"] if preserve_bytes else []
    cassette, har = _schemathesis(server, tmp_path / "reports", *extra)
    assert (detect_format(cassette), detect_format(har)) == ("schemathesis", "har")
    for path in (cassette, har):
        items = read(path)
        found = set()
        for item in items:
            if isinstance(item, Record):
                assert item.exchange is not None
                found.add((item.exchange.method, item.exchange.path, json.dumps(item.payload)))
            else:
                found.add((item.kind, item.message))
        assert found == {
            ("GET", "/runs", json.dumps([RUN])),
            ("not-json-body", "response body is text/plain, not JSON"),
        }, path.name


SCHEMATHESIS_EDGE = """\
command: 'st run http://api.test/openapi.json'
recorded_with: 'Schemathesis 4.32.5'
seed: 1
http_interactions:
- id: 'a'
  status: 'ERROR'
  recorded_at: '2024-05-01T12:00:00+00:00'
  request:
    uri: 'http://api.test/runs'
    method: 'GET'
    headers:
      "Authorization":
      - "[Filtered]"
  response: null
- id: 'b'
  status: 'SUCCESS'
  recorded_at: '2024-05-01T12:00:00+00:00'
  request:
    uri: 'http://api.test/runs/r%201'
    method: 'GET'
    headers: {}
  response:
    status:
      code: '200'
      message: "OK"
    elapsed: '0.01'
    headers:
      "content-type":
      - "application/json"
    body:
      encoding: 'utf-8'
      string: "{\\"id\\": \\"r 1\\"}"
    http_version: '1.1'
- id: 'c'
  status: 'SUCCESS'
  recorded_at: '2024-05-01T12:00:00+00:00'
  request:
    uri: 'http://api.test/runs'
    method: 'GET'
    headers: {}
  response:
    status:
      code: '200'
      message: "OK"
    elapsed: '0.01'
    headers:
      "content-type":
      - "application/json"
    body:
      encoding: 'utf-8'
      string: "[{\\"id\\": 1}, {\\"id\\""
    truncated_from: 40960
    http_version: '1.1'
"""


def test_schemathesis_edge_cases(tmp_path: Path) -> None:
    path = write(tmp_path, "st.yaml", SCHEMATHESIS_EDGE)
    items = read(path)
    assert summary(items) == [
        ("interaction[0]", "no-response: no response was recorded (the request failed)"),
        ("interaction[1]", {"id": "r 1"}),
        (
            "interaction[2]",
            "truncated-body: the recorder kept only 17 of 40960 bytes of the response body",
        ),
    ]
    assert [str(item.locator) for item in items] == [f"{path}:{line}" for line in (5, 15, 34)]
    record = items[1]
    assert isinstance(record, Record)
    assert record.exchange == HttpExchange(
        "GET", "http://api.test/runs/r%201", "/runs/r 1", 200, "application/json"
    )
