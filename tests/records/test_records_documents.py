"""JSON, JSON Lines and YAML documents: what a person sees for good and bad files."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from records_support import read, write

from conformance.records import MAX_DEPTH, Limits, ReadProblem, Record


def shown(items: list[Record | ReadProblem], tmp_path: Path) -> list[tuple[str, object]]:
    """(locator relative to tmp_path, payload or "kind: message") per item."""
    out: list[tuple[str, object]] = []
    for item in items:
        where = str(item.locator).removeprefix(f"{tmp_path}/")
        if isinstance(item, Record):
            out.append((where, item.payload))
        else:
            out.append((where, f"{item.kind}: {item.message}"))
    return out


GOOD = [
    pytest.param(
        "run.json",
        '{"id": "r1", "n": 1}\n',
        [("run.json:1", {"id": "r1", "n": 1})],
        id="json-object",
    ),
    pytest.param(
        "runs.json",
        '[\n  {"id": "r1"},\n'
        '  {"id": "r2", "attempt": 123456789012345678901234567890, "p": 0.5}\n]\n',
        [
            ("runs.json:2", {"id": "r1"}),
            ("runs.json:3", {"id": "r2", "attempt": 123456789012345678901234567890, "p": 0.5}),
        ],
        id="json-array",
    ),
    pytest.param(
        "runs.jsonl",
        '{"id": "r1"}\n\n{"id": "r2", "n": -9223372036854775809}\r\n[1, 2]',
        [
            ("runs.jsonl:1", {"id": "r1"}),
            ("runs.jsonl:3", {"id": "r2", "n": -9223372036854775809}),
            ("runs.jsonl:4", [1, 2]),
        ],
        id="jsonl",
    ),
    pytest.param(
        "runs.yaml",
        "id: r1\ncreated: 2024-01-01T00:00:00Z\n---\n- 1\n- {200: ok, on: yes, ~: .5}\n---\n",
        [
            ("runs.yaml:1", {"id": "r1", "created": "2024-01-01T00:00:00Z"}),
            ("runs.yaml:4", [1, {"200": "ok", "true": True, "null": 0.5}]),
        ],
        id="yaml-multi-document",
    ),
    pytest.param(
        "bom.json", "\ufeff[1, 2]", [("bom.json:1", 1), ("bom.json:1", 2)], id="json-utf8-bom"
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), GOOD)
def test_good_documents(
    name: str,
    content: str,
    expected: list[tuple[str, object]],
    tmp_path: Path,
) -> None:
    path = write(tmp_path, name, content)
    assert shown(read(path), path.parent) == expected


def test_labels_and_indexes(tmp_path: Path) -> None:
    labels = {
        "a.json": '[{"a": 1}, {"a": 2}]',
        "b.jsonl": '{"a": 1}\n\n{"a": 2}\n',
        "c.yaml": "a: 1\n---\na: 2\n",
        "d.json": '{"a": 1}',
    }
    found = {}
    for name, content in labels.items():
        found[name] = [
            (r.locator.index, r.locator.label) for r in read(write(tmp_path, name, content))
        ]
    assert found == {
        "a.json": [(0, "record[0]"), (1, "record[1]")],
        "b.jsonl": [(0, "line 1"), (1, "line 3")],
        "c.yaml": [(0, "document[0]"), (1, "document[1]")],
        "d.json": [(0, "document")],
    }


BAD = [
    pytest.param(
        "bad.json",
        b'[\n  {"a": 1},\n  {"b" 2}\n]',
        [
            ("bad.json:2", {"a": 1}),
            (
                "bad.json:3",
                "malformed-json: invalid JSON: Expecting ':' delimiter (line 3, column 8)",
            ),
        ],
        id="json-malformed",
    ),
    pytest.param(
        "cut.json",
        b'[{"a": 1},\n {"b": [1, 2',
        [
            ("cut.json:1", {"a": 1}),
            (
                "cut.json:2",
                "malformed-json: truncated JSON: Expecting ',' delimiter at end of data"
                " (line 2, column 13)",
            ),
        ],
        id="json-truncated",
    ),
    pytest.param(
        "cut-string.json",
        b'{"a": "abc',
        [
            (
                "cut-string.json:1",
                "malformed-json: truncated JSON: unterminated string (line 1, column 7)",
            )
        ],
        id="json-truncated-in-string",
    ),
    pytest.param(
        "utf8.json",
        b'[{"a": 1},\n {"a": "\xff"}]',
        [
            ("utf8.json:1", {"a": 1}),
            (
                "utf8.json:2",
                "invalid-utf8: invalid UTF-8: byte 0xff at byte offset 19 (line 2, column 9)",
            ),
        ],
        id="json-invalid-utf8",
    ),
    pytest.param(
        "nan.json",
        b"[1, NaN]",
        [
            ("nan.json:1", 1),
            (
                "nan.json:1",
                "malformed-json: invalid JSON: NaN is not a JSON value (line 1, column 5)",
            ),
        ],
        id="json-nan",
    ),
    pytest.param(
        "lines.jsonl",
        b'{"a": 1}\n{"a": 2,,}\n{"a": 3}\n',
        [
            ("lines.jsonl:1", {"a": 1}),
            (
                "lines.jsonl:2",
                "malformed-json: invalid JSON: Expecting property name enclosed in double quotes"
                " (line 2, column 9)",
            ),
            ("lines.jsonl:3", {"a": 3}),
        ],
        id="jsonl-one-bad-line",
    ),
    pytest.param(
        "utf8.jsonl",
        b'{"a": 1}\n{"a": "\xff"}\n{"a": 3}\n',
        [
            ("utf8.jsonl:1", {"a": 1}),
            (
                "utf8.jsonl:2",
                "invalid-utf8: invalid UTF-8: byte 0xff at byte offset 16 (line 2, column 8)",
            ),
            ("utf8.jsonl:3", {"a": 3}),
        ],
        id="jsonl-invalid-utf8",
    ),
    pytest.param(
        "digits.jsonl",
        b'{"a": 1}\n{"n": ' + b"9" * 5000 + b"}\n",
        [
            ("digits.jsonl:1", {"a": 1}),
            (
                "digits.jsonl:2",
                "malformed-json: invalid JSON: integer with more than 4,300 digits",
            ),
        ],
        id="jsonl-number-too-long",
    ),
    pytest.param(
        "bad.yaml",
        b"a: 1\n---\nb: [1, 2\n",
        [
            ("bad.yaml:1", {"a": 1}),
            (
                "bad.yaml:4",
                "malformed-yaml: invalid YAML: did not find expected ',' or ']'"
                " while parsing a flow sequence (line 4, column 1)",
            ),
        ],
        id="yaml-malformed",
    ),
    pytest.param(
        "utf8.yaml",
        b"a: 1\nb: \xff\n",
        [
            (
                "utf8.yaml:2",
                "invalid-utf8: invalid UTF-8: byte 0xff at byte offset 8 (line 2, column 4)",
            )
        ],
        id="yaml-invalid-utf8",
    ),
    pytest.param(
        "binary.yaml",
        b"a: !!binary aGVsbG8=\n---\nb: .nan\n---\n[1, 2]: x\n",
        [
            (
                "binary.yaml:1",
                "not-json-value: binary data (!!binary) has no JSON equivalent (line 1, column 1)",
            ),
            (
                "binary.yaml:3",
                "not-json-value: the number nan has no JSON equivalent (line 3, column 1)",
            ),
            (
                "binary.yaml:5",
                "malformed-yaml: invalid YAML: found unhashable key (line 5, column 1)",
            ),
        ],
        id="yaml-not-json",
    ),
    pytest.param(
        "tag.yaml",
        b"a: !Ref other\n",
        [("tag.yaml:1", "malformed-yaml: unsupported YAML tag '!Ref' (line 1, column 4)")],
        id="yaml-unknown-tag",
    ),
    pytest.param(
        "comments.yaml",
        b"# nothing here\n",
        [("comments.yaml", "empty-file: no YAML documents (only comments or blank documents)")],
        id="yaml-only-comments",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), BAD)
def test_bad_documents(
    name: str,
    content: bytes,
    expected: list[tuple[str, object]],
    tmp_path: Path,
) -> None:
    path = write(tmp_path, name, content)
    assert shown(read(path), path.parent) == expected


def test_unsafe_yaml_is_refused_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(
        tmp_path,
        "evil.yaml",
        f"ok: 1\n---\nrun: !!python/object/apply:os.system ['touch {marker}']\n---\nok: 2\n",
    )
    assert shown(read(path), tmp_path) == [
        ("evil.yaml:1", {"ok": 1}),
        (
            "evil.yaml:3",
            "unsafe-yaml: refused unsafe YAML tag '!!python/object/apply:os.system'"
            " (only plain data is loaded) (line 3, column 6)",
        ),
        ("evil.yaml:5", {"ok": 2}),
    ]
    assert not marker.exists()


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = write(tmp_path, "bomb.yaml", "\n".join(levels) + "\n---\nafter: bomb\n")
    started = time.perf_counter()
    items = read(path)
    assert time.perf_counter() - started < 1
    assert shown(items, tmp_path) == [
        (
            "bomb.yaml:6",
            "yaml-alias-limit: YAML aliases expand to more than 100,000 extra nodes"
            " (alias bomb?) (line 6, column 8)",
        ),
        ("bomb.yaml:11", {"after": "bomb"}),
    ]


def test_recursive_yaml_alias_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "loop.yaml", "a: &x [1, *x]\n")
    assert shown(read(path), tmp_path) == [
        ("loop.yaml:1", "yaml-alias-limit: recursive YAML alias '*x' (line 1, column 11)")
    ]


def test_small_yaml_aliases_are_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "anchors.yaml", "base: &b {x: 1}\nuse: *b\nmerged:\n  <<: *b\n  y: 2\n")
    [record] = read(path)
    assert isinstance(record, Record)
    assert record.payload == {"base": {"x": 1}, "use": {"x": 1}, "merged": {"x": 1, "y": 2}}


DEEP = 100_000


@pytest.mark.parametrize(
    ("name", "content", "column"),
    [
        # Depth counts from the record: here the array's first element, at column 2.
        pytest.param("deep.json", "[" * DEEP + "]" * DEEP, MAX_DEPTH + 2, id="json"),
        pytest.param(
            "deep.jsonl", '{"a": 1}\n' + "[" * DEEP + "]" * DEEP + "\n", MAX_DEPTH + 1, id="jsonl"
        ),
        # A YAML record is the whole document: its mapping is the first level.
        pytest.param("deep.yaml", "x: " + "[" * DEEP + "]" * DEEP + "\n", MAX_DEPTH + 3, id="yaml"),
    ],
)
def test_deep_nesting_is_refused(name: str, content: str, column: int, tmp_path: Path) -> None:
    path = write(tmp_path, name, content)
    items = read(path)
    problems = [item for item in items if isinstance(item, ReadProblem)]
    assert [(p.kind, p.message) for p in problems] == [
        ("too-deep", f"nesting deeper than 512 levels (line {p.locator.line}, column {column})")
        for p in problems
    ]
    assert len(problems) == 1


# libyaml's own limit (1,000 levels in PyYAML 6.0.4's wheels) must not decide: its scanner
# reads ahead, so it refused these before runconform's limit was reached, as malformed YAML.
CASSETTE_ITEM = "  response: {status: {code: 200}, body: {string: '[]'}}\n"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param(
            "deep.yaml",
            "a: 1\n---\né: " + "[" * 1500 + "]" * 1500 + "\n",
            [
                ("deep.yaml:1", {"a": 1}),
                ("deep.yaml:3", "too-deep: nesting deeper than 512 levels (line 3, column 515)"),
            ],
            id="second-document",
        ),
        pytest.param(
            "cassette.yaml",
            "interactions:\n- request: {method: GET, uri: 'http://api.test/runs'}\n"
            + CASSETTE_ITEM
            + "- request: {method: GET, uri: 'http://api.test/runs', body: "
            + "[" * 1500
            + "]" * 1500
            + "}\n"
            + CASSETTE_ITEM
            + "version: 1\n",
            [
                ("cassette.yaml:2", []),
                (
                    "cassette.yaml:4",
                    "too-deep: nesting deeper than 512 levels (line 4, column 571)",
                ),
            ],
            id="second-cassette-interaction",
        ),
    ],
)
def test_yaml_depth_is_runconforms_limit_not_the_parsers(
    name: str, content: str, expected: list[tuple[str, object]], tmp_path: Path
) -> None:
    path = write(tmp_path, name, content)
    assert shown(read(path), tmp_path) == expected


@pytest.mark.parametrize(
    ("content", "depth"),
    [
        pytest.param("x: " + "[" * 1200 + "]" * 1200 + "\n", 1201, id="flow"),
        pytest.param("- " * 1200 + "1\n", 1200, id="block"),
    ],
)
def test_yaml_nesting_within_a_raised_limit_loads(content: str, depth: int, tmp_path: Path) -> None:
    [record] = read(write(tmp_path, "nested.yaml", content), limits=Limits(max_depth=1500))
    assert isinstance(record, Record)
    value, levels = record.payload, 0
    while isinstance(value, (list, dict)):  # iterative: == would recurse past Python's limit
        value = value["x"] if isinstance(value, dict) else value[0] if value else None
        levels += 1
    assert levels == depth


def test_depth_limit_is_configurable(tmp_path: Path) -> None:
    path = write(tmp_path, "nested.jsonl", '{"a": {"b": [1]}}\n{"a": 1}\n')
    items = read(path, limits=Limits(max_depth=2))
    assert [type(item).__name__ for item in items] == ["ReadProblem", "Record"]
    assert items[0].message == "nesting deeper than 2 levels (line 1, column 13)"  # type: ignore[union-attr]


def test_too_large_records_are_skipped(tmp_path: Path) -> None:
    big = '{"pad": "' + "x" * 300 + '"}'
    lines = write(tmp_path, "big.jsonl", f'{{"a": 1}}\n{big}\n{{"a": 3}}\n{big}')
    array = write(tmp_path, "big.json", f'[{{"a": 1}}, {big}]')
    limits = Limits(max_record_bytes=100)
    assert shown(read(lines, limits=limits), tmp_path) == [
        ("big.jsonl:1", {"a": 1}),
        ("big.jsonl:2", "too-large-record: line longer than 100 bytes"),
        ("big.jsonl:3", {"a": 3}),
        ("big.jsonl:4", "too-large-record: line longer than 100 bytes"),
    ]
    assert shown(read(array, limits=limits), tmp_path) == [
        ("big.json:1", {"a": 1}),
        ("big.json:1", "too-large-record: record larger than 100 bytes (line 1, column 12)"),
    ]


def test_jsonl_read_as_json_says_how_to_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "two.json", '{"a": 1}\n{"a": 2}\n')
    assert shown(read(path, format="json"), tmp_path) == [
        ("two.json:1", {"a": 1}),
        (
            "two.json:2",
            "malformed-json: invalid JSON: Extra data; if this is JSON Lines (one value per"
            " line), read it with format 'jsonl' (line 2, column 1)",
        ),
    ]


@pytest.mark.parametrize("name", ["empty.json", "empty.jsonl", "empty.yaml", "blank.json"])
def test_empty_files(name: str, tmp_path: Path) -> None:
    path = write(tmp_path, name, "  \n\n" if name.startswith("blank") else "")
    assert shown(read(path), tmp_path) == [(name, "empty-file: empty file")]
