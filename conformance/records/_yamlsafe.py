"""Safe, bounded YAML loading: plain data only, one document or list item at a time.

PyYAML's SafeLoader already refuses to build Python objects, but it composes recursively
(a deeply nested document exhausts the stack) and happily composes a "billion laughs"
alias graph that every consumer then expands. This module composes iteratively from
parser events, refuses nesting beyond ``max_depth``, counts what aliases would add once
expanded and refuses past ``max_yaml_alias_nodes`` without ever expanding them, and
constructs with a SafeConstructor that turns ``!!python/...`` tags into a refusal.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO, NoReturn

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from ._common import Refused
from ._jsontext import too_deep
from .model import Limits


class _PyParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python parser: slower, but no nesting limit of its own."""

    def __init__(self, stream: BinaryIO) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


try:  # libyaml's parser: same events, several times faster
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - no libyaml: pure Python throughout
    _Parser = _PyParser  # type: ignore[misc,assignment]

#: libyaml's own refusal: PyYAML 6.0.4's wheels bundle a libyaml that stops at 1,000 levels.
_PARSER_TOO_DEEP = "exceeded maximum nesting depth"


_YAML = "tag:yaml.org,2002:"
_DROPPED = {_YAML + "timestamp", _YAML + "value"}


class _Resolver(Resolver):
    """YAML 1.1 implicit types minus timestamps (JSON has none: keep them strings)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


def _at(node: Node) -> dict[str, int]:
    return {"line": node.start_mark.line + 1, "column": node.start_mark.column + 1}


def _refuse_python(loader: SafeConstructor, suffix: str, node: Node) -> NoReturn:
    raise Refused(
        "unsafe-yaml",
        f"refused unsafe YAML tag '!!python/{suffix}' (only plain data is loaded)",
        **_at(node),
    )


def _refuse_unknown(loader: SafeConstructor, node: Node) -> NoReturn:
    raise Refused("malformed-yaml", f"unsupported YAML tag '{node.tag}'", **_at(node))


class _Constructor(SafeConstructor):
    """SafeConstructor that never builds Python objects and keeps timestamps as text."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        """An integer, refused (not a reader crash) beyond Python's int-from-text limit."""
        try:
            return super().construct_yaml_int(node)  # type: ignore[no-any-return]
        except ValueError:
            raise Refused(
                "malformed-yaml",
                f"invalid YAML: integer with more than {_int_digits_limit():,} digits",
                **_at(node),
            ) from None


def _int_digits_limit() -> int:
    return getattr(sys, "get_int_max_str_digits", lambda: 4300)()


_CONSTRUCTORS: dict[str | None, Any] = {
    _YAML + "timestamp": SafeConstructor.construct_yaml_str,
    _YAML + "int": _Constructor.construct_yaml_int,
    # Plain-data tags that vcrpy's own cassette loader accepts.
    _YAML + "python/str": SafeConstructor.construct_yaml_str,
    _YAML + "python/unicode": SafeConstructor.construct_yaml_str,
    _YAML + "python/tuple": SafeConstructor.construct_yaml_seq,
    None: _refuse_unknown,
}
for _tag, _constructor in _CONSTRUCTORS.items():
    _Constructor.add_constructor(_tag, _constructor)
_Constructor.add_multi_constructor(_YAML + "python/", _refuse_python)


class Unparsable(Refused):
    """The parser itself failed: nothing after this point of the file can be read."""


def _parse_error(error: yaml.YAMLError) -> Unparsable:
    if isinstance(error, yaml.reader.ReaderError):
        char = error.character
        code = char[0] if isinstance(char, bytes) else int(char)
        if isinstance(char, bytes) or "UTF-8" in error.reason or "octet" in error.reason:
            message = f"invalid UTF-8: byte 0x{code:02x} at byte offset {error.position:,}"
            return Unparsable("invalid-utf8", message)
        return Unparsable(
            "malformed-yaml",
            f"invalid YAML: character U+{code:04X} is not allowed"
            f" (at byte offset {error.position:,})",
        )
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        problem = error.problem or "syntax error"
        if error.context:
            problem = f"{problem} {error.context}"
        return Unparsable(
            "malformed-yaml",
            f"invalid YAML: {problem}",
            line=mark.line + 1,
            column=mark.column + 1,
        )
    return Unparsable("malformed-yaml", f"invalid YAML: {error}")


class SafeYaml:
    """Composes nodes from a YAML byte stream under the given limits."""

    def __init__(self, fh: BinaryIO, limits: Limits) -> None:
        self._fh = fh
        self._parser: Any = _Parser(fh)
        self._taken = 0  # events taken so far, to replay on the pure-Python parser
        self._limits = limits
        self._resolver = _Resolver()
        # anchor -> [node, expanded size or None while the node is still being composed]
        self._anchors: dict[str, list[Any]] = {}

    # Events and marks are typed Any: PyYAML's stubs declare every mark optional.
    def _event(self) -> Any:
        try:
            event = self._parser.get_event()
        except yaml.YAMLError as error:
            self._fall_back(error)
            return self._event()
        self._taken += 1
        return event

    def _peek(self) -> Any:
        try:
            return self._parser.peek_event()
        except yaml.YAMLError as error:
            self._fall_back(error)
            return self._peek()

    def _fall_back(self, error: yaml.YAMLError) -> None:
        """Go on with the pure-Python parser from the same event, or raise the failure.

        libyaml refuses nesting past its own limit while its scanner reads ahead (up to
        1,024 characters for a possible key), so it can refuse a record before `node()`
        sees `max_depth` exceeded, and at another depth. Replaying the events taken so
        far lets `max_depth` decide, where it is exceeded, with or without that limit.
        """
        parser_too_deep = getattr(error, "problem", None) == _PARSER_TOO_DEEP
        if not parser_too_deep or isinstance(self._parser, _PyParser):
            raise self._failure(error) from None
        self._fh.seek(0)
        parser = _PyParser(self._fh)
        try:
            for _ in range(self._taken):
                parser.get_event()
        except yaml.YAMLError as replay_error:
            raise self._failure(replay_error) from None
        self._parser = parser

    def _failure(self, error: yaml.YAMLError) -> Unparsable:
        failure = _parse_error(error)
        if isinstance(error, yaml.reader.ReaderError) and failure.line is None:
            failure.line, failure.column = _locate(self._fh, error.position)
        return failure

    def documents(self) -> Iterator[tuple[int, Node | Refused]]:
        """(line, root node or refusal) per non-empty document; parse errors raise."""
        self._event()  # StreamStartEvent
        while not isinstance(self._peek(), StreamEndEvent):
            self._event()  # DocumentStartEvent
            line = self._peek().start_mark.line + 1
            try:
                node: Node | Refused = self.node()
            except Unparsable:
                raise
            except Refused as refusal:
                node = refusal
            self._event()  # DocumentEndEvent
            self._anchors = {}
            empty = isinstance(node, ScalarNode) and node.value == "" and node.tag == _YAML + "null"
            if not empty:
                yield line, node

    def items(self, key: str) -> Iterator[tuple[int, Node | Refused]]:
        """(line, node or refusal) per element of the list under top-level ``key``."""
        self._event()  # StreamStartEvent
        if not isinstance(self._peek(), DocumentStartEvent):
            raise Refused("not-a-cassette", "the file holds no YAML document")
        self._event()
        start = self._peek()
        if not isinstance(start, MappingStartEvent):
            raise Refused("not-a-cassette", "the top level is not a mapping", line=_line(start))
        self._event()
        found = False
        while not isinstance(self._peek(), MappingEndEvent):
            name = self.node()
            value = self._peek()
            if isinstance(name, ScalarNode) and name.value == key and not found:
                found = True
                if not isinstance(value, SequenceStartEvent):
                    raise Refused("not-a-cassette", f"'{key}' is not a list", line=_line(value))
                self._event()
                while not isinstance(self._peek(), SequenceEndEvent):
                    line = _line(self._peek())
                    try:
                        item: Node | Refused = self.node()
                    except Unparsable:
                        raise
                    except Refused as refusal:
                        item = refusal
                    yield line, item
                self._event()
            else:
                self.node()
        self._event()  # MappingEndEvent
        if not isinstance(self._peek(), (DocumentEndEvent, StreamEndEvent)):
            raise Refused("malformed-yaml", "invalid YAML: unexpected content after the mapping")
        if not found:
            raise Refused("not-a-cassette", f"no '{key}' list at the top level")

    def node(self) -> Node:
        """Compose the next node iteratively; on refusal, skip the rest of it, then raise."""
        limits = self._limits
        stack: list[list[Any]] = []  # [node, expanded size, anchor] per open collection
        first = self._peek().start_mark.index
        extra = 0  # nodes aliases add once expanded
        while True:
            event = self._event()
            start: Any = event.start_mark  # read before isinstance() narrows the type
            anchor: Any = getattr(event, "anchor", None)
            refusal = None
            child: Any = None
            if isinstance(event, AliasEvent):
                entry = self._anchors.get(anchor)
                if entry is None:
                    refusal = Refused("malformed-yaml", f"undefined YAML alias '*{anchor}'")
                elif entry[1] is None:
                    refusal = Refused("yaml-alias-limit", f"recursive YAML alias '*{anchor}'")
                else:
                    child, size = entry[0], int(entry[1])
                    extra += size
                    if extra > limits.max_yaml_alias_nodes:
                        refusal = Refused(
                            "yaml-alias-limit",
                            f"YAML aliases expand to more than {limits.max_yaml_alias_nodes:,}"
                            " extra nodes (alias bomb?)",
                        )
            elif isinstance(event, ScalarEvent):
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self._resolver.resolve(ScalarNode, event.value, event.implicit)
                end: Any = event.end_mark
                child = ScalarNode(tag, event.value, start, end, event.style)
                size = 1
                if anchor is not None:
                    self._anchors[anchor] = [child, 1]
            elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self._resolver.resolve(kind, None, event.implicit)
                node = kind(tag, [], start, None, flow_style=event.flow_style)
                if anchor is not None:
                    self._anchors[anchor] = [node, None]
                stack.append([node, 1, anchor])
                if len(stack) > limits.max_depth:
                    # Fatal: libyaml's scanner is quadratic in flow nesting, so skipping the
                    # rest of a 100,000-deep "[[[[" would take many seconds.
                    deep = too_deep(limits.max_depth, start.line + 1, start.column + 1)
                    raise Unparsable(deep.kind, deep.message, line=deep.line, column=deep.column)
                elif start.index - first > limits.max_record_bytes:
                    refusal = Refused(
                        "too-large-record", f"record larger than {limits.max_record_bytes:,} bytes"
                    )
                else:
                    continue
            else:  # SequenceEndEvent / MappingEndEvent
                child, size, opened = stack.pop()
                child.end_mark = event.end_mark
                if isinstance(child, MappingNode):
                    flat = child.value
                    child.value = list(zip(flat[0::2], flat[1::2], strict=True))
                if opened is not None:
                    self._anchors[opened][1] = size
            if refusal is not None:
                refusal.line = refusal.line or start.line + 1
                refusal.column = refusal.column or start.column + 1
                self._skip(len(stack))
                raise refusal
            if not stack:
                return child
            stack[-1][0].value.append(child)
            stack[-1][1] += size

    def _skip(self, depth: int) -> None:
        """Consume events until ``depth`` open collections are closed."""
        while depth:
            event = self._event()
            if isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                depth += 1
            elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                depth -= 1


def _locate(fh: BinaryIO, offset: int) -> tuple[int, int]:
    """1-based line and (byte) column of a byte offset, for errors that only give the offset."""
    fh.seek(0)
    line, line_start, done = 1, 0, 0
    while done < offset and (chunk := fh.read(min(1 << 20, offset - done))):
        line += chunk.count(b"\n")
        last = chunk.rfind(b"\n")
        if last >= 0:
            line_start = done + last + 1
        done += len(chunk)
    return line, offset - line_start + 1


def _line(event: Any) -> int:
    return event.start_mark.line + 1


def construct(node: Node) -> object:
    """Plain Python data for ``node``: dict, list, str, int, float, bool, None or bytes."""
    try:
        return _Constructor().construct_document(node)
    except ConstructorError as error:
        mark = error.problem_mark or node.start_mark
        problem = error.problem or "cannot construct value"
        raise Refused(
            "malformed-yaml", f"invalid YAML: {problem}", line=mark.line + 1, column=mark.column + 1
        ) from None


def to_json(value: object, node: Node) -> object:
    """A JSON-compatible copy of constructed YAML data (keys become strings, as JSON's)."""
    root: list[object] = [None]
    work: list[tuple[object, object, object]] = [(value, root, 0)]
    while work:
        item, parent, slot = work.pop()
        if isinstance(item, dict):
            copy: object = {}
            for key, child in item.items():
                name = _json_key(key, node)
                copy[name] = None  # type: ignore[index]
                work.append((child, copy, name))
        elif isinstance(item, (list, tuple)):
            copy = [None] * len(item)
            work.extend((child, copy, index) for index, child in enumerate(item))
        elif item is None or isinstance(item, (str, int)) or _finite(item):
            copy = item
        else:
            raise Refused(
                "not-json-value", f"{_describe(item)} has no JSON equivalent", **_at(node)
            )
        parent[slot] = copy  # type: ignore[index]
    return root[0]


def _finite(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value)


def _json_key(key: object, node: Node) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
    raise Refused("not-json-value", f"mapping key {_describe(key)} is not a string", **_at(node))


def _describe(value: object) -> str:
    if isinstance(value, bytes):
        return "binary data (!!binary)"
    if isinstance(value, float):
        return f"the number {value!r}"
    return f"a YAML {type(value).__name__}"
