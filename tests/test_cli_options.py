"""The shared option blocks (`cli/options.py`) and the param types (`cli/params.py`).

Data-driven over every command that offers a shared option: the option is there under
the same name, destination, default and help, and a bad value is refused with the exact
message and exit 2 before any work is done (no file is read, no socket dialled: the
127.0.0.1:9 base URL is never reached).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import pytest

from conformance.cli import cli
from conformance.cli.fixtures_cmd import FORMAT_SUFFIXES
from conformance.cli.params import (
    CommaSeparatedChoice,
    Header,
    NameValue,
    Rate,
    VendorName,
    flatten_unique,
)
from conformance.errors import UsageError

Cli = Callable[..., tuple[int, str, str]]

#: How to reach each command with nothing else wrong on its line.
COMMANDS: dict[str, tuple[str, ...]] = {
    "check": ("check",),
    "contract": ("contract", "hatchet", "--url", "http://127.0.0.1:9"),
    "validate": ("validate", "runs.jsonl"),
    "identify": ("identify", "runs.jsonl"),
    "fixtures": ("fixtures",),
    "map": ("map", "runs.jsonl", "--from", "hatchet.V1TaskSummary"),
    "serve": ("serve", "hatchet"),
    "schemas list": ("schemas", "list"),
    "schemas show": ("schemas", "show", "hatchet.V1TaskSummary"),
    "schemas lint": ("schemas", "lint"),
}

#: flag -> (destination, the value a command gets without it, the commands that offer it).
SHARED: dict[str, tuple[str, object, tuple[str, ...]]] = {
    "--schema": ("schema", None, ("validate", "check")),
    "--vendor": ("vendor", None, ("identify", "schemas list", "validate")),
    "--as-published": ("as_published", False, ("validate", "check", "schemas show")),
    "--strict": ("strict", False, ("validate", "check")),
    "--output-format": ("fmt", "text", ("identify", "schemas list", "schemas lint")),
    "--output": ("output", None, ("validate", "map")),
    "--quiet": ("quiet", 0, ("validate", "schemas lint")),
    "--seed": ("seed", 0, ("check", "contract", "serve", "fixtures")),
    "--url": ("base_url", None, ("check", "contract")),
    "--header": ("headers", (), ("check", "contract")),
    "--token-env": ("token_env", None, ("check", "contract")),
    "--max-examples": ("max_examples", 10, ("check", "contract")),
    "--max-body-size": ("max_body_size", 16 * 1024 * 1024, ("check", "contract")),
    "--allow-untested": ("allow_untested", False, ("check", "contract")),
}
#: Where a command says in its own words what the shared option does for it.
OWN_WORDS = {("validate", "--vendor"), ("check", "--url"), ("contract", "--url")}
#: The help of an option a command offers in one of its stages carries the stage's name.
STAGE = "Contract stage: "


def command(name: str) -> click.Command:
    found: click.Command = cli
    for part in name.split():
        assert isinstance(found, click.Group)
        found = found.commands[part]
    return found


def option(name: str, flag: str) -> click.Option:
    matches = [p for p in command(name).params if isinstance(p, click.Option) and flag in p.opts]
    assert len(matches) == 1, (name, flag)
    return matches[0]


def defaults(name: str) -> dict[str, object]:
    """What the command's body gets when none of its options is given."""
    args = COMMANDS[name][len(name.split()) :]
    # the group's help names: click caches a command's help option the first time a context
    # asks for it, and a bare context would leave it `--help` only for the later tests
    return command(name).make_context(name, list(args), help_option_names=["-h", "--help"]).params


def _help(param: click.Option) -> str:
    text = param.help or ""
    return text[len(STAGE)].upper() + text[len(STAGE) + 1 :] if text.startswith(STAGE) else text


CASES = [(flag, name) for flag, (_, _, names) in SHARED.items() for name in names]


@pytest.mark.parametrize(("flag", "name"), CASES, ids=[f"{n}:{f}" for f, n in CASES])
def test_a_shared_option_has_one_name_default_and_help(flag: str, name: str) -> None:
    dest, default, offered_by = SHARED[flag]
    param = option(name, flag)
    assert param.name == dest
    if flag not in COMMANDS[name]:  # contract needs its --url on every line here
        assert defaults(name)[dest] == default
    first = option(offered_by[0], flag)
    assert type(param.type) is type(first.type)
    if (name, flag) not in OWN_WORDS:
        assert _help(param) == _help(first)


def test_every_command_still_offers_its_options() -> None:
    """The flags of every command, as they were before the options were shared, under
    their one name per concept (`--help` shows these); the old spellings are hidden."""
    shown = {
        name: sorted(
            o for p in command(name).params if not getattr(p, "hidden", False) for o in p.opts
        )
        for name in COMMANDS
    }
    hidden = {
        name: sorted(o for p in command(name).params if getattr(p, "hidden", False) for o in p.opts)
        for name in COMMANDS
    }
    assert shown["contract"] == sorted(
        [
            "vendor",
            "-u",
            "--url",
            "--contract",
            "-H",
            "--header",
            "--token-env",
            "--operation",
            "--path-param",
            "-n",
            "--max-examples",
            "--rate-limit",
            "--request-timeout",
            "--max-time",
            "--max-body-size",
            "--expect",
            "--stateful",
            "--allow-writes",
            "--lifecycle",
            "--polls",
            "--poll-interval",
            "--stuck-after",
            "--allow-untested",
            "--seed",
            "--report",
            "--report-dir",
            "--color",
            "--errata",
        ]
    )
    assert hidden["contract"] == ["--base-url", "--timeout"]
    assert shown["check"] == sorted(
        [
            "paths",
            "--vendor",
            "--schema",
            "-u",
            "--url",
            "-H",
            "--header",
            "--token-env",
            "--report",
            "--report-dir",
            "--as-published",
            "--strict",
            "--fixtures",
            "-n",
            "--max-examples",
            "--allow-untested",
            "--max-body-size",
            "--seed",
            "-q",
            "--quiet",
            "--color",
            "--errata",
        ]
    )
    assert hidden["check"] == ["--base-url", "--out"]


# -- a bad value: the exact message, exit 2 -------------------------------------------------

CONTRACT = COMMANDS["contract"]
USAGE_ERROR = "runconform: error: "


def invalid(flag: str, message: str) -> str:
    return f"Error: Invalid value for '{flag}': {message}"


BAD_VALUES = [
    *(
        pytest.param(
            (*COMMANDS[name], "--vendor", "nope"),
            f"{USAGE_ERROR}unknown vendor 'nope'; known: canonical, hatchet, knock, paragon, "
            "restack, xceptor",
            id=f"{name}:--vendor",
        )
        for name in SHARED["--vendor"][2]
    ),
    *(
        pytest.param(
            (*COMMANDS[name], "--output-format", "xml"),
            invalid("--output-format", "'xml' is not one of 'text', 'json'."),
            id=f"{name}:--output-format",
        )
        for name in SHARED["--output-format"][2]
    ),
    *(
        pytest.param(
            (*COMMANDS[name], "--seed", "x"),
            invalid("--seed", "'x' is not a valid integer."),
            id=f"{name}:--seed",
        )
        for name in SHARED["--seed"][2]
    ),
    *(
        pytest.param(
            (*COMMANDS[name], flag, "--url", "ftp://h"),
            invalid("-u' / '--url", "expected an http(s) URL, got 'ftp://h'"),
            id=f"{name}:{flag}",
        )
        for name in SHARED["--url"][2]
        for flag in ("--strict", "--as-published")
        if name in SHARED[flag][2]
    ),
    *(
        pytest.param(
            (*COMMANDS[name], "--url", "http://127.0.0.1:9", "--header", "X-Key sk_x"),
            f"{USAGE_ERROR}--header wants 'Name: value'; one has no name before a ':'",
            id=f"{name}:--header",
        )
        for name in SHARED["--header"][2]
    ),
    *(
        pytest.param(
            (*COMMANDS[name], "--max-examples", "0"),
            invalid("-n' / '--max-examples", "0 is not in the range 1<=x<=10000."),
            id=f"{name}:--max-examples",
        )
        for name in SHARED["--max-examples"][2]
    ),
    *(
        pytest.param(
            (*COMMANDS[name], "--max-body-size", "lots"),
            invalid(
                "--max-body-size",
                "'lots' is not a size: bytes, or a number with KiB, MiB, GiB, KB, MB or GB",
            ),
            id=f"{name}:--max-body-size",
        )
        for name in SHARED["--max-body-size"][2]
    ),
    *(
        pytest.param(
            (*COMMANDS[name], f"{flag}=yes"),
            f"Error: Option '{flag}' does not take a value.",
            id=f"{name}:{flag}=yes",
        )
        for flag in ("--strict", "--as-published", "--allow-untested", "--quiet")
        for name in SHARED[flag][2]
    ),
    pytest.param(
        ("validate", "runs.jsonl", "--jobs", "0"),
        invalid("-j' / '--jobs", "0 is not in the range 1<=x<=64."),
        id="validate:--jobs",
    ),
    pytest.param(
        (*CONTRACT, "--request-timeout", "0"),
        invalid("--request-timeout", "0.0 is not in the range x>0."),
        id="contract:--request-timeout",
    ),
    pytest.param(
        (*CONTRACT, "--max-time", "inf"),
        invalid("--max-time", "'inf' is not a finite number of seconds"),
        id="contract:--max-time",
    ),
    pytest.param(
        (*CONTRACT, "--rate-limit", "10/h"),
        f"{USAGE_ERROR}--rate-limit wants N, N/s or N/m, got '10/h'",
        id="contract:--rate-limit",
    ),
    pytest.param(
        (*CONTRACT, "--path-param", "runId="),
        f"{USAGE_ERROR}--path-param wants NAME=VALUE, got 'runId='",
        id="contract:--path-param",
    ),
    pytest.param(
        (*CONTRACT, "--expect", "listRuns"),
        f"{USAGE_ERROR}--expect wants NAME=VALUE, got 'listRuns'",
        id="contract:--expect",
    ),
    pytest.param(
        (*CONTRACT, "--report", "json", "--report", "junit,xml"),
        f"{USAGE_ERROR}unknown report format 'xml'; "
        "choose from github, json, junit, sarif, text, har, vcr",
        id="contract:--report",
    ),
    pytest.param(
        ("serve", "zapier"),
        "Error: Invalid value for '{hatchet|knock|paragon|restack|xceptor}': 'zapier' is not one "
        "of 'hatchet', 'knock', "
        "'paragon', 'restack', 'xceptor'.",
        id="serve:VENDOR",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD_VALUES)
def test_a_bad_value_of_a_shared_option_is_refused(
    run_cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing may be written; runs.jsonl does not exist
    code, out, err = run_cli(*args)
    assert (code, out, err.splitlines()[-1]) == (2, "", message)
    assert "sk_x" not in err
    assert list(tmp_path.iterdir()) == []


# -- the param types, one by one ------------------------------------------------------------


def convert(kind: click.ParamType, text: str, flag: str = "--x") -> object:
    return kind.convert(text, click.Option([flag]), None)


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("Authorization: Bearer sk", ("Authorization", "Bearer sk")),
        ("  X-Key :  v:w  ", ("X-Key", "v:w")),
        ("X-Empty:", ("X-Empty", "")),
    ],
)
def test_a_header_is_a_name_and_a_value(text: str, pair: tuple[str, str]) -> None:
    assert convert(Header(), text, "--header") == pair


@pytest.mark.parametrize("text", ["Authorization Bearer sk_x", ": sk_x", "  : sk_x"])
def test_a_header_with_no_name_is_refused_without_echoing_it(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        convert(Header(), text, "--header")
    assert str(caught.value) == "--header wants 'Name: value'; one has no name before a ':'"


@pytest.mark.parametrize(
    ("text", "pair"), [("runId=r-1", ("runId", "r-1")), (" a = b=c ", ("a", "b=c"))]
)
def test_name_value(text: str, pair: tuple[str, str]) -> None:
    assert convert(NameValue(), text, "--path-param") == pair


@pytest.mark.parametrize("text", ["runId", "=r-1", "runId=", " = "])
def test_name_value_wants_both(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        convert(NameValue(), text, "--path-param")
    assert str(caught.value) == f"--path-param wants NAME=VALUE, got {text!r}"


@pytest.mark.parametrize(
    ("text", "per_second"),
    [("10", 10.0), ("10/s", 10.0), ("600/m", 10.0), ("0", 0.0), ("2.5/s", 2.5)],
)
def test_a_rate_is_requests_per_second(text: str, per_second: float) -> None:
    assert convert(Rate(), text, "--rate-limit") == per_second


@pytest.mark.parametrize("text", ["-5", "nan/s", "inf", "10/h", "ten", "", "/s"])
def test_a_bad_rate_is_refused(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        convert(Rate(), text, "--rate-limit")
    assert str(caught.value) == f"--rate-limit wants N, N/s or N/m, got {text!r}"


FORMATS = ("json", "junit", "har", "vcr")


@pytest.mark.parametrize(
    ("given", "chosen"),
    [
        (("junit,json", "har"), ("junit", "json", "har")),
        (("json, json", "json"), ("json",)),
        ((",", ""), ()),
    ],
)
def test_comma_separated_choices_join_in_order_once(
    given: tuple[str, ...], chosen: tuple[str, ...]
) -> None:
    kind = CommaSeparatedChoice(FORMATS, what="report format")
    parts = tuple(kind.convert(text, None, None) for text in given)
    assert flatten_unique(click.Context(cli), click.Option(["--report"]), parts) == chosen


def test_an_unknown_choice_says_the_choices_and_the_choices_may_be_asked_late() -> None:
    asked: list[bool] = []

    def late() -> tuple[str, ...]:
        asked.append(True)
        return FORMATS

    kind = CommaSeparatedChoice(late, what="report format")
    assert asked == []
    with pytest.raises(UsageError) as caught:
        kind.convert("json,xml", None, None)
    assert str(caught.value) == "unknown report format 'xml'; choose from json, junit, har, vcr"


def test_a_vendor_is_one_of_the_catalog() -> None:
    assert convert(VendorName(), "canonical") == "canonical"
    with pytest.raises(UsageError) as caught:
        convert(VendorName(), "Hatchet")
    assert str(caught.value) == (
        "unknown vendor 'Hatchet'; known: canonical, hatchet, knock, paragon, restack, xceptor"
    )


def test_fixture_out_suffixes_are_the_recording_suffixes_of_the_fixture_formats() -> None:
    assert FORMAT_SUFFIXES == {
        ".json": "json",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".yaml": "yaml",
        ".yml": "yaml",
    }
