"""What keeps a contract run safe to point at a real vendor: credentials scrubbed from
every message, a request rate limit, and URLs shown without their secrets."""

from __future__ import annotations

import base64
import socket
import time
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit, urlunsplit

from conformance.errors import InputError, UsageError
from conformance.records.urls import REDACTED as REDACTED
from conformance.records.urls import shown_url as shown_url

#: The default --max-body-size: far above any run object or page, far below trouble.
DEFAULT_MAX_BODY_SIZE = 16 * 1024 * 1024
_SHORTEST_SECRET = 4  # shorter values would redact ordinary words; URLs hide them by place


def size_text(size: int) -> str:
    """`16 MiB`, `512 KiB`, `1000 bytes`: a byte count as a person reads it."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


class Scrubber:
    """Removes every credential value from text that leaves the run: header values (and
    the token of `Bearer TOKEN`), the base URL's user and password (also as the Basic
    auth header requests makes of them) and the values of the base URL's query."""

    def __init__(self, headers: tuple[tuple[str, str], ...], base_url: str = "") -> None:
        secrets = {v for _, v in headers}
        secrets |= {v.split(" ", 1)[1] for v in secrets if " " in v}
        secrets |= {
            value for name, v in headers if name.lower() == "cookie" for value in _cookies(v)
        }
        user, password, query = _url_secrets(base_url)
        if user or password:
            secrets |= {user, password, unquote(user), unquote(password)}
            pair = f"{unquote(user)}:{unquote(password)}".encode("latin-1", "replace")
            secrets.add(base64.b64encode(pair).decode("ascii"))
        self.query_names = frozenset(name for name, _ in query)
        for _, value in query:
            secrets |= {value, quote(value, safe=""), quote_plus(value)}
        # as error messages quote them: escaped (requests' `'key\\nrest'`) and line by line
        secrets |= {repr(s)[1:-1] for s in secrets}
        secrets |= {line for s in secrets for line in s.splitlines()}
        self.secrets = sorted(
            (s for s in secrets if len(s) >= _SHORTEST_SECRET), key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def __repr__(self) -> str:
        return f"Scrubber({len(self.secrets)} secrets)"

    def url(self, url: str) -> str:
        """A sent URL as a report keeps it, parseable: no user or password (they went as
        the Authorization header), the base URL's own query parameters redacted whatever
        their length, every other value scrubbed."""
        shown = shown_url(url, query=self._query)  # requests sent the user as a header
        return shown.replace(f"//{REDACTED}@", "//", 1)

    def _query(self, query: str) -> str:
        pairs = parse_qsl(query, keep_blank_values=True)
        return urlencode(
            [(n, REDACTED if n in self.query_names else self(v)) for n, v in pairs], safe="[]"
        )


def _cookies(header: str) -> set[str]:
    """The values of a Cookie header (`sid=SECRET; theme=dark`): a server may quote one alone."""
    return {pair.partition("=")[2].strip() for pair in header.split(";")}


def _url_secrets(url: str) -> tuple[str, str, list[tuple[str, str]]]:
    """The raw user, password and decoded query pairs of `url` ("" and [] when none)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "", "", []
    userinfo, at, _ = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":") if at else ("", "", "")
    return user, password, parse_qsl(parts.query, keep_blank_values=True)


def split_base_url(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """`https://h/v1?api_key=K` -> (`https://h/v1`, (("api_key", "K"),)): the URL every
    path is appended to, and the query sent with every request."""
    parts = urlsplit(url)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return base, tuple(parse_qsl(parts.query, keep_blank_values=True))


def basic_auth_clash(base_url: str, headers: tuple[tuple[str, str], ...]) -> str | None:
    """Why the credentials cannot be sent as given, or None: a user:password in the base
    URL becomes an Authorization header, which would silently replace one given too."""
    user, password, _ = _url_secrets(base_url)
    if (user or password) and any(n.lower() == "authorization" for n, _ in headers):
        return (
            "the base URL carries a user and password (sent as Basic auth) and an "
            "Authorization header is given too: give one of them, not both"
        )
    return None


class RateLimit:
    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a base URL to test, or None: the one check behind `--url`
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
        raise UsageError(f"--url: {problem}")
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            pass
    except socket.gaierror:  # the system's words for it differ; what happened does not
        raise InputError(f"cannot resolve host {parts.hostname} of {shown_url(base_url)}") from None
    except OSError as exc:
        raise InputError(f"cannot reach {shown_url(base_url)}: {exc.strerror or exc}") from None
