"""Numbers no float holds (1e400, 400 or 5,000 digits): judged or refused, record by record.

Python turns JSON's 1e400 into infinity (then validated as "null" and written back as the
non-JSON `Infinity`), refuses integers of more than 4,300 digits with a ValueError, and
overflows when a 400-digit integer meets a float. Each case here crashed a reader or a rule,
ended a file early, or gave a wrong verdict.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import example
from test_examples import mutate

from conformance.bundle.run_profiles import load_profiles
from conformance.records import ReadProblem, Record, read_records
from conformance.records.documents import LineBlock, decode_block
from conformance.records.model import DEFAULT_LIMITS
from conformance.validation.semantics import _check, _screen, check_invariants

HUGE = "1" + "0" * 400  # fits no float
TOO_LONG = "1" * 5000  # beyond Python's int-from-text limit (4,300 digits)
INF_MESSAGE = "invalid JSON: number 1e400 is too large for a double"
LONG_MESSAGE = "invalid JSON: integer with more than 4,300 digits"


def _interaction(status: str, body: str) -> str:
    return (
        '{"request": {"method": "GET", "uri": "http://api.test/runs/1"},\n'
        f' "response": {{"status": {{"code": {status}}},'
        ' "headers": {"Content-Type": ["application/json"]},\n'
        f' "body": {{"string": {json.dumps(body)}}}}}}}'
    )


def _vcr_yaml(status: str, body: str) -> str:
    return (
        "- request: {method: GET, uri: 'http://api.test/runs/1'}\n"
        f"  response:\n    status: {{code: {status}}}\n"
        "    headers: {Content-Type: [application/json]}\n"
        f"    body: {{string: '{body}'}}\n"
    )


def _har_entry(status: str, body: str) -> str:
    return (
        '{"request": {"method": "GET", "url": "http://api.test/runs/1"},\n'
        f' "response": {{"status": {status}, "content": {{"mimeType": "application/json",'
        f' "text": {json.dumps(body)}}}}}}}'
    )


def _postman(*bodies: str) -> str:
    responses = [
        {
            "name": f"r{n}",
            "originalRequest": {"method": "GET", "url": "{{base}}/runs/1"},
            "code": 200,
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": body,
        }
        for n, body in enumerate(bodies)
    ]
    item = {"name": "Get run", "request": {"method": "GET", "url": "{{base}}/runs/1"}}
    schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    return json.dumps(
        {"info": {"name": "Runs", "schema": schema}, "item": [{**item, "response": responses}]}
    )


# file name, content, what is read: "line: payload" or "line: kind: message" per item
CASES: dict[str, tuple[str, str, list[str]]] = {
    "json array": (
        "runs.json",
        f'[{{"n": 1}},\n {{"n": 1e400}},\n {{"n": NaN}},\n {{"n": {TOO_LONG}}},\n {{"n": 2}}]',
        [
            "1: {'n': 1}",
            f"2: malformed-json: {INF_MESSAGE} (line 2, column 2)",
            "3: malformed-json: invalid JSON: NaN is not a JSON value (line 3, column 2)",
            f"4: malformed-json: {LONG_MESSAGE} (line 4, column 2)",
            "5: {'n': 2}",
        ],
    ),
    "json document": (
        "run.json",
        '{"n": -1e400}',
        [
            "1: malformed-json: invalid JSON: number -1e400 is too large for a double (line 1, column 1)"
        ],
    ),
    "jsonl": (
        "runs.jsonl",
        f'{{"n": 1}}\n{{"n": 1e400}}\n{{"free": [{"9" * 400}.5]}}\n{{"n": {TOO_LONG}}}\n{{"n": 2}}\n',
        [
            "1: {'n': 1}",
            f"2: malformed-json: {INF_MESSAGE}",
            "3: malformed-json: invalid JSON: number 99999999999999999999...99999999.5"
            " is too large for a double",
            f"4: malformed-json: {LONG_MESSAGE}",
            "5: {'n': 2}",
        ],
    ),
    "yaml": (
        "runs.yaml",
        f"n: 1\n---\nn: {TOO_LONG}\n---\nn: 2\n",
        [
            "1: {'n': 1}",
            "3: malformed-yaml: invalid YAML: integer with more than 4,300 digits (line 3, column 4)",
            "5: {'n': 2}",
        ],
    ),
    "vcr json cassette": (
        "cassette.json",
        '{"interactions": [\n'
        + ",\n".join(
            [
                _interaction("200", '{"n": 1}'),
                _interaction("1e400", '{"n": 2}'),
                _interaction("200", '{"n": 1e400}'),
                _interaction("200", '{"n": 3}'),
            ]
        )
        + "\n]}",
        [
            "2: {'n': 1}",
            f"5: malformed-json: {INF_MESSAGE} (line 5, column 1)",
            f"8: malformed-json: {INF_MESSAGE} in the response body",
            "11: {'n': 3}",
        ],
    ),
    "vcr yaml cassette": (
        "cassette.yaml",
        "interactions:\n"
        + _vcr_yaml("200", '{"n": 1}')
        + _vcr_yaml(".inf", '{"n": 2}')
        + _vcr_yaml(TOO_LONG, '{"n": 3}')
        + _vcr_yaml("200", '{"n": 1e400}')
        + _vcr_yaml("200", '{"n": 4}'),
        [
            "2: {'n': 1}",
            "7: not-json-value: response status: the number inf has no JSON equivalent",
            "14: malformed-yaml: invalid YAML: integer with more than 4,300 digits"
            " (line 14, column 20)",
            f"17: malformed-json: {INF_MESSAGE} in the response body",
            "22: {'n': 4}",
        ],
    ),
    "har": (
        "session.har",
        '{"log": {"version": "1.2", "entries": [\n'
        + ",\n".join(
            [
                _har_entry("200", '{"n": 1}'),
                _har_entry("1e400", '{"n": 2}'),
                _har_entry("200", '{"n": 1e400}'),
                _har_entry("200", '{"n": 3}'),
            ]
        )
        + "\n]}}",
        [
            "2: {'n': 1}",
            f"4: malformed-json: {INF_MESSAGE} (line 4, column 1)",
            f"6: malformed-json: {INF_MESSAGE} in the response body",
            "8: {'n': 3}",
        ],
    ),
    "postman": (
        "runs.postman_collection.json",
        _postman('{"n": 1}', '{"n": 1e400}', '{"n": 2}'),
        [
            "None: {'n': 1}",
            f"None: malformed-json: {INF_MESSAGE} in the response body",
            "None: {'n': 2}",
        ],
    ),
}


def _summary(items: list[Record | ReadProblem]) -> list[str]:
    return [
        f"{item.locator.line}: {item.payload}"
        if isinstance(item, Record)
        else f"{item.locator.line}: {item.kind}: {item.message}"
        for item in items
    ]


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_bad_number_is_one_read_problem_and_the_rest_is_read(
    tmp_path: Path, case: str
) -> None:
    name, content, expected = CASES[case]
    path = tmp_path / name
    path.write_text(content)
    assert _summary(list(read_records(path))) == expected


def test_the_parallel_jsonl_lane_refuses_the_same_lines() -> None:
    name, content, expected = CASES["jsonl"]
    block = LineBlock(name, 1, 0, content.encode())
    assert _summary(list(decode_block(block, DEFAULT_LIMITS))) == expected


RUN, LIST = "xceptor.WorkflowRun", "xceptor.WorkflowRunList"


@pytest.mark.parametrize(
    ("name", "pointer", "expected"),
    [
        (
            RUN,
            "/duration_ms",
            {
                (
                    "duration-consistent",
                    "/duration_ms",
                    "duration 100000000000... (401 digits) ms does not match finished - started"
                    " = 42000 ms (tolerance 1000 ms)",
                )
            },
        ),
        (
            LIST,
            "/pagination/total_items",
            {
                (
                    "page-consistent",
                    "/pagination/total_pages",
                    "total_pages 1 != ceil(total_items 100000000000... (401 digits)"
                    " / page_size 25)",
                ),
                (
                    "page-consistent",
                    "/pagination/page",
                    "page 1 of 100000000000... (401 digits) items at 25 per page should hold"
                    " 25 items, holds 1",
                ),
            },
        ),
    ],
)
def test_a_huge_integer_is_judged_not_converted(name: str, pointer: str, expected: set) -> None:
    instance = mutate(example(name), "set", pointer, int(HUGE))
    found = {(v.keyword, v.pointer, v.message) for v in check_invariants(instance, name)}
    assert found == expected
    assert _screen(name)(instance) is False
    assert {v.message for v in _check(instance, load_profiles()[name], "", name)} == {
        message for *_, message in expected
    }


def test_validate_reports_every_record_and_exits_4(run_cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    good = json.dumps(example(RUN))
    huge = json.dumps(mutate(example(RUN), "set", "/duration_ms", int(HUGE)))
    Path("runs.jsonl").write_text(f"{huge}\n{good.replace('42000', '1e400')}\n{good}\n")
    code, out, err = run_cli("validate", "runs.jsonl", "--schema", RUN)
    column = huge.index('"duration_ms": ') + len('"duration_ms": ') + 1  # at the value
    assert (code, err) == (4, "")
    assert out.splitlines() == [
        f"runs.jsonl:1:{column}: $.duration_ms: warning: duration "
        "100000000000... (401 digits) ms does not"
        " match finished - started = 42000 ms (tolerance 1000 ms) [duration-consistent]",
        f"runs.jsonl:2: $: error: {INF_MESSAGE} [malformed-json]",
        "2 records: 2 conforming, 0 not conforming; 1 unreadable input; 1 error, 1 warning, 0 info",
    ]


def test_map_never_writes_infinity(run_cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    good = json.dumps(example(RUN))
    free_form = good.replace('"valuation_date": "2026-11-19"', '"valuation_date": 1e400')
    Path("runs.jsonl").write_text(f"{free_form}\n{good}\n")
    code, out, err = run_cli("map", "--from", RUN, "runs.jsonl")
    assert code == 4
    assert "Infinity" not in out
    assert [json.loads(line)["id"] for line in out.splitlines()] == [example(RUN)["id"]]
    assert err.splitlines()[0] == f"runs.jsonl:1: error: {INF_MESSAGE} [malformed-json]"
