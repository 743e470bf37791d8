"""Credentials from the command line: --header values and the --token-env variable.

Shared by `contract`, `check` and `serve`, so each says the same thing about a bad
header or an unset variable, and none ever echoes a value.
"""

from __future__ import annotations

import os

from conformance.errors import UsageError


def parse_header(text: str) -> tuple[str, str]:
    """`'Name: value'` -> (name, value)."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        # the text is not echoed: a malformed header is still likely to hold a credential
        raise UsageError("--header wants 'Name: value'; one has no name before a ':'")
    return name.strip(), value.strip()


def env_token(variable: str) -> str:
    """The value of the --token-env variable; unset or empty is a usage error."""
    token = os.environ.get(variable)
    if not token:
        raise UsageError(f"--token-env {variable}: the variable is not set or empty")
    return token


def request_headers(headers: tuple[str, ...], token_env: str | None) -> tuple[tuple[str, str], ...]:
    """Every --header, plus `Authorization: Bearer $VAR` for --token-env VAR."""
    pairs = [parse_header(h) for h in headers]
    if token_env:
        pairs.append(("Authorization", f"Bearer {env_token(token_env)}"))
    return tuple(pairs)
