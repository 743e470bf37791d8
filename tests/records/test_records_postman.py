"""Postman collections (v2.1) with saved example responses.

Built by hand to the v2.1 schema: the Postman app, which saves examples, is not on PyPI.
"""

from __future__ import annotations

import json
from pathlib import Path

from records_support import RUN, read, summary, write

from conformance.records import HttpExchange, Record, detect_format


def _response(name: str, code: int, body: str, media: str | None, url: object) -> dict:
    headers = [{"key": "Content-Type", "value": media}] if media else []
    return {
        "name": name,
        "originalRequest": {"method": "GET", "header": [], "url": url},
        "status": "OK",
        "code": code,
        "_postman_previewlanguage": "json",
        "header": headers,
        "body": body,
    }


POSTMAN = {
    "info": {
        "_postman_id": "8f7c",
        "name": "Runs API",
        "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    "item": [
        {
            "name": "Runs",
            "item": [
                {
                    "name": "List runs",
                    "request": {"method": "GET", "url": "{{baseUrl}}/runs"},
                    "response": [
                        _response(
                            "ok",
                            200,
                            json.dumps([RUN]),
                            "application/json",
                            "{{baseUrl}}/runs?limit=1",
                        ),
                        _response("outage", 503, "<h1>down</h1>", "text/html", "{{baseUrl}}/runs"),
                    ],
                },
                {
                    "name": "Get run",
                    "request": {"method": "GET", "url": "{{baseUrl}}/runs/:id"},
                    "response": [
                        _response(
                            "ok",
                            200,
                            json.dumps(RUN),
                            None,
                            {
                                "raw": "{{baseUrl}}/runs/:id",
                                "host": ["{{baseUrl}}"],
                                "path": ["runs", ":id"],
                            },
                        )
                    ],
                },
            ],
        },
        {
            "name": "Health",
            "request": {"method": "GET", "url": "https://api.test/health"},
            "response": [],
        },
    ],
}


def test_postman_collection(tmp_path: Path) -> None:
    path = write(tmp_path, "runs.postman_collection.json", json.dumps(POSTMAN, indent=2))
    assert detect_format(path) == "postman"
    items = read(path)
    assert summary(items) == [
        ("folder 'Runs' / item 'List runs' / response 'ok'", [RUN]),
        (
            "folder 'Runs' / item 'List runs' / response 'outage'",
            "not-json-body: response body is text/html, not JSON",
        ),
        ("folder 'Runs' / item 'Get run' / response 'ok'", RUN),
    ]
    exchanges = [item.exchange for item in items if isinstance(item, Record)]
    assert exchanges == [
        HttpExchange("GET", "{{baseUrl}}/runs?limit=1", "/runs", 200, "application/json"),
        HttpExchange("GET", "{{baseUrl}}/runs/:id", "/runs/:id", 200, "application/json"),
    ]
    assert str(items[0].locator) == f"{path}:folder 'Runs' / item 'List runs' / response 'ok'"
