"""Loading JSON and YAML documents from disk with errors that name file and line.

Contracts, manifests, errata and mappings are all read through here, under the same
budgets as recordings: a file over the record size limit is refused before it is read,
YAML goes through the one safe loader (`conformance.records._yamlsafe`: plain data only,
aliases, nodes and nesting bounded) and JSON through the depth-guarded strict decoder.
YAML 1.1 timestamps stay strings and mapping keys become strings, so every document is
plain JSON data.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.errors import BundleError
from conformance.records.stdin import STDIN, STDIN_NAME

if TYPE_CHECKING:
    from yaml.nodes import Node

    from conformance.records.model import Limits

#: Deepest nesting a contract, manifest, erratum or mapping may have. The shipped ones
#: reach 12 levels; Schemathesis and the schema converters recurse once or more per level,
#: so a user's contract deeper than this would end in a RecursionError instead.
MAX_DOCUMENT_DEPTH = 128
#: Largest document read, in bytes (the record limit of recordings).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def _limits() -> Limits:
    from conformance.records.model import Limits

    return Limits(max_depth=MAX_DOCUMENT_DEPTH, max_record_bytes=MAX_DOCUMENT_BYTES)


def parse_yaml(data: bytes | str, *, file: str) -> tuple[Any, Node | None]:
    """One YAML document as plain JSON data (None when empty) and its node tree, whose
    marks give the line of every value; anything refused is a BundleError with position."""
    from conformance.records._common import Refused
    from conformance.records._yamlsafe import SafeYaml, Unparsable, construct, to_json

    raw = data.encode("utf-8") if isinstance(data, str) else data
    loader = SafeYaml(io.BytesIO(raw), _limits(), pure=True)
    root: Node | None = None
    try:
        for line, node in loader.documents():
            if isinstance(node, Refused):
                raise node
            if root is not None:
                raise Refused(
                    "malformed-yaml",
                    "invalid YAML: expected a single document, but found another document",
                    line=line,
                    column=1,
                )
            root = node
        value = None if root is None else to_json(construct(root), root)
    except Refused as refusal:
        detail = refusal.problem if isinstance(refusal, Unparsable) else None
        raise BundleError(_yaml_message(refusal, detail), file=file) from None
    return value, root


def _yaml_message(refusal: Any, detail: str | None) -> str:
    """`malformed YAML at line 3, column 8: ...` for syntax; the refusal with its position
    (`... (line 9, column 4)`) for what the budgets refuse."""
    message: str = refusal.message
    if message.startswith("invalid YAML: "):
        where = ""
        if refusal.line is not None:
            where = f" at line {refusal.line}" + (
                f", column {refusal.column}" if refusal.column is not None else ""
            )
        return f"malformed YAML{where}: {detail or message.removeprefix('invalid YAML: ')}"
    return str(refusal.with_position())


def parse_yaml_text(text: str, *, file: str) -> Any:
    """Parse one YAML document; a syntax error becomes a BundleError with line and column."""
    return parse_yaml(text, file=file)[0]


def _parse_json(text: str, *, file: str) -> Any:
    from conformance.records._jsontext import (
        loads_strict,
        position,
        too_deep_at,
        value_error_message,
    )

    deep = too_deep_at(text, MAX_DOCUMENT_DEPTH)
    if deep is not None:
        line, column = position(text, deep)
        message = f"nesting deeper than {MAX_DOCUMENT_DEPTH} levels (line {line}, column {column})"
        raise BundleError(message, file=file)
    try:
        return loads_strict(text)
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=file
        ) from None
    except ValueError as exc:  # NaN, Infinity, 1e400, an integer too long to convert
        raise BundleError(value_error_message(exc), file=file) from None


def read_limited(path: Path, *, display: str | None = None) -> bytes:
    """The bytes of a document file (`-`: standard input), refused unread past the document
    size limit."""
    name = display or str(path)
    try:
        if str(path) == STDIN:
            raw = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        else:
            with path.open("rb") as fh:
                raw = fh.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise BundleError(f"cannot read: {exc.strerror or exc}", file=name) from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise BundleError(f"larger than {MAX_DOCUMENT_BYTES:,} bytes: not read", file=name)
    return raw


def load_document(path: Path, *, display: str | None = None) -> Any:
    """Load a `.json`, `.yaml` or `.yml` file as plain JSON data; `-` is standard input,
    JSON when it starts with `{`, else YAML."""
    stdin = str(path) == STDIN
    name = STDIN_NAME if stdin else display or str(path)
    raw = read_limited(path, display=name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"not UTF-8 (byte {exc.start})", file=name) from None
    if path.suffix == ".json" or (stdin and text.lstrip("\ufeff \t\r\n").startswith("{")):
        return _parse_json(text, file=name)
    return parse_yaml(raw, file=name)[0]


def dump_json(data: Any) -> str:
    """The one serialisation of generated JSON files, so rebuilds are byte-identical."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
