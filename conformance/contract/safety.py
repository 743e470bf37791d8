"""What keeps a contract run safe to point at a real vendor: credentials scrubbed from
every message, a request rate limit, and URLs shown without their secrets."""

from __future__ import annotations

import re
import socket
import time
from urllib.parse import urlsplit, urlunsplit

from conformance.errors import InputError, UsageError

REDACTED = "[REDACTED]"


class Scrubber:
    """Removes every credential value from text that leaves the run."""

    def __init__(self, headers: tuple[tuple[str, str], ...]) -> None:
        secrets = {v for _, v in headers if len(v) >= 4}
        secrets |= {
            v.split(" ", 1)[1] for v in secrets if " " in v and len(v.split(" ", 1)[1]) >= 4
        }
        self.secrets = sorted(secrets, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


class RateLimit:
    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def shown_url(url: str) -> str:
    """`url` as reports and messages may show it: user, password and query redacted
    (a base URL can carry credentials, `https://user:key@host/?api_key=...`)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. `http://[::1`: redact what could be secret, keep the rest
        url = re.sub(r"^([^/]*//)[^/?#]*@", rf"\1{REDACTED}@", url.partition("#")[0])
        path, query, _ = url.partition("?")
        return path + (f"?{REDACTED}" if query else "")
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    try:
        port = parts.port
    except ValueError:  # not a number: show nothing of it
        port = None
    netloc = host + (f":{port}" if port else "")
    if parts.username is not None or parts.password is not None:
        netloc = f"{REDACTED}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, REDACTED if parts.query else "", ""))


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a base URL to test, or None: the one check behind `--base-url`
    (contract, check) and `--runconform-base-url`, so a typo is a usage error, not a crash."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number in 0-65535
    except ValueError as exc:
        return f"not a valid URL ({exc}): {shown_url(url)!r}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"expected an http(s) URL, got {shown_url(url)!r}"
    return None


def check_reachable(base_url: str, timeout: float) -> None:
    """Fail fast, with a clear message, when nothing listens at the base URL."""
    problem = base_url_problem(base_url)
    if problem:
        raise UsageError(f"--base-url: {problem}")
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            pass
    except OSError as exc:
        raise InputError(f"cannot reach {shown_url(base_url)}: {exc.strerror or exc}") from None
