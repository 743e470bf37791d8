"""URLs as messages may show them: no user, password or query, which can hold credentials.

At the records layer because a recording may be read from a URL (`records.inputs`) and
its findings then name it; the contract run shows its base URL the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

REDACTED = "[REDACTED]"


def shown_url(url: str, query: Callable[[str], str] | None = None) -> str:
    """`url` as reports and messages may show it: user, password and query redacted
    (a base URL can carry credentials, `https://user:key@host/?api_key=...`); with
    `query`, the query as that function rewrites it instead."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. `http://[::1`: redact what could be secret, keep the rest
        url = re.sub(r"^([^/]*//)[^/?#]*@", rf"\1{REDACTED}@", url.partition("#")[0])
        path, mark, _ = url.partition("?")
        return path + (f"?{REDACTED}" if mark else "")
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    try:
        port = parts.port
    except ValueError:  # not a number: show nothing of it
        port = None
    netloc = host + (f":{port}" if port else "")
    if parts.username is not None or parts.password is not None:
        netloc = f"{REDACTED}@{netloc}"
    shown_query = (query(parts.query) if query else REDACTED) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, shown_query, ""))
