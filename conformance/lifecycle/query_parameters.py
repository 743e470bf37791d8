"""Query parameters: the ones each contract operation declares, and the ones a request sent.

Declared parameters are read from the vendor's OpenAPI documents as a contract run tests
them (operation errata applied): the path item's parameters, then the operation's own (which
replace a path item's parameter of the same name and place), a `$ref` to
`#/components/parameters/...` followed. Sent ones are the names in the request URL's query,
percent-decoded (`status%5B%5D=x` sent Knock's `status[]`), whatever their values; a name
with brackets that is not itself declared sends the parameter before them, as the
`deepObject` style writes one (`recipient[id]=...` sent Knock's `recipient`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance.bundle.operation_errata import corrected_sources
from conformance.bundle.resources import contracts_dir
from conformance.bundle.vendor_contracts import load_vendor
from conformance.validation.operations import HTTP_METHODS

#: (source, METHOD, path template) of an operation -> its query parameter names, in order
Declared = Mapping[tuple[str, str, str], tuple[str, ...]]


@cache
def declared_query(vendor: str) -> Declared:
    """Every operation of the vendor's bundled contract and its query parameters' names;
    empty for a vendor with no contract folder (canonical)."""
    directory = contracts_dir() / vendor
    if not (directory / "manifest.yaml").is_file():
        return {}
    found: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for corrected in corrected_sources(load_vendor(directory)):
        document = corrected.document
        named = (document.get("components") or {}).get("parameters") or {}
        for template, item in (document.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            shared = _parameters(item, named)
            for method, operation in item.items():
                if method in HTTP_METHODS and isinstance(operation, dict):
                    own = {**shared, **_parameters(operation, named)}
                    names = tuple(name for name, place in own if place == "query")
                    found[(corrected.source.relpath, method.upper(), template)] = names
    return found


def _parameters(holder: Mapping[str, Any], named: Mapping[str, Any]) -> dict[tuple[str, str], None]:
    """(name, in) of each parameter a path item or operation lists, in order."""
    listed = holder.get("parameters")
    found: dict[tuple[str, str], None] = {}
    for parameter in listed if isinstance(listed, list) else ():
        if isinstance(parameter, dict) and isinstance(parameter.get("$ref"), str):
            parameter = named.get(parameter["$ref"].rpartition("/")[2])
        if isinstance(parameter, dict) and "name" in parameter:
            found[(str(parameter["name"]), str(parameter.get("in", "")))] = None
    return found


def sent_query(url: str) -> tuple[str, ...]:
    """The query parameter names of a request URL, each once, in the order sent; () for a
    URL that cannot be split (a recording is user input)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        query = url.partition("?")[2].partition("#")[0]
    return tuple(dict.fromkeys(name for name, _ in parse_qsl(query, keep_blank_values=True)))


def sent_parameter(name: str, declared: tuple[str, ...]) -> str | None:
    """The declared parameter a sent query name is of: itself, else (a `deepObject`
    `recipient[id]`) the part before its first bracket; None when neither is declared."""
    if name in declared:
        return name
    base = name.partition("[")[0]
    return base if "[" in name and base in declared else None
