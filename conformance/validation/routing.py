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
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit

from conformance.bundle.catalog import Catalog, load_catalog
from conformance.bundle.document_loader import load_document
from conformance.bundle.openapi import COMPONENT_PREFIX, escape_pointer
from conformance.bundle.operation_errata import corrected_sources
from conformance.bundle.resources import contracts_dir
from conformance.bundle.vendor_contracts import load_all
from conformance.errors import UsageError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{[^{}/]+\}")


@dataclass(frozen=True)
class ResponseSpec:
    """What one declared response (status key) of an operation carries.

    `schema` is the bundled `"vendor.Object"` of the JSON body; when it is None,
    `unbundled_ref` is None if the contract declares no body schema, else
    `"file#pointer"` of the schema the bundle does not hold (inline, or a component
    that is not extracted).
    """

    status: str
    content_types: tuple[str, ...]
    schema: str | None
    unbundled_ref: str | None


@dataclass(frozen=True)
class Operation:
    """One operation of a vendor contract.

    `responses` maps the declared status keys ("200", "4XX", "default") to their
    spec; it is a read-only `MappingProxyType` (and left out of the hash), so the
    operation stays immutable and can still be looked up by key.
    """

    vendor: str
    operation_id: str
    method: str
    path_template: str
    source: str
    responses: Mapping[str, ResponseSpec] = field(hash=False)
    servers: tuple[str, ...] = ()

    @property
    def declared_statuses(self) -> tuple[str, ...]:
        """Status keys in reading order: codes ascending, then ranges, then `default`."""
        return tuple(sorted(self.responses, key=_status_order))

    def __str__(self) -> str:
        return f"{self.method} {self.path_template}"


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


def _status_order(key: str) -> tuple[int, str]:
    if key.isdigit():
        return (0, key.zfill(3))
    return (2, key) if key == "default" else (1, key)


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


# -- loading -----------------------------------------------------------------------------------


class _Loader:
    """Reads one vendor's OpenAPI sources and decides which response schemas are bundled."""

    def __init__(self, root: Path, catalog: Catalog) -> None:
        self.root = root
        self.catalog = catalog
        self.bundled = set(catalog.names(include_dependencies=True))
        self.documents: dict[str, Any] = {}

    def document(self, relpath: str) -> Any:
        if relpath not in self.documents:
            self.documents[relpath] = load_document(self.root / relpath, display=relpath)
        return self.documents[relpath]

    def bundled_name(self, vendor: str, source: str, ref: str) -> str | None:
        """`#/components/schemas/X` of `source` -> `"vendor.X"` if the bundle holds that text."""
        if not ref.startswith(COMPONENT_PREFIX) or "/" in ref[len(COMPONENT_PREFIX) :]:
            return None
        component = ref[len(COMPONENT_PREFIX) :]
        name = f"{vendor}.{component}"
        if name not in self.bundled:
            return None
        origin = self.catalog.entry(name).source
        if origin.get("file") == source:
            return name
        # Another document of the vendor was extracted: same name is not enough, same text is.
        here = _components(self.document(source)).get(component)
        there = _pointer(self.document(origin["file"]), origin.get("pointer", ""))
        return name if here is not None and here == there else None

    def response(self, vendor: str, source: str, status: str, raw: Any, at: str) -> ResponseSpec:
        document = self.document(source)
        if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
            at = raw["$ref"][1:]
            raw = _pointer(document, at)
        content = (raw or {}).get("content") or {}
        types = tuple(content)
        chosen = next((t for t in types if _is_json(t)), types[0] if types else None)
        schema = unbundled = None
        if chosen is not None and isinstance(content[chosen], dict):
            body = content[chosen].get("schema")
            if body is not None:
                ref = body.get("$ref") if isinstance(body, dict) else None
                schema = self.bundled_name(vendor, source, ref) if ref else None
                if schema is None:
                    where = ref[1:] if ref else f"{at}/content/{escape_pointer(chosen)}/schema"
                    unbundled = f"{source}#{where}"
        return ResponseSpec(status, types, schema, unbundled)

    def operations(self, vendor: str, source: str) -> list[Operation]:
        document = self.document(source)
        top = [s.get("url", "") for s in document.get("servers") or []]
        found = []
        for path, item in (document.get("paths") or {}).items():
            for method, op in item.items():
                if method not in HTTP_METHODS or not isinstance(op, dict):
                    continue
                at = f"/paths/{escape_pointer(path)}/{method}"
                responses = {
                    _status_key(status): self.response(
                        vendor, source, _status_key(status), raw, f"{at}/responses/{status}"
                    )
                    for status, raw in (op.get("responses") or {}).items()
                }
                servers = op.get("servers") or item.get("servers")
                urls = [s.get("url", "") for s in servers] if servers else top
                found.append(
                    Operation(
                        vendor=vendor,
                        operation_id=op.get("operationId") or f"{method.upper()} {path}",
                        method=method.upper(),
                        path_template=path,
                        source=source,
                        responses=MappingProxyType(responses),
                        servers=tuple(urls),
                    )
                )
        return found


def _status_key(status: object) -> str:
    """Response keys as written, with ranges upper-cased ("2xx" -> "2XX")."""
    key = str(status)
    return "default" if key.lower() == "default" else key.upper()


def _components(document: Any) -> dict[str, Any]:
    return ((document or {}).get("components") or {}).get("schemas") or {}


def _pointer(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or token not in node:
            return None
        node = node[token]
    return node


def _is_json(media_type: str) -> bool:
    base = _media(media_type)
    return base == "application/json" or base.endswith("+json")


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


@cache
def _all_operations(root: str, schemas: str | None) -> tuple[_Compiled, ...]:
    loader = _Loader(Path(root), load_catalog(schemas))
    compiled = []
    for vendor in load_all(Path(root)):
        # the contract a contract run tests: its operation errata applied (one place for them)
        loader.documents.update({c.source.relpath: c.document for c in corrected_sources(vendor)})
        for source in vendor.sources:
            if source.kind != "openapi":
                continue
            for op in loader.operations(vendor.vendor, source.relpath):
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


def _select(status: int, responses: Mapping[str, ResponseSpec]) -> ResponseSpec | None:
    """Exact code, then its `2XX`-style range, then `default`."""
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in responses:
            return responses[key]
    return None


def _content_problem(content_type: str, response: ResponseSpec) -> str | None:
    got = _media(content_type)
    declared = [_media(t) for t in response.content_types]
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
        response = _select(status, op.responses)
        if response is None:
            declared = ", ".join(op.declared_statuses) or "none"
            problems.append(f"status {status} is not declared for {op} (declared: {declared})")
        elif content_type:
            problem = _content_problem(content_type, response)
            if problem:
                problems.append(problem)
    return Route(operation=op, status=status, response=response, problems=tuple(problems))
