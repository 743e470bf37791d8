"""Issue 14 item 7: the contract HAR keeps what each request sent (`postData`), scrubbed.

A real `runconform contract --allow-writes --report har,vcr` child runs against the
bundled simulator on 127.0.0.1; the simulator notes every body it was handed. The HAR is
then read back with the json module and its `postData` checked against the independent
`harfile` model: each POST body the simulator received is in the HAR, as the JSON it was,
the cassette of the same run says the same, and a credential given with `--header` is in
neither.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile import RSS_BOUND_MIB, RUNCONFORM, run_child

from conformance.simulator import Simulator, start

TOKEN = "sk_live_PLANTED_har_bodies_5e4d3c2b"
TENANT_KEY = "tenant-PLANTED-7a6b5c4d"


def recording_posts(sim: Simulator) -> list[bytes]:
    """Make `sim` keep every POST body it dispatches; the list fills as requests arrive."""
    received: list[bytes] = []
    dispatch = sim.dispatch

    def noting(method: str, target: str, body: bytes, base_url: str) -> Any:
        if method == "POST":
            received.append(body)
        return dispatch(method, target, body, base_url)

    sim.dispatch = noting  # type: ignore[method-assign]
    return received


def post_entries(har: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["request"] for e in har["log"]["entries"] if e["request"]["method"] == "POST"]


@pytest.mark.parametrize(
    ("vendor", "operation", "param"),
    [
        ("xceptor", "executeWorkflow", "workflowId"),
        ("restack", "scheduleWorkflow", "workflowName"),
    ],
)
def test_har_post_data_is_the_body_the_server_received(
    tmp_path: Path, vendor: str, operation: str, param: str
) -> None:
    reports = tmp_path / "reports"
    with start(vendor, seed=1, token=TOKEN) as sim:
        received = recording_posts(sim)
        known = sim.known_path_parameters()
        outcome = run_child(
            [
                *RUNCONFORM,
                *("contract", vendor, "--base-url", sim.url, "--allow-writes"),
                *("--operation", operation, "--path-param", f"{param}={known[param]}"),
                *("--rate-limit", "0", "--max-examples", "3", "--max-time", "60"),
                *("--header", f"Authorization: Bearer {TOKEN}"),
                *("--header", f"X-Tenant-Key: {TENANT_KEY}"),
                *("--report", "har,vcr", "--report-dir", str(reports)),
            ],
            case=f"item7-har-post-data-{vendor}",
            cwd=tmp_path,
            timeout=120,
        )
    assert outcome.returncode == 0, outcome.output
    assert not outcome.traceback
    assert outcome.peak_rss_mib < RSS_BOUND_MIB
    har_text = (reports / f"contract-{vendor}.har").read_text(encoding="utf-8")
    vcr_text = (reports / f"contract-{vendor}.vcr.yaml").read_text(encoding="utf-8")
    for secret in (TOKEN, TENANT_KEY):
        assert secret not in har_text + vcr_text + outcome.output

    posts = post_entries(json.loads(har_text))
    assert posts and received
    for request in posts:
        post_data = request["postData"]
        assert set(post_data) == {"mimeType", "text"}
        assert post_data["mimeType"] == "application/json"
        assert request["bodySize"] == len(post_data["text"].encode("utf-8"))
    sent = [json.loads(request["postData"]["text"]) for request in posts]
    for body in received:  # every body that reached the server is in the HAR, as sent
        assert json.loads(body) in sent

    cassette = yaml.safe_load(vcr_text)
    recorded = [
        i["request"]["body"] for i in cassette["interactions"] if i["request"]["method"] == "POST"
    ]
    assert recorded == [request["postData"]["text"] for request in posts]


def test_har_post_data_reads_as_harfile_post_data(tmp_path: Path) -> None:
    """The `postData` object is one the independent `harfile` model accepts and writes back."""
    harfile = pytest.importorskip("harfile")
    reports = tmp_path / "reports"
    with start("xceptor", seed=1, token=TOKEN) as sim:
        known = sim.known_path_parameters()
        outcome = run_child(
            [
                *RUNCONFORM,
                *("contract", "xceptor", "--base-url", sim.url, "--allow-writes"),
                *("--operation", "executeWorkflow"),
                *("--path-param", f"workflowId={known['workflowId']}"),
                *("--rate-limit", "0", "--max-examples", "1", "--max-time", "60"),
                *("--header", f"Authorization: Bearer {TOKEN}"),
                *("--report", "har", "--report-dir", str(reports)),
            ],
            case="item7-har-post-data-harfile",
            cwd=tmp_path,
            timeout=120,
        )
    assert outcome.returncode == 0, outcome.output
    posts = post_entries(json.loads((reports / "contract-xceptor.har").read_text()))
    assert posts
    for request in posts:
        model = harfile.PostData(**request["postData"])
        assert model.asdict() == request["postData"]
        assert isinstance(json.loads(model.text), dict)
