"""Walking YAML parse events to a value, and the places of a flow scalar's characters.

The YAML half of `positions`: events, not nodes, so that finding a value never builds
the document and stops as soon as the value is reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from .model import Span


def yaml_events_value(events: Iterator[Any], tokens: list[str], key: str | None) -> Any:
    """Walk `events` to the node at `tokens` (or to the key scalar `key` in it): its
    first event; None if not there."""
    event = next(events)
    for token in [*tokens, *([key] if key is not None else [])]:
        event = _yaml_member(events, event, token)
        if event is None:
            return None
    if key is not None:
        return event[0] if isinstance(event, tuple) else event
    return event[1] if isinstance(event, tuple) else event


def _yaml_member(events: Iterator[Any], event: Any, token: str) -> Any:
    if isinstance(event, tuple):
        event = event[1]
    if isinstance(event, yaml.MappingStartEvent):
        while not isinstance(name := next(events), yaml.MappingEndEvent):
            _yaml_skip(events, name)  # a key that is itself a collection
            value = next(events)
            if isinstance(name, yaml.ScalarEvent) and name.value == token:
                return name, value
            _yaml_skip(events, value)
    elif isinstance(event, yaml.SequenceStartEvent) and token.isdigit():
        for _ in range(int(token)):
            item = next(events)
            if isinstance(item, yaml.SequenceEndEvent):
                return None
            _yaml_skip(events, item)
        item = next(events)
        return None if isinstance(item, yaml.SequenceEndEvent) else (item, item)
    return None


def _yaml_skip(events: Iterator[Any], event: Any) -> Any:
    """Consume the node `event` starts; its last event."""
    depth = 1 if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)) else 0
    while depth:
        event = next(events)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return event


def yaml_walk(events: Iterator[Any], tokens: list[str], key: str | None, line: int) -> Span | None:
    first = yaml_events_value(events, tokens, key)
    if first is None:
        return None
    last = _yaml_skip(events, first)
    return mark_span(first.start_mark, last.end_mark, line)


def mark_span(start: Any, end: Any, line: int) -> Span:
    return Span(line + start.line, start.column + 1, line + end.line, end.column + 1)


def yaml_body(events: Iterator[Any], path: tuple[str, ...], inner: str) -> Any:
    """The scalar event of the body's text in the interaction, or None."""
    event: Any = next(events)
    for token in path:
        found = _yaml_member(events, event, token)
        if found is None:
            return None
        event = found[1]
    if isinstance(event, yaml.MappingStartEvent):
        found = _yaml_member(events, event, inner)
        event = None if found is None else found[1]
    return event if isinstance(event, yaml.ScalarEvent) else None


def same(body: str, places: list[tuple[int, int]], lines: list[str]) -> bool:
    """Whether `places` spell `body` (a folded line break has no character to compare)."""
    if len(places) != len(body):
        return False
    return all(
        c >= len(lines[n]) or lines[n][c] == char for char, (n, c) in zip(body, places, strict=True)
    )


def flow_places(lines: list[str], column: int, quote: str) -> list[tuple[int, int]] | None:
    """(line offset, 0-based column) of each character of the flow scalar starting at
    `lines[0][column]` (its quote, if any), folded as YAML folds it: leading and
    trailing blanks dropped, one line break a space, n empty lines n newlines, `''` one
    quote. None where a character has no place of its own (an escape, a stray quote)."""
    places: list[tuple[int, int]] = []
    text_line, start = 0, column + len(quote)
    while text_line < len(lines):
        line = lines[text_line].rstrip("\r")
        j = start
        while j < len(line):
            char = line[j]
            if quote == "'" and char == "'":
                if line[j + 1 : j + 2] != "'":
                    return places
                j += 1
            elif quote == '"' and char in '\\"':
                return places if char == '"' else None
            places.append((text_line, j))
            j += 1
        while places and places[-1][0] == text_line and line[places[-1][1]] in " \t":
            places.pop()  # blanks before a line break are folded away
        empty = 0
        text_line += 1
        while text_line < len(lines) and not lines[text_line].strip():
            empty += 1
            text_line += 1
        places.extend([(text_line - empty - 1, len(line))] * max(empty, 1))
        if text_line < len(lines):
            rest = lines[text_line]
            start = len(rest) - len(rest.lstrip(" \t"))
    return places[:-1] if not quote else None
