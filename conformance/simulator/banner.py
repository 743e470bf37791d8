"""What `serve` prints on stdout at start: its URL, how to authenticate, a command to paste.

The URL stays the first line (scripts read it). Then one comment line saying how requests
authenticate, then a `runconform contract` command that tests this simulator with the
ids it holds. A token `serve` generated is shown there, on stdout only, because the user
needs it and nothing else has it; a token the user gave with --token-env is never shown:
the command names the variable instead. Request logs (-v, stderr) never show either.
"""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Mapping

from conformance.simulator.drift_kinds import LIFECYCLE_DRIFT_KINDS, WRITE_DRIFT_FLAGS

#: The variable the printed command passes a generated token in (never on a command line).
TOKEN_VARIABLE = "RUNCONFORM_TOKEN"


def new_token() -> str:
    """A fresh bearer token for one `serve` run (32 random bytes, URL-safe text)."""
    return secrets.token_urlsafe(32)


def banner(
    vendor: str,
    url: str,
    ids: Mapping[str, str],
    *,
    token: str,
    token_env: str | None,
    drift: str | None = None,
    loopback: bool = True,
) -> list[str]:
    """The lines `serve` prints: URL, auth, an optional drift note, the contract command."""
    if token_env:
        lines = [url, f"# every request needs 'Authorization: Bearer ${token_env}'"]
        prefix, variable = "", token_env
    else:
        lines = [
            url,
            f"# every request needs 'Authorization: Bearer {token}' "
            "(a token made for this run; --token-env VAR chooses your own)",
        ]
        prefix, variable = f"{TOKEN_VARIABLE}={shlex.quote(token)} ", TOKEN_VARIABLE
    lifecycle = drift in LIFECYCLE_DRIFT_KINDS
    writes = WRITE_DRIFT_FLAGS.get(drift or "", ())
    if drift and writes:
        lines.append(
            f"# --fault drift={drift}: runs made by writes break their lifecycle that way; "
            "the contract run below makes runs (--lifecycle --allow-writes) and fails naming "
            "it (exit 1)"
        )
    elif drift and lifecycle:
        lines.append(
            f"# --fault drift={drift}: every run observed twice breaks its lifecycle that way; "
            "the contract run below polls runs (--lifecycle) and fails naming it (exit 1)"
        )
    elif drift:
        lines.append(
            f"# --fault drift={drift}: every run body breaks the contract that way; "
            "the contract run below fails naming it (exit 1)"
        )
    flags = [f"--url {shlex.quote(url)}", f"--token-env {variable}"]
    flags.append("--lifecycle" if lifecycle else "--stateful")
    flags.extend(writes)
    if loopback:
        flags.append("--rate-limit 0")
    flags.extend(f"--path-param {shlex.quote(f'{name}={value}')}" for name, value in ids.items())
    lines.append(f"{prefix}runconform contract {vendor} {' '.join(flags)}")
    return lines
