"""Fixtures of this project: a small client for a vendor's run API.

Swap `RunsClient` for your own client; the tests only need it to take a base URL and the
headers to send (credentials for a live API, the simulator's token otherwise).
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest


class RunsClient:
    """GETs JSON from a run API: what your service's client does, reduced to one method."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url = base_url
        self.headers = headers

    def get(self, path: str) -> Any:
        request = urllib.request.Request(self.base_url + path, headers=self.headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)


@pytest.fixture
def client(run_target: Any) -> RunsClient:
    """A client for this test's vendor: the simulator, or the API of --runconform-base-url."""
    return RunsClient(run_target.url, dict(run_target.headers))
