"""Helpers for the recording-reader tests: files written for real, read back, a local server.

Plain functions, not conftest fixtures: a ``conftest.py`` here would shadow the top-level one
that other test modules import as ``conftest``.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from conformance.records import ReadProblem, Record, read_records


def write(root: Path, name: str, content: str | bytes) -> Path:
    """Write ``content`` to ``root / name`` (bytes as-is, text as UTF-8)."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def read(source: object, **options: object) -> list[Record | ReadProblem]:
    """Everything ``read_records`` yields for a source, as a list."""
    return list(read_records(source, **options))  # type: ignore[arg-type]


def summary(items: list[Record | ReadProblem]) -> list[tuple[str, object]]:
    """(label, payload or "kind: message") per item."""
    return [
        (item.locator.label, item.payload)
        if isinstance(item, Record)
        else (item.locator.label, f"{item.kind}: {item.message}")
        for item in items
    ]


RUN = {"id": "run_1", "status": "succeeded", "attempt": 2**70}


class _Handler(BaseHTTPRequestHandler):
    """Canned responses for the recorder tests, keyed by path."""

    routes: ClassVar[dict[str, tuple[int, str, bytes, dict[str, str]]]] = {
        "/runs": (200, "application/json; charset=utf-8", json.dumps([RUN]).encode(), {}),
        "/runs/run_1": (200, "application/json", json.dumps(RUN).encode(), {}),
        "/runs/gone": (404, "application/problem+json", b'{"title": "not found"}', {}),
        "/health": (200, "text/plain", b"ok", {}),
        "/runs/run_1/cancel": (204, "application/json", b"", {}),
        "/runs/zipped": (
            200,
            "application/json",
            gzip.compress(json.dumps(RUN).encode()),
            {"Content-Encoding": "gzip"},
        ),
        "/logo.png": (200, "image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", {}),
    }
    spec: bytes = b"{}"

    def do_GET(self) -> None:
        if self.path == "/openapi.json":
            status, media, body, extra = 200, "application/json", self.spec, {}
        else:
            route = self.routes.get(self.path.split("?")[0])
            status, media, body, extra = route or (404, "application/json", b"{}", {})
        self.send_response(status)
        self.send_header("Content-Type", media)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""


@contextmanager
def local_server() -> Iterator[str]:
    """Base URL of a local HTTP server on 127.0.0.1 (an OS-chosen port), also serving an
    OpenAPI document that describes it; stopped on exit."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    _Handler.spec = json.dumps(_openapi(base)).encode()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield base
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _openapi(base: str) -> dict[str, object]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "runs", "version": "1"},
        "servers": [{"url": base}],
        "paths": {
            "/runs": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"type": "array"}}},
                        }
                    }
                }
            },
            "/health": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
    }
