"""One name per concept across every command, old spellings as hidden aliases, colour.

Walks every command's parameters: a flag means one thing everywhere (the table is
`options.CONCEPTS`), the ecosystem's short forms are where their long forms are, every
hidden alias stands for a visible option of its command and parses to exactly what the
new spelling does, `-h` works everywhere, and `--color/--no-color` with `NO_COLOR` and
`FORCE_COLOR` decide whether ANSI escapes are written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest

from conformance.cli import cli
from conformance.cli.options import CONCEPTS, HiddenAlias

Cli = Callable[..., tuple[int, str, str]]
ANSI = "\x1b["


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, sub in group.commands.items():
        if isinstance(sub, click.Group):
            yield from commands(sub, (*path, name))
        else:
            yield (*path, name)


def command(path: tuple[str, ...]) -> click.Command:
    found: click.Command = cli
    for part in path:
        assert isinstance(found, click.Group)
        found = found.commands[part]
    return found


def options_of(path: tuple[str, ...]) -> list[click.Option]:
    return [p for p in command(path).params if isinstance(p, click.Option)]


ALL = sorted(commands())
IDS = [" ".join(p) for p in ALL]
#: The spellings renamed in this release: accepted, hidden, and never shown.
RENAMED = {"--format", "--out", "--base-url", "--timeout"}


def test_every_command_is_walked() -> None:
    assert IDS == [
        "check",
        "contract",
        "coverage",
        "diff",
        "drift",
        "fixtures",
        "identify",
        "map",
        "mappings check",
        "schemas build",
        "schemas lint",
        "schemas list",
        "schemas show",
        "serve",
        "validate",
    ]


def test_a_flag_belongs_to_one_concept() -> None:
    seen: dict[str, str] = {}
    for concept, spellings in CONCEPTS.items():
        for flag in spellings:
            assert seen.setdefault(flag, concept) == concept, flag


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_no_flag_means_two_things(path: tuple[str, ...]) -> None:
    """An option spelt with a concept's flag has only that concept's spellings, and the
    concept's short form wherever the ecosystem knows one (`-u`, `-H`, `-n`, `-o`, `-j`)."""
    for param in options_of(path):
        if param.hidden:
            continue
        flags = {*param.opts, *param.secondary_opts}
        for concept, spellings in CONCEPTS.items():
            if flags & set(spellings):
                assert flags <= set(spellings), (path, concept, flags)
                shorts = {f for f in spellings if not f.startswith("--")}
                assert shorts <= flags or concept in ("less output", "more output"), (path, flags)
        assert not flags & RENAMED, (path, flags)


def test_every_renamed_spelling_is_still_somewhere_hidden() -> None:
    hidden = {o for path in ALL for p in options_of(path) if p.hidden for o in p.opts}
    assert hidden == RENAMED


def test_every_command_offers_colour() -> None:
    assert all("--color" in {o for p in options_of(path) for o in p.opts} for path in ALL)
    assert any("--color" in p.opts for p in cli.params)


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_every_hidden_alias_stands_for_a_visible_option(path: tuple[str, ...]) -> None:
    params = options_of(path)
    for alias in params:
        if not alias.hidden:
            continue
        assert isinstance(alias, HiddenAlias)
        (new,) = [p for p in params if alias.replaced_by in p.opts and not p.hidden]
        assert (alias.name, type(alias.type), alias.multiple, alias.nargs) == (
            new.name,
            type(new.type),
            new.multiple,
            new.nargs,
        )
        assert alias.default == new.default and alias.callback is new.callback


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_dash_h_is_help_and_shows_no_hidden_spelling(run_cli: Cli, path: tuple[str, ...]) -> None:
    code, out, err = run_cli(*path, "-h")
    assert (code, err) == (0, "")
    assert out.startswith(f"Usage: runconform {' '.join(path)} ")
    shown = {word.strip(",") for word in out.split()}
    assert not shown & RENAMED


# -- the old spelling: the same value, the same refusal, nothing printed --------------------

URL = "http://127.0.0.1:9"
#: (command, old spelling, new spelling, a good value)
ALIASES = [
    (("validate", "runs.jsonl"), "--format", "--output-format", "json"),
    (("identify", "runs.jsonl"), "--format", "--output-format", "json"),
    (("schemas", "list"), "--format", "--output-format", "json"),
    (("schemas", "lint"), "--format", "--output-format", "json"),
    (("fixtures",), "--format", "--output-format", "yaml"),
    (("fixtures",), "--out", "-o", "out/runs.jsonl"),
    (("schemas", "build"), "--out", "--output", "schemas-out"),
    (("check",), "--out", "--report-dir", "out"),
    (("check",), "--base-url", "-u", URL),
    (("contract", "hatchet"), "--base-url", "--url", URL),
    (("contract", "hatchet", "-u", URL), "--timeout", "--request-timeout", "2.5"),
]


@pytest.mark.parametrize(("line", "old", "new", "value"), ALIASES)
def test_an_old_spelling_gives_the_same_values(
    line: tuple[str, ...], old: str, new: str, value: str
) -> None:
    path = tuple(w for w in line if w in {"schemas", "list", "lint", "build"}) or line[:1]
    args = list(line[len(path) :])
    cmd = command(path)
    names = ["-h", "--help"]  # the group's help names (click caches a command's)
    before = cmd.make_context(" ".join(path), [*args, old, value], help_option_names=names).params
    after = cmd.make_context(" ".join(path), [*args, new, value], help_option_names=names).params
    assert before == after
    assert value in {str(v) for v in after.values()} or float(value) in after.values()


OLD_REFUSALS = [
    pytest.param(
        ("fixtures", "--format", "xml"),
        "Error: Invalid value for '--format': 'xml' is not one of 'json', 'jsonl', 'yaml'.",
        id="fixtures:--format",
    ),
    pytest.param(
        ("validate", "runs.jsonl", "--format", "xml"),
        "Error: Invalid value for '--format': 'xml' is not one of 'github', 'json', 'junit', "
        "'sarif', 'text'.",
        id="validate:--format",
    ),
    pytest.param(
        ("check", "--base-url", "ftp://h"),
        "Error: Invalid value for '--base-url': expected an http(s) URL, got 'ftp://h'",
        id="check:--base-url",
    ),
]
NEW_REFUSALS = [
    pytest.param(
        ("fixtures", "--output-format", "xml"),
        "Error: Invalid value for '--output-format': 'xml' is not one of 'json', 'jsonl', 'yaml'.",
        id="fixtures:--output-format",
    ),
    pytest.param(
        ("check", "-u", "ftp://h"),
        "Error: Invalid value for '-u' / '--url': expected an http(s) URL, got 'ftp://h'",
        id="check:-u",
    ),
    pytest.param(
        ("contract", "hatchet"),
        "Error: Missing option '-u' / '--url'.",
        id="contract:no-url",
    ),
]


@pytest.mark.parametrize(("args", "message"), OLD_REFUSALS + NEW_REFUSALS)
def test_a_bad_value_is_refused_under_the_spelling_typed(
    run_cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(*args)
    assert (code, out, err.splitlines()[-1]) == (2, "", message)
    assert list(tmp_path.iterdir()) == []


def test_an_old_spelling_prints_nothing_extra(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    old = run_cli(
        "fixtures", "hatchet.V1TaskSummary", "-n", "2", "--format", "json", "--out", "a.json"
    )
    new = run_cli(
        "fixtures",
        "hatchet.V1TaskSummary",
        "--count",
        "2",
        "--output-format",
        "json",
        "-o",
        "b.json",
    )
    assert (old[0], old[1]) == (new[0], new[1]) == (0, "")
    assert old[2].replace("a.json", "X") == new[2].replace("b.json", "X")
    assert old[2].count("\n") == 1
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_output_dash_is_stdout(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs.json").write_text('{"hello": 1}\n')
    code, out, _ = run_cli(
        "validate",
        "runs.json",
        "--schema",
        "hatchet.V1TaskSummary",
        "--output-format",
        "json",
        "-o",
        "-",
    )
    assert code == 1 and json.loads(out)["summary"]["failing"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.json"]


# -- --seed says what it does everywhere -----------------------------------------------------


@pytest.mark.parametrize("path", [p for p in ALL if any("--seed" in o.opts for o in options_of(p))])
def test_seed_has_help(path: tuple[str, ...]) -> None:
    (seed,) = [o for o in options_of(path) if "--seed" in o.opts]
    assert seed.help == "Same seed, same random choices."


def test_seed_is_offered_where_randomness_is() -> None:
    offered = {" ".join(p) for p in ALL if any("--seed" in o.opts for o in options_of(p))}
    assert offered == {"check", "contract", "fixtures", "serve"}


# -- colour ---------------------------------------------------------------------------------

BAD = '{"hello": 1}\n'
VALIDATE = ("validate", "bad.json", "--schema", "hatchet.V1TaskSummary")


@pytest.fixture
def bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    (tmp_path / "bad.json").write_text(BAD)
    return tmp_path


@pytest.mark.parametrize(
    ("env", "flags", "coloured"),
    [
        ({}, (), False),  # not a terminal
        ({"FORCE_COLOR": "1"}, (), True),
        ({"FORCE_COLOR": "1"}, ("--no-color",), False),
        ({"NO_COLOR": "1"}, (), False),
        ({"NO_COLOR": "1"}, ("--color",), True),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, (), False),
        ({}, ("--color",), True),
    ],
)
def test_colour_flag_over_environment_over_terminal(
    run_cli: Cli,
    bad_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    flags: tuple[str, ...],
    coloured: bool,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run_cli(*VALIDATE, *flags)
    assert code == 1
    assert (ANSI in out) is coloured
    if coloured:
        assert "\x1b[31mbad.json:1:1: $: error: " in out


def test_colour_on_the_group_reaches_the_command(
    run_cli: Cli, bad_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ANSI not in run_cli("--no-color", *VALIDATE)[1]
    monkeypatch.delenv("FORCE_COLOR")
    assert ANSI in run_cli("--color", *VALIDATE)[1]
    assert ANSI not in run_cli("--color", *VALIDATE, "--no-color")[1]  # the closer flag wins


def test_rich_output_follows_the_same_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.cli.colour import console

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for color, expected in ((True, True), (False, False)):
        with click.Context(cli, color=color):
            shown = console()
            with shown.capture() as captured:
                shown.print("[red]x[/]")
            assert (ANSI in captured.get()) is expected
