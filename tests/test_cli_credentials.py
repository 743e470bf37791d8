"""--header and --token-env say the same thing in every command that takes them."""

from __future__ import annotations

import pytest

COMMANDS = {
    "contract": ["contract", "knock", "--base-url", "http://127.0.0.1:9"],
    "check": ["check", "--vendor", "knock", "--base-url", "http://127.0.0.1:9"],
    "serve": ["serve", "knock"],
}


@pytest.mark.parametrize("command", ["contract", "check", "serve"])
def test_an_unset_token_variable_is_a_usage_error(
    run_cli, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNCONFORM_NO_SUCH_TOKEN", raising=False)
    code, out, err = run_cli(*COMMANDS[command], "--token-env", "RUNCONFORM_NO_SUCH_TOKEN")
    assert (code, out) == (2, "")
    assert err == (
        "runconform: error: --token-env RUNCONFORM_NO_SUCH_TOKEN: the variable is not set or empty\n"
    )


@pytest.mark.parametrize("command", ["contract", "check"])
def test_a_header_without_a_colon_is_a_usage_error(run_cli, command: str) -> None:
    code, out, err = run_cli(*COMMANDS[command], "--header", "Authorization Bearer sk_x")
    assert (code, out) == (2, "")
    assert err == "runconform: error: --header wants 'Name: value'; one has no name before a ':'\n"
    assert "sk_x" not in err  # the malformed header may well hold the credential
