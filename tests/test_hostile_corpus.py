"""Issue 13's hostile file-input corpus (`hostile_corpus.CASES`) through every CLI surface.

Each surface runs once over one folder holding every case it handles plus a good recording
(`validate`, `check PATHS`, `map`, the pytest plugin), which proves both the exact message of
each case and that the other inputs are still processed. Each case also runs alone through
`validate`, for its own exit code and its own time and memory figures. Every child goes
through `hostile.run_child`: exit code, no traceback, never 70, peak RSS under the bound,
never killed at the time bound. What a surface gets wrong is a strict xfail naming why.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile import PYTEST, RSS_BOUND_MIB, RUNCONFORM, Outcome, run_child
from hostile_corpus import (
    CASES,
    CORPUS,
    EVIL_NAME,
    EVIL_SHOWN,
    GOOD_LINE,
    GOOD_RUN,
    GOOD_TEXT,
    HUGE,
    IPV6_URL,
    RUN,
    RUN_URL,
    Case,
    Line,
    build,
    cassette,
    cassette_interaction,
    check_finding,
    har,
    map_line,
    plugin_line,
    plugin_node,
    records,
    validate_line,
)

ROOT = Path(__file__).resolve().parent.parent
VALIDATE = ("validate", "--identify", "-v")
#: check on the user's paths only: one vendor, one fixture, no contract stage (no --base-url).
CHECK_OPTIONS = ("--vendor", "xceptor", "--fixtures", "1")
#: The child pytest loads runconform's plugin only: the dev environment's others (Hypothesis,
#: Schemathesis, anyio, xdist) take four of its five seconds of start-up and judge no record.
PYTEST_OPTIONS = tuple(
    arg
    for name in ("cacheprovider", "randomly", "hypothesispytest", "schemathesis", "anyio", "xdist")
    for arg in ("-p", f"no:{name}")
)
#: The time bound of every child: generous on a loaded 2-core machine (a run takes seconds);
#: what hangs (a FIFO opened, a symlink loop followed) is killed here and fails its test.
TIMEOUT = 120.0


def sound(outcome: Outcome) -> None:
    """What every child must keep, whatever its input: the bounds and no crash."""
    assert not outcome.timed_out, f"{outcome.case}: killed after {outcome.seconds:.0f} s"
    assert not outcome.traceback, outcome.output
    assert outcome.returncode != 70, outcome.output
    assert outcome.peak_rss_mib < RSS_BOUND_MIB, f"{outcome.case}: {outcome.peak_rss_mib} MiB"


def lines_of(cases: tuple[Case, ...]) -> list[Line]:
    return [GOOD_LINE, *(line for case in cases for line in case.lines)]


def summary(lines: list[Line]) -> str:
    """validate's last line for these lines (every record conforms; warnings do not fail)."""
    count = sum(records(lines).values())
    errors = sum(line.severity == "error" for line in lines)
    warnings = sum(line.severity == "warning" for line in lines)
    return (
        f"{_plural(count, 'record')}: {count} conforming, 0 not conforming;"
        f" {_plural(errors, 'unreadable input')}; {_plural(errors, 'error')},"
        f" {_plural(warnings, 'warning')}, 0 info"
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass(frozen=True)
class Corpus:
    root: Path
    paths: list[str]


def _corpus(factory: pytest.TempPathFactory, name: str, cases: tuple[Case, ...]) -> Corpus:
    root = factory.mktemp(name)
    return Corpus(root, build(root, cases))


@pytest.fixture(scope="module")
def cli_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return _corpus(tmp_path_factory, "cli", CASES)


# -- validate ------------------------------------------------------------------------------


def test_validate_reports_every_case_and_the_good_file(cli_corpus: Corpus) -> None:
    outcome = run_child(
        (*RUNCONFORM, *VALIDATE, *cli_corpus.paths),
        case="corpus-validate",
        cwd=cli_corpus.root,
        timeout=TIMEOUT,
    )
    sound(outcome)
    expected = lines_of(CASES)
    out = outcome.stdout.splitlines()
    assert (outcome.returncode, outcome.stderr) == (4, "")
    assert sorted(out[:-1]) == sorted(validate_line(line) for line in expected)
    assert out[-1] == summary(expected)


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_each_case_alone_beside_the_good_file(
    tmp_path_factory: pytest.TempPathFactory, case: Case
) -> None:
    corpus = _corpus(tmp_path_factory, "case", (case,))
    outcome = run_child(
        (*RUNCONFORM, *VALIDATE, *corpus.paths),
        case=f"{case.id}-validate",
        cwd=corpus.root,
        timeout=TIMEOUT,
    )
    sound(outcome)
    expected = lines_of((case,))
    assert sorted(outcome.stdout.splitlines()) == sorted(
        [*map(validate_line, expected), summary(expected)]
    )
    assert (outcome.returncode, outcome.stderr) == (case.exit_code, "")


def test_item5_github_format_escapes_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text(GOOD_TEXT)
    (tmp_path / EVIL_NAME).write_bytes(b'{"id": ')
    outcome = run_child(
        (*RUNCONFORM, "validate", "--schema", RUN, "--format", "github", "."),
        case="item5-control-characters-github",
        cwd=tmp_path,
        timeout=TIMEOUT,
    )
    sound(outcome)
    assert outcome.returncode == 4
    assert outcome.stdout.splitlines() == [
        "::error file=./item5-evil%0A%3A%3Aerror file=x%3A%3Apwned.json,line=1,"
        "title=runconform malformed-json::$: truncated JSON: Expecting value at end of data"
        " (line 1, column 8)",
        "1 record: 1 conforming, 0 not conforming; 1 unreadable input; 1 error, 0 warnings, 0 info",
    ]


@pytest.mark.parametrize(
    ("name", "content", "line", "item"),
    [
        pytest.param(
            "ipv6-url.har",
            har(IPV6_URL, [], {"mimeType": "application/json", "text": GOOD_TEXT}),
            1,
            "entries[0]",
            id="har",
        ),
        pytest.param(
            "ipv6-url.yaml",
            cassette(cassette_interaction(IPV6_URL)),
            2,
            "interaction[0]",
            id="cassette",
        ),
    ],
)
def test_item12_an_unroutable_url_is_named_and_the_routable_one_validated(
    tmp_path: Path, name: str, content: str, line: int, item: str
) -> None:
    """Without --identify a record is routed by its URL: `http://[::1/...` cannot be."""
    (tmp_path / "routed.yaml").write_text(cassette(cassette_interaction(RUN_URL)))
    (tmp_path / name).write_text(content)
    outcome = run_child(
        (*RUNCONFORM, "validate", "-v", "routed.yaml", name),
        case=f"item12-ipv6-bracket-url-{name.rsplit('.', 1)[1]}-routed",
        cwd=tmp_path,
        timeout=TIMEOUT,
    )
    sound(outcome)
    assert (outcome.returncode, outcome.stderr) == (2, "")
    assert outcome.stdout.splitlines() == [
        f"routed.yaml:2: ok ({RUN}, corrected)",
        f"{name}:{line}: $: error: cannot route GET {IPV6_URL}: Invalid IPv6 URL;"
        " give --schema or --identify [no-schema]",
        "2 records: 1 conforming, 1 not conforming; 0 unreadable inputs; 1 error, 0 warnings,"
        " 0 info",
    ]


# -- check PATHS ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checked(cli_corpus: Corpus) -> tuple[Outcome, dict[str, Any]]:
    out = cli_corpus.root / "reports"
    outcome = run_child(
        (*RUNCONFORM, "check", *cli_corpus.paths, *CHECK_OPTIONS, "--out", str(out)),
        case="corpus-check",
        cwd=cli_corpus.root,
        timeout=TIMEOUT,
    )
    written = out / "runconform-check.json"  # none when check crashed: sound() says why
    return outcome, json.loads(written.read_text()) if written.exists() else {}


def test_check_reports_every_case_and_the_good_file(
    checked: tuple[Outcome, dict[str, Any]],
) -> None:
    outcome, report = checked
    sound(outcome)
    assert outcome.returncode == 4
    assert outcome.stderr.splitlines()[-1].startswith("exit 4: unreadable input (")
    expected = lines_of(CASES)
    errors = sum(line.severity == "error" for line in expected)
    assert "Validate recordings: error (" in outcome.stderr
    unreadable = f"{errors} unreadable input{'' if errors == 1 else 's'}"
    assert f"): {unreadable}: {CORPUS}/" in outcome.stderr
    (stage,) = (s for s in report["stages"] if s["name"] == "validate")
    found = [(f["locator"], f["severity"], f["rule"], f["message"]) for f in stage["findings"]]
    assert sorted(found) == sorted(filter(None, map(check_finding, expected)))
    tallies = {t["subject"]: (t["passed"], t["failed"]) for t in stage["tallies"]}
    assert tallies == {schema: (n, 0) for schema, n in records(expected).items()}
    assert report["exit_code"] == 4


def test_item5_check_reports_escape_the_file_name(
    checked: tuple[Outcome, dict[str, Any]], cli_corpus: Corpus
) -> None:
    sound(checked[0])
    reports = cli_corpus.root / "reports"
    ET.parse(reports / "runconform-check.junit.xml")  # well-formed XML
    sarif = json.loads((reports / "runconform-check.sarif").read_text())
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
        for location in result.get("locations", ())
    }
    assert f"{CORPUS}/item5-evil%0A%3A%3Aerror%20file%3Dx%3A%3Apwned.json" in uris
    html = (reports / "runconform-check.html").read_text()
    assert f"<code>{CORPUS}/{EVIL_SHOWN}:1: $</code>" in html
    for name in ("runconform-check.html", "runconform-check.md", "runconform-check.sarif"):
        assert EVIL_NAME not in (reports / name).read_text()


# -- map -----------------------------------------------------------------------------------


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def mapped(cli_corpus: Corpus) -> Outcome:
    return run_child(
        (*RUNCONFORM, "map", "--from", RUN, *cli_corpus.paths),
        case="corpus-map",
        cwd=cli_corpus.root,
        timeout=TIMEOUT,
    )


def test_map_reports_every_case_and_maps_every_run(mapped: Outcome) -> None:
    sound(mapped)
    assert mapped.returncode == 4
    expected = lines_of(CASES)
    problems = [line for line in map(map_line, expected) if line]
    extra = [line for case in CASES for line in case.map_extra]
    err = mapped.stderr.splitlines()
    assert sorted(err[:-1]) == sorted(problems + extra)
    runs = [_strict_json(line) for line in mapped.stdout.splitlines()]  # never Infinity
    assert len(runs) == records(expected)[RUN]
    assert {run["id"] for run in runs} == {GOOD_RUN["id"]}
    assert [run["duration_ms"] for run in runs].count(HUGE) == 1  # item 11: kept exact
    assert err[-1].startswith(f"{len(runs)} runs written; {len(extra)} ")
    assert err[-1].endswith(f" could not be mapped; {len(problems)} unreadable inputs")


def test_map_summary_counts_in_words(mapped: Outcome) -> None:
    assert " 1 record could not be mapped;" in mapped.stderr


# -- the pytest plugin ---------------------------------------------------------------------


def _plugin_run(corpus: Corpus, case: str) -> Outcome:
    (corpus.root / "pytest.ini").write_text(
        "[pytest]\nrunconform_recordings =\n" + "".join(f"    {p}\n" for p in corpus.paths)
    )
    return run_child(
        (*PYTEST, *PYTEST_OPTIONS, "--runconform-identify", "-rA"),
        case=case,
        cwd=corpus.root,
        timeout=TIMEOUT,
    )


def _nodes(outcome: Outcome, verdict: str) -> set[str]:
    """The node ids of the short summary's PASSED / FAILED lines."""
    return {
        line.removeprefix(f"{verdict} ").split(" - ")[0]
        for line in outcome.stdout.splitlines()
        if line.startswith(f"{verdict} ")
    }


def test_plugin_reports_every_case_and_the_good_file(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    corpus = _corpus(tmp_path_factory, "plugin", CASES)
    outcome = _plugin_run(corpus, "corpus-plugin")
    sound(outcome)
    assert outcome.returncode == 1
    expected = lines_of(CASES)
    out = outcome.stdout.splitlines()
    for line in filter(None, map(plugin_line, expected)):
        assert line in out
    assert _nodes(outcome, "FAILED") == {plugin_node(x) for x in expected if x.severity == "error"}
    assert _nodes(outcome, "PASSED") == {plugin_node(x) for x in expected if x.severity != "error"}
    assert "INTERNALERROR" not in outcome.output


def test_every_case_has_its_own_id_and_files() -> None:
    owners: dict[tuple[str, str], set[str]] = {}
    for case in CASES:
        for line in case.lines:
            owners.setdefault((line.folder, line.file.split("/")[0]), set()).add(case.id)
    assert all(len(ids) == 1 for ids in owners.values()), owners
    assert (CORPUS, GOOD_LINE.file) not in owners
    assert len({case.id for case in CASES}) == len(CASES)


# -- tools/hostile_figures.py --------------------------------------------------------------


def _figures_tool() -> Any:
    path = Path(__file__).parents[1] / "tools" / "hostile_figures.py"
    spec = importlib.util.spec_from_file_location("hostile_figures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_figures"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_hostile_figures_sums_up_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        ("deep-json-validate", 4, 0.61, 57.2, False, False),
        ("corpus-map", 4, 3.25, 170.1, False, False),
        ("deep-json-validate", 4, 0.93, 58.0, False, False),
        ("item7-huge-body-contract", 70, 12.5, 96.4, True, True),
    ]
    keys = ("case", "returncode", "seconds", "peak_rss_mib", "timed_out", "traceback")
    log = tmp_path / "hostile.jsonl"
    log.write_text("".join(json.dumps(dict(zip(keys, row, strict=True))) + "\n" for row in rows))
    monkeypatch.setenv("RUNCONFORM_HOSTILE_LOG", str(log))
    assert _figures_tool().main([]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "cases: 3",
        "child runs: 4",
        "exit 70: 1",
        "tracebacks: 1",
        "timed out: 1",
        "worst time: 12.50 s (item7-huge-body-contract)",
        "worst peak RSS: 170.1 MiB (corpus-map)",
        "",
        "case                      runs  exit  worst s  peak RSS MiB",
        "corpus-map                   1  4        3.25         170.1",
        "item7-huge-body-contract     1  70      12.50          96.4",
        "deep-json-validate           2  4        0.93          58.0",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "hostile_figures: error: the log holds no runs"),
        (
            '{"case": "x"}\n',
            "hostile_figures: error: LOG:1: not a run_child record ('returncode')",
        ),
        (
            '\n{"case": "x", "returncode": "4", "seconds": 1, "peak_rss_mib": 1,'
            ' "timed_out": false, "traceback": false}\n',
            "hostile_figures: error: LOG:2: not a run_child record (a field has the wrong type)",
        ),
    ],
    ids=["empty", "missing-field", "wrong-type"],
)
def test_hostile_figures_refuses_a_bad_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    log = tmp_path / "hostile.jsonl"
    log.write_text(content)
    assert _figures_tool().main([str(log)]) == 4
    assert capsys.readouterr().err.splitlines() == [message.replace("LOG", str(log))]


def test_following_runs_keeps_every_promise_on_the_corpus(cli_corpus: Corpus) -> None:
    """`--lifecycle` reads the hostile corpus a second time: no crash, bounded, the same
    record lines, and its own footer part."""
    outcome = run_child(
        (*RUNCONFORM, *VALIDATE, "--lifecycle", *cli_corpus.paths),
        case="corpus-validate-lifecycle",
        cwd=cli_corpus.root,
        timeout=TIMEOUT,
    )
    sound(outcome)
    expected = lines_of(CASES)
    out = outcome.stdout.splitlines()
    assert (outcome.returncode, outcome.stderr) == (4, "")
    records = [line for line in out[:-1] if not line.startswith("run ")]
    assert sorted(records) == sorted(validate_line(line) for line in expected)
    assert out[-1].startswith(summary(expected) + "; lifecycle: ")


@pytest.mark.parametrize(
    "command",
    [("drift", "--identify"), ("coverage", "--identify"), ("diff", "--recordings")],
    ids=["drift", "coverage", "diff-recordings"],
)
def test_the_corpus_commands_keep_every_promise(
    cli_corpus: Corpus, command: tuple[str, ...]
) -> None:
    """drift, coverage and diff's re-validation read the hostile corpus too: no crash,
    bounded, exit 4 (unreadable input), every read problem named, and every record beside
    them still counted."""
    if command[0] == "diff":  # two versions of Xceptor's contract: the same one, twice
        contract = str(ROOT / "contracts" / "xceptor")
        command = (
            "diff",
            contract,
            contract,
            *(a for p in cli_corpus.paths for a in ("--recordings", p)),
        )
        paths: list[str] = []
    else:
        paths = cli_corpus.paths
    outcome = run_child(
        (*RUNCONFORM, *command, *paths),
        case=f"corpus-{command[0]}",
        cwd=cli_corpus.root,
        timeout=TIMEOUT,
    )
    sound(outcome)
    assert outcome.returncode == 4, outcome.output
    problems = [line for line in lines_of(CASES) if line.severity == "error"]
    out = outcome.stdout
    for line in problems:
        assert line.message in out, (line, out[-3000:])
    count = sum(records(lines_of(CASES)).values())
    last = out.splitlines()[-1]
    assert f"; {_plural(len(problems), 'unreadable input')}" in last, last
    if command[0] != "diff":  # every record beside the bad inputs is counted
        assert f": {count} records read, {count} counted; " in last, last
