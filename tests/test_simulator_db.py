"""--db: the simulator's runs outlive a restart, in a SQLite file a person can read."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path

from conformance.simulator import start


def _post(url: str) -> dict:
    request = urllib.request.Request(
        url, data=b'{"parameters": {}}', method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_runs_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sim.sqlite"
    with start("xceptor", seed=3, runs=5, db=db, speed=0) as sim:
        workflow = sim.known_path_parameters()["workflowId"]
        created = _post(f"{sim.url}/workflows/{workflow}/runs")
        before = _get(f"{sim.url}/workflows/{workflow}/runs?page_size=100")
    with start("xceptor", seed=99, runs=50, db=db, speed=0) as again:  # seed/runs ignored now
        after = _get(f"{again.url}/workflows/{workflow}/runs?page_size=100")
        fetched = _get(f"{again.url}/workflows/{workflow}/runs/{created['id']}")
    assert [r["id"] for r in after["data"]] == [r["id"] for r in before["data"]]
    assert fetched["id"] == created["id"]
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute("select count(*) from runs").fetchone()
    assert count == 6
