"""Loading JSON and YAML documents from disk with errors that name file and line.

Contracts, manifests, errata and mappings are all read through here, with
YAML's safe loader (no tags that construct Python objects) and with YAML 1.1
timestamps kept as strings, so every document stays plain JSON data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from conformance.errors import BundleError


class _JsonCompatibleLoader(yaml.SafeLoader):
    """Safe loader that leaves `2025-01-01T00:00:00Z` as a string, as JSON would."""


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml_text(text: str, *, file: str) -> Any:
    """Parse one YAML document; a syntax error becomes a BundleError with line and column."""
    try:
        return yaml.load(text, Loader=_JsonCompatibleLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise BundleError(f"malformed YAML{where}: {exc.problem}", file=file) from None
    except yaml.YAMLError as exc:
        raise BundleError(f"malformed YAML: {exc}", file=file) from None


def load_document(path: Path, *, display: str | None = None) -> Any:
    """Load a `.json`, `.yaml` or `.yml` file as plain JSON data."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BundleError(f"cannot read: {exc.strerror or exc}", file=name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"not UTF-8 (byte {exc.start})", file=name) from None
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise BundleError(
                f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=name
            ) from None
    return parse_yaml_text(text, file=name)


def dump_json(data: Any) -> str:
    """The one serialisation of generated JSON files, so rebuilds are byte-identical."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
