"""A `curl` line that sends again the request a failure was found on, as Schemathesis
gives one: built from the request as it was sent (method, URL, headers, body), with every
credential redacted: the values of --header and --token-env, Authorization and Cookie
whatever their origin, the base URL's user, password and query values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from shlex import quote
from typing import Any

from conformance.contract.safety import REDACTED, Scrubber

#: Headers requests and Schemathesis add on their own: not part of what the case sent.
_AUTOMATIC = frozenset(
    {
        "user-agent",
        "accept-encoding",
        "accept",
        "connection",
        "content-length",
        "x-schemathesis-testcaseid",
    }
)
#: Header names whose value is a credential, whoever set it.
_CREDENTIALS = frozenset({"authorization", "proxy-authorization", "cookie"})


def curl_line(
    request: Any, generated: Mapping[str, Any], secret_names: Iterable[str], scrub: Scrubber
) -> str:
    """`curl -X GET -H 'Authorization: [REDACTED]' 'http://host/runs/1'` for the sent
    `request` (a requests PreparedRequest); `generated`: the headers the case itself set,
    kept even when requests would add them too."""
    secret = {name.lower() for name in secret_names} | _CREDENTIALS
    kept = {name.lower() for name in generated}
    words = ["curl", "-X", str(request.method)]
    for name, value in request.headers.items():
        low = name.lower()
        if low in _AUTOMATIC and low not in kept:
            continue
        shown = REDACTED if low in secret else scrub(str(value))
        words += ["-H", quote(f"{name}: {shown}")]
    body = request.body
    if body:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        words += ["-d", quote(scrub(text))]
    words.append(quote(scrub.url(str(request.url))))
    return " ".join(words)


def with_reproduction(hint: str, curl: str) -> str:
    """The finding's hint, then how to reproduce it."""
    return f"{hint}; reproduce: {curl}" if hint else f"reproduce: {curl}"
