"""Requests, responses and route patterns the simulator's handlers share.

Kept apart from the handlers so each module stays small; nothing here knows a vendor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.simulator.store import Store
from conformance.validation.instants import parse_instant

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Request:
    """One parsed request: path parameters, repeated query values, raw body, our base URL."""

    params: dict[str, str]
    query: dict[str, list[str]]
    body: bytes
    base_url: str
    path: str

    def one(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        """The JSON body, `{}` when empty; ValueError when it does not parse."""
        return json.loads(self.body) if self.body.strip() else {}


@dataclass(frozen=True)
class Response:
    """What to send; `schema` names the bundled schema of a 2xx body (drift targets it)."""

    status: int
    body: Any = None  # None: no body
    schema: str | None = None
    headers: tuple[tuple[str, str], ...] = field(default=())


Handler = Callable[[Store, Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str]


def compile_template(template: str) -> re.Pattern[str]:
    regex = re.sub(
        r"\\\{([^{}/]+)\\\}", lambda m: f"(?P<{_group(m[1])}>[^/]+)", re.escape(template)
    )
    return re.compile(regex + "$")


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name.replace("\\", ""))


def to_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def bad_instant(*values: str | None) -> bool:
    return any(v is not None and parse_instant(v) is None for v in values)


def in_window(value: Any, since: str | None, until: str | None) -> bool:
    moment = parse_instant(value)
    low, high = parse_instant(since), parse_instant(until)
    if moment is None:
        return low is None and high is None
    return (low is None or moment >= low) and (high is None or moment <= high)
