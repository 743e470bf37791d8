"""Recordings that carry the HTTP exchange: vcrpy cassettes and HAR archives.

Real recorders write the files where one is installable: vcrpy records exchanges with a local
server, and harfile (the HAR writer Schemathesis uses) writes HAR 1.2.
"""

from __future__ import annotations

import base64
import gzip
import json
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import harfile
import pytest
import vcr
from records_support import RUN, local_server, read, summary, write

from conformance.records import HttpExchange, Limits, ReadProblem, Record, detect_format


@pytest.fixture
def server() -> Iterator[str]:
    """A local HTTP server for this test (see ``records_support.local_server``)."""
    with local_server() as base:
        yield base


def fetch(url: str) -> None:
    try:
        urllib.request.urlopen(url, timeout=10).read()
    except urllib.error.HTTPError as error:
        error.read()


# -- vcrpy ------------------------------------------------------------------------------


@pytest.mark.parametrize("serializer", ["yaml", "json"])
def test_real_vcrpy_cassette(serializer: str, server: str, tmp_path: Path) -> None:
    paths = ["/runs", "/runs/gone", "/health", "/runs/run_1/cancel"]
    if serializer == "yaml":  # vcrpy's JSON serializer cannot hold binary bodies
        paths += ["/runs/zipped", "/logo.png"]
    cassette = tmp_path / f"runs.{serializer}"
    with vcr.VCR(serializer=serializer, record_mode="all").use_cassette(str(cassette)):
        for path in paths:
            fetch(server + path)
    assert detect_format(cassette) == "vcr"
    items = read(cassette)
    expected: list[tuple[str, object]] = [
        ("interaction[0]", [RUN]),
        ("interaction[1]", {"title": "not found"}),
        ("interaction[2]", "not-json-body: response body is text/plain, not JSON"),
        # interaction[3] is a 204: nothing to validate, nothing yielded
    ]
    if serializer == "yaml":
        assert "!!binary" in cassette.read_text()  # the gzipped body was kept as bytes
        expected += [
            ("interaction[4]", RUN),
            ("interaction[5]", "binary-body: binary response body (image/png, 18 bytes)"),
        ]
    assert summary(items) == expected
    first = items[0]
    assert isinstance(first, Record)
    assert first.exchange == HttpExchange("GET", server + "/runs", "/runs", 200, "application/json")
    assert str(first.locator) == f"{cassette}:{first.locator.line}"
    assert isinstance(items[1], Record)
    assert items[1].exchange is not None
    assert items[1].exchange.content_type == "application/problem+json"
    assert items[1].exchange.status == 404


VCR_EDGE = """\
interactions:
- request:
    method: post
    uri: http://api.test/v1/runs%2Fsearch?token=secret
    body: !!python/object/new:_io.BytesIO
      state: [!!binary "e30="]
    headers: {Authorization: [Bearer secret]}
  response:
    status: {code: 201, message: Created}
    headers:
      Content-Type: [application/json]
      Content-Encoding: [deflate]
    body: {string: !!binary "DEFLATED"}
- request: {method: GET, uri: http://api.test/v1/runs}
  response:
    status: {code: 200, message: OK}
    headers: {Content-Type: [application/json]}
    body: {string: ''}
- request: {method: GET, uri: http://api.test/v1/runs}
  response:
    status: {code: 200, message: OK}
    headers: {Content-Type: [application/json], Content-Encoding: [br]}
    body: {string: !!binary "iwOAeyJhIjogMX0D"}
- request: {method: GET, uri: http://api.test/v1/runs}
  response:
    status: {code: 200, message: OK}
    headers: {Content-Type: [application/json]}
    body: {string: !!python/object/apply:os.system ['echo pwned']}
- request: {method: GET, uri: http://api.test/v1/runs}
  response:
    status: {code: 200, message: OK}
    headers: {Content-Type: [application/json]}
    body: {string: '{"a": [1, 2}'}
version: 1
"""


def test_vcr_edge_cases(tmp_path: Path) -> None:
    deflated = base64.b64encode(zlib.compress(b'{"id": "r9"}')).decode()
    path = write(tmp_path, "edge.yaml", VCR_EDGE.replace("DEFLATED", deflated))
    items = read(path)
    assert summary(items) == [
        ("interaction[0]", {"id": "r9"}),
        ("interaction[1]", "empty-body: response 200 has an empty body (application/json)"),
        (
            "interaction[2]",
            "unsupported-content-encoding: response body is br-compressed;"
            " only gzip and deflate are decoded",
        ),
        (
            "interaction[3]",
            "unsafe-yaml: refused unsafe YAML tag '!!python/object/apply:os.system'"
            " (only plain data is loaded) (line 28, column 20)",
        ),
        (
            "interaction[4]",
            "malformed-json: invalid JSON: Expecting ',' delimiter in the response body"
            " at body line 1, column 12",
        ),
    ]
    first = items[0]
    assert isinstance(first, Record)
    assert first.exchange == HttpExchange(
        "POST",
        "http://api.test/v1/runs%2Fsearch?token=secret",
        "/v1/runs/search",
        201,
        "application/json",
    )
    assert [item.locator.line for item in items] == [
        2,
        14,
        19,
        28,
        29,
    ]  # a problem points at its cause


def test_compressed_bytes_beyond_the_limit(tmp_path: Path) -> None:
    body = base64.b64encode(gzip.compress(b"[" + b"0," * 500_000 + b"0]")).decode()
    path = write(
        tmp_path,
        "bomb.yaml",
        "interactions:\n- request: {method: GET, uri: 'http://api.test/runs'}\n"
        "  response:\n    status: {code: 200}\n"
        "    headers: {Content-Type: [application/json], Content-Encoding: [gzip]}\n"
        f"    body: {{string: !!binary '{body}'}}\n",
    )
    assert summary(read(path, limits=Limits(max_record_bytes=100_000))) == [
        (
            "interaction[0]",
            "too-large-record: response body decompresses to more than 100,000 bytes",
        )
    ]


# -- HAR ------------------------------------------------------------------------------


def _har_entry(
    har: harfile.HarFile, url: str, status: int, content: harfile.Content, media: str = ""
) -> None:
    headers = [harfile.Record(name="Content-Type", value=media)] if media else []
    har.add_entry(
        startedDateTime="2024-05-01T12:00:00+00:00",
        time=1,
        request=harfile.Request(method="GET", url=url, httpVersion="HTTP/1.1"),
        response=harfile.Response(
            status=status,
            statusText="",
            httpVersion="HTTP/1.1",
            headers=headers,
            content=content,
        ),
        timings=harfile.Timings(send=0, wait=1, receive=0),
    )


def test_har_written_by_harfile(tmp_path: Path) -> None:
    path = tmp_path / "session.har"
    run = json.dumps(RUN)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"
    with harfile.open(path) as har:
        base = "http://api.test/v1"
        json_type = "application/json; charset=utf-8"
        _har_entry(har, f"{base}/runs/run_1", 200, harfile.Content(text=run), json_type)
        encoded = base64.b64encode(run.encode()).decode()
        _har_entry(
            har, f"{base}/runs/b64", 200, harfile.Content(text=encoded, encoding="base64"), ""
        )
        binary = base64.b64encode(png).decode()
        _har_entry(
            har,
            f"{base}/logo.png",
            200,
            harfile.Content(text=binary, encoding="base64", mimeType="image/png"),
        )
        _har_entry(har, f"{base}/runs", 0, harfile.Content())
        _har_entry(har, f"{base}/page", 200, harfile.Content(text="<html/>"), "text/html")
        _har_entry(har, f"{base}/runs", 200, harfile.Content(size=120), "application/json")
        _har_entry(har, f"{base}/runs/run_1", 204, harfile.Content(), "application/json")
    assert detect_format(path) == "har"
    items = read(path)
    assert summary(items) == [
        ("entries[0]", RUN),
        ("entries[1]", RUN),
        ("entries[2]", "binary-body: binary response body (image/png, 18 bytes)"),
        ("entries[3]", "no-response: no response was recorded (status 0: the request failed)"),
        ("entries[4]", "not-json-body: response body is text/html, not JSON"),
        (
            "entries[5]",
            "missing-body: the response body was not saved"
            " (content.size is 120, content.text is missing)",
        ),
    ]
    first = items[0]
    assert isinstance(first, Record)
    assert first.exchange == HttpExchange(
        "GET",
        "http://api.test/v1/runs/run_1",
        "/v1/runs/run_1",
        200,
        "application/json",
        started="2024-05-01T12:00:00+00:00",  # the entry's startedDateTime: time order
    )
    assert str(first.locator) == f"{path}:13"


def test_har_truncated_mid_entry(tmp_path: Path) -> None:
    entry = {
        "request": {"method": "GET", "url": "http://api.test/runs"},
        "response": {"status": 200, "content": {"mimeType": "application/json", "text": "[]"}},
    }
    text = json.dumps({"log": {"version": "1.2", "entries": [entry, entry]}}, indent=1)
    path = write(tmp_path, "cut.har", text[: text.rindex("[]")])
    assert summary(read(path)) == [
        ("entries[0]", []),
        (
            "entries[1]",
            "malformed-json: truncated JSON: unterminated string (line 27, column 15)",
        ),
    ]


def test_json_without_entries_is_not_a_har(tmp_path: Path) -> None:
    path = write(tmp_path, "log.json", '{"log": {"version": "1.2"}}')
    [item] = read(path)
    assert isinstance(item, ReadProblem)
    assert (str(item), item.kind) == (
        f"{path}: no log.entries list (not a HAR file?)",
        "not-a-cassette",
    )
