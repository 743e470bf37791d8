"""Your own errata (`--errata FILE`): layered on the bundle for one run of every command
that judges or makes runs, named in every report, and refused with the file, the place
in it and exit 3 when a patch does not apply, names what does not exist, or changes what
a bundled erratum wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.bundle.catalog import load_catalog
from conformance.bundle.user_errata import active_errata, read_user_errata, use_errata
from conformance.generate import run_factory
from conformance.simulator import start

pytest_plugins = ["pytester"]
PLUGIN: tuple[str, ...] = ()  # the plugin is registered by its entry point
ENUM = ["pending", "running", "completed", "failed", "cancelled"]
PAUSED = {
    "id": "ours-xceptor-paused",
    "object": "xceptor.WorkflowRun",
    "rationale": "Our Xceptor tenant answers `paused` for a run held for approval.",
    "evidence": "12 of 900 recorded runs (1.3 %), e.g. runs.jsonl:1",
    "patch": [
        {"op": "test", "path": "/properties/status/enum", "value": ENUM},
        {"op": "add", "path": "/properties/status/enum/-", "value": "paused"},
    ],
}
SCHEMA = ["--schema", "xceptor.WorkflowRun"]


def _write(path: Path, *errata: dict[str, Any], **top: Any) -> Path:
    path.write_text(yaml.safe_dump({"errata": list(errata), **top}, sort_keys=False))
    return path


def _erratum(**changes: Any) -> dict[str, Any]:
    return {**PAUSED, **changes}


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three Xceptor runs, the first `paused` (a status the vendor never documented)."""
    monkeypatch.chdir(tmp_path)
    runs = [run_factory("xceptor.WorkflowRun", seed=i) for i in range(3)]
    runs[0]["status"] = "paused"
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    return path


@pytest.fixture(autouse=True)
def _bundle_alone() -> Any:
    """Every test starts and ends with no user errata in force."""
    use_errata(None)
    yield
    use_errata(None)


# -- the effect, command by command --------------------------------------------------------


def test_validate_judges_by_your_errata_and_only_while_asked(corpus: Path, run_cli) -> None:
    code, out, _ = run_cli("validate", "runs.jsonl", *SCHEMA)
    assert code == 1 and '$.status: error: "paused" is not one of' in out
    _write(corpus.parent / "e.yaml", PAUSED)
    code, out, err = run_cli("validate", "runs.jsonl", *SCHEMA, "--errata", "e.yaml")
    line = "user errata applied: ours-xceptor-paused (xceptor.WorkflowRun, e.yaml#/errata/0)"
    assert code == 0, out
    assert out.splitlines()[-1] == line
    assert err == f"runconform: {line}\n"
    code, out, _ = run_cli("validate", "runs.jsonl", *SCHEMA)  # the layer came off again
    assert code == 1 and active_errata() is None


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_json_names_each_erratum_and_its_source(corpus: Path, run_cli, jobs: str) -> None:
    """Worker processes judge with the errata of the process that started them."""
    _write(corpus.parent / "e.yaml", PAUSED)
    args = ("--errata", "e.yaml", "--output-format", "json", "--jobs", jobs)
    code, out, _ = run_cli("validate", "runs.jsonl", *SCHEMA, *args)
    document = json.loads(out)
    assert code == 0
    assert document["summary"]["errata"] == ["ours-xceptor-paused"]
    assert document["user_errata"] == [
        {"id": "ours-xceptor-paused", "object": "xceptor.WorkflowRun", "source": "e.yaml#/errata/0"}
    ]


def test_errata_of_an_object_are_in_scope_of_what_refers_to_it(corpus: Path) -> None:
    use_errata(read_user_errata([_write(corpus.parent / "e.yaml", PAUSED)]))
    catalog = load_catalog()
    assert catalog.entry("xceptor.WorkflowRunList").errata == ("ours-xceptor-paused",)
    assert catalog.erratum("ours-xceptor-paused")["source"].endswith("e.yaml#/errata/0")
    assert catalog.schema("xceptor.WorkflowRun")["properties"]["status"]["enum"][-1] == "paused"


REGION = {
    "id": "ours-xceptor-region",
    "object": "xceptor.WorkflowRun",
    "rationale": "Every run of our tenant carries its data region.",
    "evidence": "all 900 recorded runs carry `region`",
    "patch": [
        {"op": "add", "path": "/properties/region", "value": {"enum": ["eu-west-1"]}},
        {"op": "add", "path": "/required", "value": ["region"]},
    ],
}


def test_fixtures_are_generated_from_the_layered_schema(corpus: Path, run_cli) -> None:
    _write(corpus.parent / "r.yaml", REGION)
    code, out, _ = run_cli("fixtures", "xceptor.WorkflowRun", "-n", "20", "--errata", "r.yaml")
    assert code == 0
    assert [json.loads(line)["region"] for line in out.splitlines()] == ["eu-west-1"] * 20
    code, out, _ = run_cli("fixtures", "xceptor.WorkflowRun", "-n", "20")
    assert code == 0 and all("region" not in json.loads(line) for line in out.splitlines())


def test_map_judges_its_input_by_the_layered_schema(corpus: Path, run_cli) -> None:
    """Without the erratum `paused` breaks the schema; with it, the record conforms and
    the mapping names what it cannot express."""
    code, _, err = run_cli("map", "runs.jsonl", "--from", "xceptor.WorkflowRun")
    assert code == 1 and "does not conform to its schema: $.status" in err
    _write(corpus.parent / "e.yaml", PAUSED)
    code, _, err = run_cli(
        "map", "runs.jsonl", "--from", "xceptor.WorkflowRun", "--errata", "e.yaml"
    )
    assert code == 1
    assert (
        "runs.jsonl:1: error: xceptor.WorkflowRun: /status value 'paused' has no canonical status"
        in err
    )


def test_check_reports_name_your_errata(corpus: Path, run_cli) -> None:
    _write(corpus.parent / "e.yaml", PAUSED)
    args = ("check", "runs.jsonl", *SCHEMA, "--errata", "e.yaml", "--report-dir", "out", "-q")
    run_cli(*args, "--report", "json,markdown")
    report = json.loads((corpus.parent / "out" / "runconform-check.json").read_text())
    mine = [e for e in report["provenance"]["errata"] if e["source"] != "bundled"]
    assert mine == [
        {
            "vendor": "xceptor",
            "id": "ours-xceptor-paused",
            "target": "WorkflowRun",
            "rationale": PAUSED["rationale"],
            "source": "e.yaml#/errata/0",
        }
    ]
    markdown = (corpus.parent / "out" / "runconform-check.md").read_text()
    assert "Your errata: `ours-xceptor-paused` (e.yaml#/errata/0)." in markdown


def test_a_contract_run_judges_responses_by_your_errata(tmp_path: Path, run_cli) -> None:
    """An erratum that requires a field the simulator never sends fails the contract run:
    Schemathesis and runconform's checks both judge by the layered schema."""
    strict = {
        **REGION,
        "id": "ours-xceptor-region-required",
        "patch": [{"op": "add", "path": "/required", "value": ["region"]}],
    }
    _write(tmp_path / "r.yaml", strict)
    with start("xceptor", seed=1, token="t") as sim:
        args = ["contract", "xceptor", "--base-url", sim.url, "--rate-limit", "0"]
        args += ["--max-examples", "2", "-H", "Authorization: Bearer t"]
        for name, value in sim.known_path_parameters().items():
            args += ["--path-param", f"{name}={value}"]
        plain = run_cli(*args)
        layered = run_cli(*args, "--errata", str(tmp_path / "r.yaml"))
    assert plain[0] == 0, plain[1]
    assert layered[0] == 1
    assert "'region' is a required property" in layered[1]


# -- bad errata: exact message, exit code --------------------------------------------------

KNOCK_ACTOR = {
    "id": "ours-actor",
    "object": "knock.WorkflowRecipientRun",
    "rationale": "r",
    "evidence": "e",
    "patch": [{"op": "replace", "path": "/properties/actor/anyOf/1", "value": {"type": "string"}}],
}

BAD = {
    "test-fails": (
        [_erratum(patch=[{"op": "test", "path": "/properties/status/enum", "value": ["a"]}])],
        "e.yaml#/errata/0/patch/0: erratum 'ours-xceptor-paused' does not apply to "
        "xceptor.WorkflowRun: the test of /properties/status/enum failed (the schema holds "
        '["pending", "running", "completed", "failed", "cancelled"])',
    ),
    "pointer-missing": (
        [_erratum(patch=[{"op": "replace", "path": "/properties/nope/type", "value": "string"}])],
        "e.yaml#/errata/0/patch/0: erratum 'ours-xceptor-paused': /properties/nope/type does "
        "not exist in xceptor.WorkflowRun",
    ),
    "parent-missing": (
        [_erratum(patch=[{"op": "add", "path": "/required/-", "value": "id"}])],
        "e.yaml#/errata/0/patch/0: erratum 'ours-xceptor-paused': /required/- does not exist "
        "in xceptor.WorkflowRun",
    ),
    "move-from-missing": (
        [_erratum(patch=[{"op": "move", "from": "/nope", "path": "/properties/x"}])],
        "e.yaml#/errata/0/patch/0: erratum 'ours-xceptor-paused': /nope does not exist in "
        "xceptor.WorkflowRun",
    ),
    "conflicts-with-bundled": (
        [KNOCK_ACTOR],
        "e.yaml#/errata/0/patch/0: erratum 'ours-actor' conflicts with bundled erratum "
        "'knock-actor-nullable-without-type': both change /properties/actor/anyOf/1 of "
        "knock.WorkflowRecipientRun",
    ),
    "removes-what-bundled-wrote": (
        [{**KNOCK_ACTOR, "patch": [{"op": "remove", "path": "/properties/actor"}]}],
        "e.yaml#/errata/0/patch/0: erratum 'ours-actor' conflicts with bundled erratum "
        "'knock-actor-nullable-without-type': both change /properties/actor/anyOf/1 of "
        "knock.WorkflowRecipientRun",
    ),
    "takes-back-what-bundled-removed": (
        [
            {
                **KNOCK_ACTOR,
                "id": "ours-summary-id",
                "object": "hatchet.V1TaskSummary",
                "patch": [{"op": "add", "path": "/required/-", "value": "id"}],
            }
        ],
        "e.yaml#/errata/0/patch/0: erratum 'ours-summary-id' conflicts with bundled erratum "
        "'hatchet-tasksummary-required-id': both change /required/3 of hatchet.V1TaskSummary",
    ),
    "bundled-id": (
        [_erratum(id="knock-actor-nullable-without-type")],
        "e.yaml#/errata/0/id: erratum id 'knock-actor-nullable-without-type' is a bundled "
        "erratum's (knock/errata.yaml); choose another",
    ),
    "duplicate-id": (
        [PAUSED, PAUSED],
        "e.yaml#/errata/1/id: duplicate erratum id 'ours-xceptor-paused' (also e.yaml#/errata/0)",
    ),
    "unknown-object": (
        [_erratum(object="xceptor.WorkflowRnu")],
        "e.yaml#/errata/0/object: unknown object 'xceptor.WorkflowRnu'; did you mean: "
        "xceptor.WorkflowRun, xceptor.WorkflowRunList, canonical.WorkflowRun?",
    ),
    "lacks-keys": (
        [{"id": "x", "object": "xceptor.WorkflowRun"}],
        "e.yaml#/errata/0: erratum lacks rationale, evidence, patch",
    ),
    "unknown-key": (
        [_erratum(severity="high")],
        "e.yaml#/errata/0: unknown key(s) 'severity'; expected id, object, rationale, "
        "evidence, patch, observed",
    ),
    "empty-evidence": (
        [_erratum(evidence=" ")],
        "e.yaml#/errata/0/evidence: `evidence` must be a non-empty string",
    ),
    "patch-not-a-list": (
        [_erratum(patch={"op": "add"})],
        "e.yaml#/errata/0/patch: `patch` must be a non-empty list of JSON Patch operations",
    ),
    "not-an-operation": (
        [_erratum(patch=[{"op": "frobnicate", "path": "/title"}])],
        "e.yaml#/errata/0/patch/0: erratum 'ours-xceptor-paused': not a JSON Patch "
        "operation: Unknown operation 'frobnicate'",
    ),
    "invalid-schema": (
        [_erratum(patch=[{"op": "replace", "path": "/properties/status/type", "value": 5}])],
        "e.yaml#/errata/0: erratum 'ours-xceptor-paused' leaves xceptor.WorkflowRun an "
        "invalid schema at /properties/status/type: 5 is not valid under any of the given "
        "schemas",
    ),
    "replaces-id": (
        [_erratum(patch=[{"op": "replace", "path": "/$id", "value": "https://x.test/"}])],
        "e.yaml#/errata/0/patch/0: erratum 'ours-xceptor-paused' may not replace "
        "xceptor.WorkflowRun's $id or the whole schema",
    ),
}


@pytest.mark.parametrize("errata", list(BAD.values()), ids=list(BAD))
def test_bad_errata_are_refused_with_place_and_exit_3(
    corpus: Path, run_cli, errata: tuple[list[dict[str, Any]], str]
) -> None:
    listed, message = errata
    _write(corpus.parent / "e.yaml", *listed)
    code, out, err = run_cli("validate", "runs.jsonl", *SCHEMA, "--errata", "e.yaml")
    assert (code, out, err) == (3, "", f"runconform: error: {message}\n")
    assert active_errata() is None  # nothing half-applied stays in force


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("errata: [\n  {id: x\n", "e.yaml: malformed YAML at line 3, column 1: "),
        ("{errata: []}\n", None),
        ("- id: x\n", "e.yaml: expected a mapping with an `errata` list"),
        ("errata: []\nnotes: x\n", "e.yaml: unknown key(s) 'notes'; expected errata"),
        (
            "errata: " + "[" * 200 + "]" * 200 + "\n",
            "e.yaml: nesting deeper than 128 levels",
        ),
        (
            "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 12))
            + "errata: *a11\n",
            "e.yaml: YAML aliases expand to more than 100,000 extra nodes (alias bomb?)",
        ),
    ],
    ids=["malformed", "empty", "a-list", "unknown-top-key", "too-deep", "alias-bomb"],
)
def test_bad_files(corpus: Path, run_cli, text: str, message: str | None) -> None:
    (corpus.parent / "e.yaml").write_text(text)
    code, _out, err = run_cli("validate", "runs.jsonl", *SCHEMA, "--errata", "e.yaml")
    if message is None:  # no errata at all: the bundle alone judges, and says nothing of it
        assert (code, err) == (1, "")
        return
    assert code == 3 and err.startswith(f"runconform: error: {message}")


def test_a_missing_file_is_a_usage_error(corpus: Path, run_cli) -> None:
    code, _, err = run_cli("validate", "runs.jsonl", *SCHEMA, "--errata", "nope.yaml")
    assert code == 2
    assert "Invalid value for '--errata': File 'nope.yaml' does not exist." in err


def test_errata_and_as_published_exclude_each_other(corpus: Path, run_cli) -> None:
    _write(corpus.parent / "e.yaml", PAUSED)
    code, _, err = run_cli(
        "validate", "runs.jsonl", *SCHEMA, "--errata", "e.yaml", "--as-published"
    )
    assert code == 2
    assert "--errata patches the corrected schemas; --as-published judges by the vendors' " in err
    assert active_errata() is None


def test_a_patch_beside_a_bundled_erratum_is_no_conflict(corpus: Path) -> None:
    """The bundled `hatchet-tasksummary-required-id` took `id` out of `required`; a user's
    erratum that rewrites the list without `taskInsertedAt` (and still without `id`, as
    drift proposes it) leaves that correction as it was."""
    required = load_catalog().schema("hatchet.V1TaskSummary")["required"]
    fewer = [name for name in required if name != "taskInsertedAt"]
    erratum = _erratum(
        id="ours-summary-inserted-optional",
        object="hatchet.V1TaskSummary",
        patch=[
            {"op": "test", "path": "/required", "value": required},
            {"op": "replace", "path": "/required", "value": fewer},
        ],
    )
    use_errata(read_user_errata([_write(corpus.parent / "e.yaml", erratum)]))
    assert load_catalog().schema("hatchet.V1TaskSummary")["required"] == fewer


def test_two_files_layer_in_order(corpus: Path, run_cli) -> None:
    _write(corpus.parent / "a.yaml", PAUSED)
    second = _erratum(
        id="ours-xceptor-held",
        patch=[{"op": "add", "path": "/properties/status/enum/-", "value": "held"}],
    )
    _write(corpus.parent / "b.yaml", second)
    use_errata(read_user_errata(["a.yaml", "b.yaml"]))
    enum = load_catalog().schema("xceptor.WorkflowRun")["properties"]["status"]["enum"]
    assert enum == [*ENUM, "paused", "held"]


# -- the pytest plugin: ini setting and option ---------------------------------------------


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """Recordings of three Xceptor runs, the first `paused`, collected as test items."""
    runs = [run_factory("xceptor.WorkflowRun", seed=i) for i in range(3)]
    runs[0]["status"] = "paused"
    rec = pytester.path / "recordings"
    rec.mkdir()
    (rec / "runs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs))
    _write(pytester.path / "errata.yaml", PAUSED)
    pytester.makeini(
        "[pytest]\nrunconform_recordings = recordings\n"
        "runconform_schema =\n    recordings/* = xceptor.WorkflowRun\n"
    )
    return pytester


def test_the_plugin_layers_the_ini_errata(project: pytest.Pytester) -> None:
    project.makeini(
        "[pytest]\nrunconform_recordings = recordings\nrunconform_errata = errata.yaml\n"
        "runconform_schema =\n    recordings/* = xceptor.WorkflowRun\n"
    )
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "runconform: user errata applied: ours-xceptor-paused (xceptor.WorkflowRun, *"
            "errata.yaml#/errata/0)"
        ]
    )
    assert active_errata() is None  # the session took its layer off


def test_the_plugin_fails_without_them_and_takes_the_option(project: pytest.Pytester) -> None:
    project.runpytest(*PLUGIN).assert_outcomes(passed=2, failed=1)
    project.runpytest(*PLUGIN, "--runconform-errata", "errata.yaml").assert_outcomes(passed=3)


def test_the_plugin_refuses_bad_errata_before_collecting(project: pytest.Pytester) -> None:
    _write(project.path / "errata.yaml", _erratum(object="nope.Object"))
    result = project.runpytest(*PLUGIN, "--runconform-errata", "errata.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: runconform_errata: *errata.yaml#/errata/0/object: unknown object 'nope.Object'*"]
    )


def test_the_api_layers_errata_for_a_block(corpus: Path) -> None:
    import conformance

    _write(corpus.parent / "e.yaml", PAUSED)
    paused = json.loads(corpus.read_text().splitlines()[0])
    assert not conformance.validate(paused, "xceptor.WorkflowRun").ok
    with conformance.layered_errata(["e.yaml"]) as errata:
        assert [e.id for e in errata.errata] == ["ours-xceptor-paused"]
        assert conformance.validate(paused, "xceptor.WorkflowRun").ok
    assert not conformance.validate(paused, "xceptor.WorkflowRun").ok
    assert active_errata() is None
