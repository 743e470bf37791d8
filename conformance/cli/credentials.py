"""Credentials from the command line: the --header pairs and the --token-env variable.

Shared by `contract`, `check` and `serve`, so each says the same thing about an unset
variable (a bad header: `params.Header`), and none ever echoes a value.
"""

from __future__ import annotations

import os

from conformance.errors import UsageError


def env_token(variable: str) -> str:
    """The value of the --token-env variable; unset or empty is a usage error."""
    token = os.environ.get(variable)
    if not token:
        raise UsageError(f"--token-env {variable}: the variable is not set or empty")
    return token


def request_headers(
    headers: tuple[tuple[str, str], ...], token_env: str | None
) -> tuple[tuple[str, str], ...]:
    """Every --header (parsed by `params.Header`), plus `Authorization: Bearer $VAR` for
    --token-env VAR."""
    if token_env:
        return (*headers, ("Authorization", f"Bearer {env_token(token_env)}"))
    return headers
