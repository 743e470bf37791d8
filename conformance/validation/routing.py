"""Route a recorded HTTP exchange (method, URL, status) to its contract operation and schema.

Recordings (VCR cassettes, HAR, Postman) say what was called, not which object
came back; the vendors' OpenAPI documents say which schema each operation's
response must conform to. Routing joins the two, and reports where the exchange
steps outside what the contract declares (an undeclared status or content type).

Choosing among several matching operations, best first:

1. a URL whose host is a declared server host of a vendor is only routed within that
   vendor (a host is strong evidence; self-hosted or proxied hosts match every vendor);
2. more literal path segments (the server base path counts), so Restack's very generic
   `/api/workflows/{workflowName}/{runId}` loses to any more specific template;
3. literal before template, segment by segment from the left (OpenAPI's own rule:
   `/workflow-runs/display-names` beats `/workflow-runs/{id}`);
4. vendor, source and document order, so the choice is deterministic; a tie that
   survives to this step across vendors is named in `Route.problems`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conformance.bundle.catalog import derived_cache
from conformance.bundle.resources import contracts_dir
from conformance.errors import UsageError

# The operation table lives in `operations`; its names are importable from here too.
from conformance.validation.operations import (
    HTTP_METHODS,
    Operation,
    ResponseSpec,
    media_type_of,
    read_operations,
)

__all__ = [
    "HTTP_METHODS",
    "Operation",
    "ResponseSpec",
    "Route",
    "load_operations",
    "route",
    "url_problem",
]

_TEMPLATE = re.compile(r"\{[^{}/]+\}")


@dataclass(frozen=True)
class Route:
    """A recorded exchange matched to an operation; `problems` are one-line findings."""

    operation: Operation
    status: int | None
    response: ResponseSpec | None  # None: status unknown or not declared
    problems: tuple[str, ...]

    @property
    def schema(self) -> str | None:
        """The bundled schema the response body must conform to, if any."""
        return self.response.schema if self.response else None


def _segments(path: str) -> list[str]:
    """`/a/b%20c/` -> ["a", "b c"]: split first, then decode, so `%2F` stays in its segment."""
    parts = path.split("/")
    if parts and parts[0] == "":
        parts = parts[1:]
    if parts and parts[-1] == "":
        parts = parts[:-1]
    return [unquote(p) for p in parts]


@dataclass(frozen=True)
class _Pattern:
    """A path template as per-segment matchers and a specificity key."""

    segments: tuple[str | re.Pattern[str], ...]  # literal text or a full-match regex
    rank: tuple[int, ...]  # per segment: 2 literal, 1 partly templated, 0 template

    @classmethod
    def of(cls, template: str) -> _Pattern:
        segments: list[str | re.Pattern[str]] = []
        rank = []
        for seg in _segments(template):
            if not _TEMPLATE.search(seg):
                segments.append(seg)
                rank.append(2)
                continue
            literal = _TEMPLATE.split(seg)
            regex = ".+".join(re.escape(part) for part in literal)  # decoded: "/" allowed
            segments.append(re.compile(regex))
            rank.append(0 if literal == ["", ""] else 1)
        return cls(tuple(segments), tuple(rank))

    def matches(self, segments: list[str]) -> bool:
        if len(segments) != len(self.segments):
            return False
        for want, got in zip(self.segments, segments, strict=True):
            if isinstance(want, str):
                if want != got:
                    return False
            elif not got or not want.fullmatch(got):
                return False
        return True


def _server_parts(url: str) -> tuple[str, str]:
    """A server URL -> (lowercased host or "", base path without trailing slash)."""
    split = urlsplit(url)
    return (split.hostname or "").lower(), split.path.rstrip("/")


@dataclass(frozen=True)
class _Compiled:
    operation: Operation
    hosts: frozenset[str]
    prefixes: tuple[_Pattern, ...]  # server base paths, longest first, always ending with ""
    pattern: _Pattern


@derived_cache
def _all_operations(root: str, schemas: str | None) -> tuple[_Compiled, ...]:
    compiled = []
    for op in read_operations(Path(root), schemas):
        parts = sorted({_server_parts(u) for u in op.servers}, key=lambda p: -len(p[1]))
        prefixes = [_Pattern.of(p) for p in dict.fromkeys(p for _, p in parts) if p]
        compiled.append(
            _Compiled(
                operation=op,
                hosts=frozenset(h for h, _ in parts if h),
                prefixes=(*prefixes, _Pattern((), ())),
                pattern=_Pattern.of(op.path_template),
            )
        )
    return tuple(compiled)


def _compiled(vendor: str | None) -> tuple[_Compiled, ...]:
    everything = _all_operations(str(contracts_dir()), None)
    if vendor is None:
        return everything
    known = {d.name for d in contracts_dir().iterdir() if (d / "manifest.yaml").is_file()}
    if vendor not in known:
        raise UsageError(f"unknown vendor {vendor!r}; known: {', '.join(sorted(known))}")
    return tuple(c for c in everything if c.operation.vendor == vendor)


def load_operations(vendor: str | None = None) -> tuple[Operation, ...]:
    """Every operation of the bundled contracts (of one vendor), in a stable order; cached."""
    return tuple(c.operation for c in _compiled(vendor))


# -- routing -----------------------------------------------------------------------------------


def _split_target(url_or_path: str) -> tuple[str, list[str]]:
    """A URL or a path -> (lowercased host or "", decoded path segments); query dropped."""
    text = url_or_path.strip()
    if "://" not in text and not text.startswith("//"):
        text = "/" + text.lstrip("/")
    split = urlsplit(text)
    return (split.hostname or "").lower(), _segments(split.path)


def url_problem(url_or_path: str) -> str | None:
    """Why a recorded URL cannot be routed (`Invalid IPv6 URL` for `http://[::1/runs`), or
    None: a recording is user input, so such a URL is a finding, not a crash."""
    try:
        _split_target(url_or_path)
    except ValueError as exc:
        return str(exc)
    return None


def _match(c: _Compiled, segments: list[str]) -> tuple[int, ...] | None:
    """The specificity of the best way `c` matches the path, or None."""
    best: tuple[int, ...] | None = None
    for prefix in c.prefixes:
        n = len(prefix.segments)
        if prefix.matches(segments[:n]) and c.pattern.matches(segments[n:]):
            rank = prefix.rank + c.pattern.rank
            key = (sum(r == 2 for r in rank), *rank)
            best = key if best is None or key > best else best
    return best


def select_response(status: int, responses: Mapping[str, ResponseSpec]) -> ResponseSpec | None:
    """Exact code, then its `2XX`-style range, then `default`."""
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in responses:
            return responses[key]
    return None


def _content_problem(content_type: str, response: ResponseSpec) -> str | None:
    got = media_type_of(content_type)
    declared = [media_type_of(t) for t in response.content_types]
    for want in declared:
        if want in (got, "*/*") or (want.endswith("/*") and got.startswith(want[:-1])):
            return None
    listed = ", ".join(response.content_types) if response.content_types else "none"
    return f"content type {got} is not declared (declared: {listed})"


def route(
    method: str,
    url_or_path: str,
    status: int | None,
    *,
    content_type: str | None = None,
    vendor: str | None = None,
) -> Route | None:
    """The operation (and response spec) a recorded exchange belongs to; None if none matches.

    `url_or_path` is a full URL or a path (no scheme: a path); query and fragment are
    ignored and segments are percent-decoded after splitting. `status=None` (not
    recorded) routes the operation but selects no response. An unparseable URL (see
    `url_problem`) routes nowhere.
    """
    try:
        host, segments = _split_target(url_or_path)
    except ValueError:
        return None
    wanted = method.strip().upper()
    pool = [c for c in _compiled(vendor) if c.operation.method == wanted]
    if host and any(host in c.hosts for c in pool):
        pool = [c for c in pool if host in c.hosts]
    ranked = []
    for position, c in enumerate(pool):
        key = _match(c, segments)
        if key is not None:
            ranked.append((key, -position, c))
    if not ranked:
        return None
    ranked.sort(key=lambda r: (r[0], r[1]), reverse=True)
    top_key, _, chosen = ranked[0]
    op = chosen.operation
    problems = [
        f"also matches {c.operation.vendor} {c.operation} ({c.operation.source}); "
        "pass vendor= to choose"
        for key, _, c in ranked[1:]
        if key == top_key and c.operation.vendor != op.vendor
    ]
    response = None
    if status is not None:
        response = select_response(status, op.responses)
        if response is None:
            declared = ", ".join(op.declared_statuses) or "none"
            problems.append(f"status {status} is not declared for {op} (declared: {declared})")
        elif content_type:
            problem = _content_problem(content_type, response)
            if problem:
                problems.append(problem)
    return Route(operation=op, status=status, response=response, problems=tuple(problems))
