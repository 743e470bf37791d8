"""Safe, bounded YAML loading: plain data only, one document or list item at a time.

Every YAML runconform reads goes through here: recordings, and the contracts, errata,
manifests and mappings of `conformance.bundle.document_loader`.

PyYAML's SafeLoader already refuses to build Python objects, but it composes recursively
(a deeply nested document exhausts the stack) and happily composes a "billion laughs"
alias graph that every consumer then expands. This module composes iteratively from
parser events, refuses nesting beyond ``max_depth``, counts what aliases would add once
expanded and refuses past ``max_yaml_alias_nodes`` without ever expanding them, refuses a
record past ``max_record_bytes`` (or one node per ``BYTES_PER_NODE`` of it: a node costs
about 250 bytes of memory) as it is composed.

What nodes may become is `_yamlconstruct`'s job (plain data only, ``!!python/...`` tags
refused); how to skip an oversized document unparsed is `_yamlskip`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NoReturn, cast

import yaml
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
from yaml.scanner import Scanner

from ._common import Refused
from ._jsontext import too_deep
from ._yamlconstruct import YAML_TAG, PlainResolver, construct, to_json
from ._yamlskip import Resumed, UpToControl, locate, resume_point
from .model import Limits

# `construct` and `to_json` are re-exported: readers load YAML through this one module.
__all__ = ["BYTES_PER_NODE", "SafeYaml", "Unparsable", "construct", "node_budget", "to_json"]


class _PyParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python parser: slower, but no nesting limit of its own."""

    def __init__(self, stream: UpToControl) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


try:  # libyaml's parser: same events, several times faster
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - no libyaml: pure Python throughout
    _Parser = _PyParser  # type: ignore[misc,assignment]

#: libyaml's own refusal: PyYAML 6.0.4's wheels bundle a libyaml that stops at 1,000 levels.
_PARSER_TOO_DEEP = "exceeded maximum nesting depth"

#: A record may hold one YAML node per this many bytes of ``max_record_bytes``: composed
#: nodes cost ~250 bytes each, so a 64 MiB record stays within ~70 MiB while it is composed.
BYTES_PER_NODE = 256


def node_budget(limits: Limits) -> int:
    """How many nodes one record (document or list item) may compose."""
    return max(1, limits.max_record_bytes // BYTES_PER_NODE)


class Unparsable(Refused):
    """The parser itself failed: nothing after this point of the file can be read.

    ``problem`` is the parser's own words without their context, for messages in the
    style of `conformance.bundle.document_loader` ("malformed YAML at line 3, column 8: ...").
    """

    problem: str | None = None


class _Oversized(Refused):
    """A record over the size budget, refused where it was exceeded (``index``: characters
    from the start of the parser's stream), so the reader can skip the rest unparsed."""

    def __init__(self, message: str, index: int, line: int, column: int) -> None:
        super().__init__("too-large-record", message, line=line, column=column)
        self.index = index


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
        detail = f"{problem} {error.context}" if error.context else problem
        failure = Unparsable(
            "malformed-yaml",
            f"invalid YAML: {detail}",
            line=mark.line + 1,
            column=mark.column + 1,
        )
        failure.problem = problem
        return failure
    return Unparsable("malformed-yaml", f"invalid YAML: {error}")


class SafeYaml:
    """Composes nodes from a YAML byte stream under the given limits.

    ``pure`` uses PyYAML's pure-Python parser throughout: slower, but its messages are the
    ones `conformance.bundle.document_loader` has always given for contracts and mappings.
    """

    def __init__(self, fh: BinaryIO, limits: Limits, *, pure: bool = False) -> None:
        self._fh = fh
        self._start = 0  # where in the file the parser's stream starts ...
        self._pad = 0  # ... after this many newlines (see `_resume`)
        self._pure = pure
        stream = UpToControl(fh)
        self._parser: Any = _PyParser(stream) if pure else _Parser(stream)
        self._taken = 0  # events taken so far, to replay on the pure-Python parser
        self._limits = limits
        self._budget = node_budget(limits)
        self._resumable = False  # True while `documents()` can skip an oversized document
        # PyYAML's stubs leave `resolve` untyped: (node class, scalar value, implicit) -> tag
        self._resolve: Callable[[type[Node], str | None, Any], str] = PlainResolver().resolve
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

    def _stream(self) -> UpToControl:
        """The parser's input from its start: the file, or the file after a skip."""
        if not self._start and not self._pad:
            self._fh.seek(0)
            return UpToControl(self._fh)
        return UpToControl(Resumed(self._fh, self._start, self._pad))

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
        parser: Any = _PyParser(self._stream())  # Any, like `self._parser`: untyped in the stubs
        try:
            for _ in range(self._taken):
                parser.get_event()
        except yaml.YAMLError as replay_error:
            raise self._failure(replay_error) from None
        self._parser = parser

    def _failure(self, error: yaml.YAMLError) -> Unparsable:
        if isinstance(error, yaml.reader.ReaderError) and error.position >= self._pad:
            error.position += self._start - self._pad  # a position in the file
        failure = _parse_error(error)
        if isinstance(error, yaml.reader.ReaderError) and failure.line is None:
            failure.line, failure.column = locate(self._fh, error.position)
        return failure

    def documents(self) -> Iterator[tuple[int, Node | Refused]]:
        """(line, root node or refusal) per non-empty document; parse errors raise.

        A document over the size budget is refused where the budget ran out and the rest
        of it is skipped unparsed, up to the next ``---`` or ``...`` line.
        """
        self._event()  # StreamStartEvent
        while not isinstance(self._peek(), StreamEndEvent):
            self._event()  # DocumentStartEvent
            line = self._peek().start_mark.line + 1
            self._resumable = True
            try:
                node: Node | Refused = self.node()
            except Unparsable:
                raise
            except _Oversized as refusal:
                self._anchors = {}
                self._resume(refusal)
                yield line, refusal
                continue
            except Refused as refusal:
                node = refusal
            finally:
                self._resumable = False
            self._event()  # DocumentEndEvent
            self._anchors = {}
            empty = (
                isinstance(node, ScalarNode) and node.value == "" and node.tag == YAML_TAG + "null"
            )
            if not empty:
                yield line, node

    def _resume(self, refusal: _Oversized) -> None:
        """Go on parsing at the next document marker after where ``refusal`` was raised."""
        self._start, self._pad = resume_point(self._fh, self._start, self._pad, refusal.index)
        self._parser = _PyParser(self._stream()) if self._pure else _Parser(self._stream())
        self._taken = 0
        self._event()  # StreamStartEvent

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
        """Compose the next node iteratively; on refusal, skip the rest of it, then raise.

        Within `documents()` a record over the size budget is raised at once instead: the
        caller skips the rest of the document faster than its events can be taken.
        Over 60 lines: one loop per event with its state in locals, because a method call
        per event costs speed (measured: moving the alias branch out made an alias-heavy
        document 10-25 % slower); only the refusal path, taken once, is a method.
        """
        limits = self._limits
        stack: list[list[Any]] = []  # [node, expanded size, anchor] per open collection
        first = self._peek().start_mark.index
        extra = 0  # nodes aliases add once expanded
        composed = 0  # nodes composed so far
        while True:
            event = self._event()
            start: Any = event.start_mark  # read before isinstance() narrows the type
            anchor: Any = getattr(event, "anchor", None)
            refusal = None
            child: Any = None
            opened = False
            if isinstance(event, AliasEvent):
                composed += 1
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
                composed += 1
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self._resolve(ScalarNode, event.value, event.implicit)
                # The start mark twice: nothing reads a scalar's end, and a mark costs memory.
                child = ScalarNode(tag, event.value, start, start, event.style)
                size = 1
                if anchor is not None:
                    self._anchors[anchor] = [child, 1]
            elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                composed += 1
                kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self._resolve(kind, None, event.implicit)
                node = kind(tag, [], start, None, flow_style=event.flow_style)
                if anchor is not None:
                    self._anchors[anchor] = [node, None]
                stack.append([node, 1, anchor])
                opened = True
                if len(stack) > limits.max_depth:
                    # Fatal: libyaml's scanner is quadratic in flow nesting, so skipping the
                    # rest of a 100,000-deep "[[[[" would take many seconds.
                    deep = too_deep(limits.max_depth, start.line + 1, start.column + 1)
                    raise Unparsable(deep.kind, deep.message, line=deep.line, column=deep.column)
            else:  # SequenceEndEvent / MappingEndEvent
                child, size, name = stack.pop()
                child.end_mark = event.end_mark
                if isinstance(child, MappingNode):
                    flat = child.value
                    child.value = list(zip(flat[0::2], flat[1::2], strict=True))
                if name is not None:
                    self._anchors[name][1] = size
            end: Any = event.end_mark
            if refusal is None and (
                composed > self._budget or end.index - first > limits.max_record_bytes
            ):
                refusal = self._oversized(composed, start)
                if self._resumable:
                    raise refusal
            if refusal is not None:
                self._refuse(refusal, start, len(stack))
            if opened:
                continue
            if not stack:
                return cast(Node, child)
            stack[-1][0].value.append(child)
            stack[-1][1] += size

    def _refuse(self, refusal: Refused, start: Any, depth: int) -> NoReturn:
        """Locate `refusal` at `start` unless it says where, skip the open node, raise it."""
        refusal.line = refusal.line or start.line + 1
        refusal.column = refusal.column or start.column + 1
        self._skip(depth)
        raise refusal

    def _oversized(self, composed: int, start: Any) -> _Oversized:
        limit = self._limits.max_record_bytes
        if composed > self._budget:
            message = (
                f"record with more than {self._budget:,} YAML nodes (one per"
                f" {BYTES_PER_NODE} bytes of the {limit:,}-byte record limit)"
            )
        else:
            message = f"record larger than {limit:,} bytes"
        return _Oversized(message, start.index, start.line + 1, start.column + 1)

    def _skip(self, depth: int) -> None:
        """Consume events until ``depth`` open collections are closed."""
        while depth:
            event = self._event()
            if isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                depth += 1
            elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                depth -= 1


def _line(event: Any) -> int:
    line: int = event.start_mark.line
    return line + 1
