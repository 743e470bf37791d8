"""`runconform drift`: over a corpus with drift planted at known rates (drift_corpus.py),
exactly the planted counts, in every format; and errata that cover what was found.

The round trip the errata promise: the proposed errata, layered with `--errata`, leave
`validate --strict` (undocumented properties are errors) and `drift` itself nothing to
say about the same corpus; each patch is also applied on its own to the bundled document.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonpatch
import pytest
import yaml
from drift_corpus import PLANTS, planted_counts, planted_lines, planted_records
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.bundle.catalog import load_catalog
from conformance.bundle.formats import format_checker
from conformance.drift.locate import Place
from conformance.drift.profile import drift_of, drift_of_records
from conformance.drift.propose import propose_errata
from conformance.records import Locator, Record
from conformance.validation.drift import LENIENT_SUFFIX, strict_schema

Cli = Callable[..., tuple[int, str, str]]
OBJECTS = tuple(PLANTS)
N = 1_000


def _corpus(tmp_path: Path, name: str, n: int = N) -> Path:
    path = tmp_path / f"{name.replace('.', '-')}.jsonl"
    path.write_text("".join(planted_lines(name, n)), encoding="utf-8")
    return path


def _counts(results: list[dict[str, Any]]) -> dict[tuple[str, str, str], int]:
    return {
        (c["details"]["kind"], c["details"]["field"], c["details"]["detail"]): c["details"][
            "records"
        ]
        for c in results
        if c.get("details") and c["details"]["kind"] != "unseen"
    }


def _clean(name: str) -> dict[str, Any]:
    """The first record of the corpus that carries no plant."""
    first = next(i for i in range(100) if not any(p.hits(i) for p in PLANTS[name]))
    record: dict[str, Any] = list(planted_records(name, first + 1))[first]
    return record


# -- exact counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OBJECTS)
def test_the_planted_counts_exactly(run_cli: Cli, tmp_path: Path, name: str) -> None:
    path = _corpus(tmp_path, name)
    code, out, _ = run_cli("drift", str(path), "--schema", name, "--output-format", "json")
    report = json.loads(out)
    assert code == 1
    assert _counts(report["results"]) == planted_counts(name, N)
    assert report["summary"]["records"] == N
    assert all(c["details"]["of"] == N for c in report["results"])


def test_objects_routed_by_shape_in_one_run(run_cli: Cli, tmp_path: Path) -> None:
    paths = [str(_corpus(tmp_path, name, 200)) for name in OBJECTS]
    code, out, _ = run_cli("drift", *paths, "--identify", "--output-format", "json")
    report = json.loads(out)
    expected = {(name, *key): n for name in OBJECTS for key, n in planted_counts(name, 200).items()}
    got = {
        (c["details"]["object"], c["details"]["kind"], c["details"]["field"], c["details"]["detail"]):
            c["details"]["records"]
        for c in report["results"]
        if c["details"]["kind"] != "unseen"
    }  # fmt: skip
    assert (code, got) == (1, expected)
    records = [c["details"]["records"] for c in report["results"]]
    assert records == sorted(records, reverse=True)  # most records first


def test_where_each_kind_is_declared() -> None:
    """Drift inside a list's items is declared by the item object (or an enum it refers to):
    the place a patch must target."""
    base = list(planted_records("hatchet.V1TaskSummary", 7))  # one of each plant
    page = {"pagination": {"current_page": 1, "num_pages": 1}, "rows": base}
    report = drift_of_records(
        [Record(Locator("page.json", 0, 1, ""), page)], schema="hatchet.V1TaskSummaryList"
    )
    places = {(i.kind, i.field): (i.place.object, i.place.pointer) for i in report.drift if i.place}
    assert places == {
        ("undocumented", "$.rows[*].region"): ("hatchet.V1TaskSummary", ""),
        ("undocumented", "$.rows[*].retryPolicy"): ("hatchet.V1TaskSummary", ""),
        ("enum", "$.rows[*].status"): ("hatchet.V1TaskStatus", ""),
        ("null", "$.rows[*].displayName"): ("hatchet.V1TaskSummary", "/properties/displayName"),
        ("format", "$.rows[*].createdAt"): ("hatchet.V1TaskSummary", "/properties/createdAt"),
        ("required", "$.rows[*].taskInsertedAt"): ("hatchet.V1TaskSummary", ""),
    }
    assert {i.records for i in report.drift} == {1}


# -- what people read -------------------------------------------------------------------------------


def test_the_text_lines(run_cli: Cli, tmp_path: Path) -> None:
    path = _corpus(tmp_path, "knock.WorkflowRecipientRun", 100)
    code, out, _ = run_cli(
        "drift", str(path), "--schema", "knock.WorkflowRecipientRun", "--examples", "2"
    )
    f = str(path)
    assert code == 1
    assert out.splitlines() == [
        "knock.WorkflowRecipientRun $.channel: warning: not documented: carried by 13 of 100 "
        f"records (13.0 %), as string; e.g. {f}:1, {f}:9 [undocumented]",
        'knock.WorkflowRecipientRun $.status: warning: "failed" is not a documented value: '
        f"in 7 of 100 records (7.0 %); e.g. {f}:4, {f}:20 [enum]",
        "knock.WorkflowRecipientRun $.workflow: warning: null, which the schema does not allow: "
        f"in 4 of 100 records (4.0 %); e.g. {f}:8, {f}:38 [null]",
        "knock.WorkflowRecipientRun $.inserted_at: warning: breaks format date-time: in 2 of 100 "
        f"records (2.0 %); e.g. {f}:12, {f}:57 [format]",
        "knock.WorkflowRecipientRun $.workflow_run_id: warning: required, but absent from 2 of "
        f"100 records (2.0 %); e.g. {f}:14, {f}:74 [required]",
        "drift of knock.WorkflowRecipientRun (100): 100 records read, 100 counted; "
        "0 unreadable inputs; 5 drift items found",
    ]


def test_no_drift_exits_0_and_names_fields_never_seen(run_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    runs = [r for r in planted_records("knock.WorkflowRecipientRun", 40) if True]
    clean = [{k: v for k, v in r.items() if k != "tenant"} for r in runs[1:2] * 5]
    path.write_text("".join(json.dumps(r) + "\n" for r in clean), encoding="utf-8")
    code, out, _ = run_cli("drift", str(path), "--schema", "knock.WorkflowRecipientRun")
    assert code == 0
    assert "knock.WorkflowRecipientRun $.tenant: info: documented, never seen in 5 records " in out
    assert out.splitlines()[-1] == (
        "drift of knock.WorkflowRecipientRun (5): 5 records read, 5 counted; "
        "0 unreadable inputs; 0 drift items found"
    )


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("json", lambda text: json.loads(text)["command"] == "drift"),
        ("markdown", lambda text: "| object | kind | field | value | records | share |" in text
         and "| hatchet.V1TaskSummary | undocumented | $.region | string | 100 of 1,000 |" in text),
        ("html", lambda text: text.startswith("<!DOCTYPE html>")
         and 'data-kind="enum"' in text and "</html>" in text),
        ("junit", lambda text: "<testsuites" in text),
        ("sarif", lambda text: json.loads(text)["version"] == "2.1.0"),
    ],
)  # fmt: skip
def test_each_format(run_cli: Cli, tmp_path: Path, fmt: str, check: Callable[[str], bool]) -> None:
    path = _corpus(tmp_path, "hatchet.V1TaskSummary")
    report = tmp_path / f"report.{fmt}"
    code, _, err = run_cli(
        "drift", str(path), "--schema", "hatchet.V1TaskSummary",
        "--output-format", fmt, "-o", str(report),
    )  # fmt: skip
    assert code == 1
    assert check(report.read_text(encoding="utf-8"))
    assert err.endswith("6 drift items found\n")


def test_sarif_and_github_point_at_the_first_record_that_shows_each_item(
    run_cli: Cli, tmp_path: Path, sarif_validator: Any
) -> None:
    """A corpus-wide item has no one place; code scanning drops a result without one, so
    it is located at the first record that shows it (the first of its examples)."""
    from conftest import sarif_errors

    path = _corpus(tmp_path, "hatchet.V1TaskSummary")
    args = ["drift", str(path), "--schema", "hatchet.V1TaskSummary", "--output-format"]
    log = json.loads(run_cli(*args, "sarif")[1])
    assert sarif_errors(sarif_validator, log) == []
    firsts = {p.field: p.phase + 1 for p in PLANTS["hatchet.V1TaskSummary"]}
    found = {
        r["message"]["text"].split(":")[0].split()[-1]: r["locations"][0]["physicalLocation"]
        for r in log["runs"][0]["results"]
    }
    assert {field: place["region"]["startLine"] for field, place in found.items()} == firsts
    assert {place["artifactLocation"]["uri"] for place in found.values()} == {str(path)}
    annotations = run_cli(*args, "github")[1].splitlines()
    assert annotations[0].startswith(
        f"::warning file={path},line=2,title=runconform undocumented::"
    )


# -- inputs -----------------------------------------------------------------------------------------


def test_standard_input(tmp_path: Path) -> None:
    lines = "".join(planted_lines("hatchet.V1TaskSummary", 200))
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "drift", "-", "--schema", "hatchet.V1TaskSummary",
         "--output-format", "json"],
        input=lines, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert _counts(json.loads(done.stdout)["results"]) == planted_counts(
        "hatchet.V1TaskSummary", 200
    )


def test_an_unreadable_input_among_good_ones(run_cli: Cli, tmp_path: Path) -> None:
    good = _corpus(tmp_path, "hatchet.V1TaskSummary", 100)
    bad = tmp_path / "bad.json"
    bad.write_text('{"truncated": ', encoding="utf-8")
    code, out, _ = run_cli("drift", str(good), str(bad), "--schema", "hatchet.V1TaskSummary")
    assert code == 4
    assert out.splitlines()[0].startswith(f"{bad}:1")
    assert out.splitlines()[-1] == (
        "drift of hatchet.V1TaskSummary (100): 100 records read, 100 counted; "
        "1 unreadable input; 6 drift items found"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--schema", "hatchet.V1TaskSummary", "--identify"],
         "runconform: error: --schema and --identify exclude each other\n"),
        (["--schema", "hatchet.NoSuch"], "runconform: error: unknown object"),
        (["--schema", "hatchet.V1TaskSummary", "--vendor", "knock"],
         "runconform: error: --schema hatchet.V1TaskSummary is not an object of --vendor knock\n"),
    ],
)  # fmt: skip
def test_usage_errors(run_cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    path = _corpus(tmp_path, "hatchet.V1TaskSummary", 10)
    code, _, err = run_cli("drift", str(path), *args)
    assert code == 2
    assert err.startswith(message)


def test_nothing_counted_exits_2(run_cli: Cli, tmp_path: Path) -> None:
    path = _corpus(tmp_path, "hatchet.V1TaskSummary", 10)
    code, out, _ = run_cli("drift", str(path))
    assert code == 2
    assert out.splitlines()[-1] == (
        "drift of no object: 10 records read, 0 counted; 10 records of no known object, not "
        "counted (give --schema or --identify); 0 unreadable inputs; nothing checked: no record "
        "was counted"
    )


def test_too_many_undocumented_properties_are_counted_not_itemised() -> None:
    base = _clean("knock.WorkflowRecipientRun")
    records = [
        Record(Locator("r.jsonl", i, i + 1, ""), {**base, f"extra_{i}": i}) for i in range(12)
    ]
    report = drift_of_records(records, schema="knock.WorkflowRecipientRun", max_undocumented=5)
    assert [i.detail for i in report.drift] == [f"extra_{i}" for i in range(5)]
    assert report.objects[0].untracked == 7


# -- errata ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proposed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[Path]]:
    tmp = tmp_path_factory.mktemp("errata")
    paths = [_corpus(tmp, name, 400) for name in OBJECTS]
    errata = tmp / "e.yaml"
    from conformance.cli import main

    code = main(["drift", *map(str, paths), "--identify", "--propose-errata", str(errata),
                 "-o", str(tmp / "report.txt")])  # fmt: skip
    assert code == 1
    text = errata.read_text(encoding="utf-8")
    assert text.startswith("# Proposed by `runconform drift` from 800 records on ")
    return yaml.safe_load(text), paths


def test_every_erratum_carries_its_evidence(proposed: tuple[dict[str, Any], list[Path]]) -> None:
    errata = proposed[0]["errata"]
    assert [e["id"] for e in errata] == [
        "drift-hatchet-V1TaskSummary-region",
        "drift-hatchet-V1TaskSummary-retryPolicy",
        "drift-knock-WorkflowRecipientRun-channel",
        "drift-hatchet-V1TaskStatus-enum",
        "drift-knock-WorkflowRecipientRun-status-enum",
        "drift-hatchet-V1TaskSummary-displayName-null",
        "drift-knock-WorkflowRecipientRun-workflow-null",
        "drift-hatchet-V1TaskSummary-createdAt-format",
        "drift-knock-WorkflowRecipientRun-inserted_at-format",
        "drift-hatchet-V1TaskSummary-required",
        "drift-knock-WorkflowRecipientRun-required",
    ]
    for erratum in errata:
        assert list(erratum) == ["id", "object", "rationale", "evidence", "observed", "patch"]
        observed = erratum["observed"]
        assert observed["records"] > 0 and observed["of"] == 400 and observed["examples"]
        assert f"{observed['records']:,} of 400 records" in erratum["evidence"]
    region = errata[0]
    assert region["evidence"] == (
        "40 of 400 records (10.0 %) of hatchet.V1TaskSummary carry `$.region` (string); e.g. "
        + ", ".join(f"{proposed[1][0]}:{n}" for n in (2, 12, 22, 32, 42))
    )
    assert region["patch"] == [
        {"op": "add", "path": "/properties/region", "value": {"type": "string"}}
    ]


def test_each_erratum_applies_on_its_own(proposed: tuple[dict[str, Any], list[Path]]) -> None:
    catalog = load_catalog()
    for erratum in proposed[0]["errata"]:
        patched = jsonpatch.apply_patch(catalog.schema(erratum["object"]), erratum["patch"])
        assert patched != catalog.schema(erratum["object"]), erratum["id"]


def _patched(errata: list[dict[str, Any]], name: str) -> Draft202012Validator:
    """The strict validator of `name` over the bundle with `errata` applied (formats on)."""
    catalog = load_catalog()
    docs = {n: catalog.schema(n) for n in catalog.names(include_dependencies=True)}
    for erratum in errata:
        docs[erratum["object"]] = jsonpatch.apply_patch(docs[erratum["object"]], erratum["patch"])
    resources = []
    for doc in docs.values():
        resources.append((doc["$id"], strict_schema(doc)))
        lenient = {**strict_schema(doc, close_root=False), "$id": doc["$id"] + LENIENT_SUFFIX}
        resources.append((lenient["$id"], lenient))
    registry: Registry = Registry().with_resources(
        (uri, Resource.from_contents(s, default_specification=DRAFT202012)) for uri, s in resources
    )
    return Draft202012Validator(
        strict_schema(docs[name]), registry=registry, format_checker=format_checker()
    )


def test_the_errata_cover_the_drift(proposed: tuple[dict[str, Any], list[Path]]) -> None:
    """Applied together, the errata leave no schema error and nothing undocumented."""
    for name, path in zip(OBJECTS, proposed[1], strict=True):
        validator = _patched(proposed[0]["errata"], name)
        assert drift_of(path, schema=name).drift  # the unpatched bundle still sees drift
        for line in path.read_text(encoding="utf-8").splitlines():
            assert [e.message for e in validator.iter_errors(json.loads(line))] == []


#: Harder places: null on a referenced enum, null on a oneOf, a property of an object
#: declared only through oneOf branches, an undocumented property inside a list's items.
TRICKY = [
    ("hatchet.V1TaskSummary", "status", None,
     [{"op": "test", "path": "/type", "value": "string"},
      {"op": "replace", "path": "/type", "value": ["string", "null"]},
      {"op": "add", "path": "/enum/-", "value": None}]),
    ("knock.WorkflowRecipientRun", "recipient", None,
     [{"op": "add", "path": "/oneOf/-", "value": {"type": "null"}}]),
    ("knock.WorkflowRecipientRun", "actor", {"id": "u1", "collection": "users", "team": "t"},
     [{"op": "add", "path": "/properties", "value": {"team": {"type": "string"}}}]),
    ("hatchet.V1TaskSummary", "children", [{"note": 1}],
     [{"op": "add", "path": "/properties/note", "value": {"type": "integer"}}]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "key", "value", "patch"), TRICKY)
def test_errata_in_harder_places(name: str, key: str, value: Any, patch: list[Any]) -> None:
    clean = _clean(name)
    if key == "children":
        value = [{**clean, **value[0], "children": []}]
    record = {**clean, key: value}
    report = drift_of_records([Record(Locator("r.json", 0, 1, ""), record)], schema=name)
    proposal = propose_errata(report)
    assert [list(e.patch) for e in proposal.errata] == [patch]
    assert proposal.unproposable == ()
    errata = [e.as_dict() for e in proposal.errata]
    assert [e.message for e in _patched(errata, name).iter_errors(record)] == []


def test_the_errata_file_is_never_an_input(run_cli: Cli, tmp_path: Path) -> None:
    path = _corpus(tmp_path, "hatchet.V1TaskSummary", 10)
    before = path.read_bytes()
    code, _, err = run_cli(
        "drift", str(path), "--schema", "hatchet.V1TaskSummary", "--propose-errata", str(path)
    )
    assert (code, path.read_bytes()) == (2, before)
    assert "--propose-errata" in err


def test_a_lone_surrogate_is_explained_by_jsonschema_alike() -> None:
    """jsonschema-rs cannot take a lone surrogate: such a record is read by jsonschema,
    whose schema paths are walked over the bundle, to the same items and places."""
    clean = _clean("hatchet.V1TaskSummary")
    page = {"pagination": {}, "rows": [{**clean, "status": "EVICTED", "region": "\ud800"}]}
    tame = {"pagination": {}, "rows": [{**clean, "status": "EVICTED", "region": "x"}]}
    seen = [
        {
            (i.kind, i.field, i.detail, i.place)
            for i in drift_of_records(
                [Record(Locator("r.json", 0, 1, ""), body)], schema="hatchet.V1TaskSummaryList"
            ).drift
        }
        for body in (page, tame)
    ]
    assert (
        seen[0]
        == seen[1]
        == {
            ("undocumented", "$.rows[*].region", "region", Place("hatchet.V1TaskSummary", "")),
            ("enum", "$.rows[*].status", '"EVICTED"', Place("hatchet.V1TaskStatus", "")),
        }
    )


@pytest.mark.parametrize(
    ("command", "last_line"),
    [
        (
            ["validate", "--strict"],
            "800 records: 800 conforming, 0 not conforming; 0 unreadable inputs; 0 errors, "
            "0 warnings, 0 info",
        ),
        (
            ["drift"],
            "drift of hatchet.V1TaskSummary (400), knock.WorkflowRecipientRun (400): 800 "
            "records read, 800 counted; 0 unreadable inputs; 0 drift items found",
        ),
    ],
    ids=["validate", "drift"],
)
def test_with_the_proposed_errata_nothing_is_left(
    proposed: tuple[dict[str, Any], list[Path]], run_cli: Cli, command: list[str], last_line: str
) -> None:
    """The round trip: `drift --propose-errata e.yaml`, then `--errata e.yaml` on the same
    corpus: no schema error, nothing undocumented, no drift; and without the errata both
    commands still find it all (the layer is for one run)."""
    paths = [str(p) for p in proposed[1]]
    errata = str(proposed[1][0].parent / "e.yaml")
    code, out, err = run_cli(*command, *paths, "--identify", "--errata", errata)
    ids = [e["id"] for e in proposed[0]["errata"]]
    assert code == 0, out[-2000:]
    assert last_line in out.splitlines()
    assert err.startswith("runconform: user errata applied: " + ids[0])
    code, _, _ = run_cli(*command, *paths, "--identify")
    assert code == 1
