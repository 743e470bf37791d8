"""Recording readers: files of recorded API responses in, located records out.

``read_records`` turns JSON, JSON Lines, YAML, vcrpy and Schemathesis cassettes, HAR
archives and Postman collections into one stream of ``Record`` (a decoded JSON value, where
it came from, and the HTTP request when the recording has one) and ``ReadProblem`` (what
could not be read, and where). Bad input never raises; it becomes a problem in the stream.

Exports resolve on first use, so the pytest plugin can ask `records.recording_files`
which names are recordings while collecting, without loading the readers. The JSONL
block internals the `--jobs` workers use (`LineBlock`, `load_block`, `sift_block`) are
not exported: import them from `conformance.records.documents`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._jsontext import loads_strict
    from .detect import detect_format
    from .model import (
        DEFAULT_LIMITS,
        FORMATS,
        MAX_DEPTH,
        MAX_RECORD_BYTES,
        MAX_YAML_ALIAS_NODES,
        PROBLEM_KINDS,
        SNIFF_BYTES,
        HttpExchange,
        Limits,
        Locator,
        ReadProblem,
        Record,
    )
    from .reader import read_records, read_units
    from .recording_files import RECORDING_SUFFIXES

_HOME = {
    "loads_strict": "._jsontext",
    "detect_format": ".detect",
    "RECORDING_SUFFIXES": ".recording_files",
    **dict.fromkeys(("read_records", "read_units"), ".reader"),
}

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "MAX_DEPTH",
    "MAX_RECORD_BYTES",
    "MAX_YAML_ALIAS_NODES",
    "PROBLEM_KINDS",
    "RECORDING_SUFFIXES",
    "SNIFF_BYTES",
    "HttpExchange",
    "Limits",
    "Locator",
    "ReadProblem",
    "Record",
    "detect_format",
    "loads_strict",
    "read_records",
    "read_units",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_HOME.get(name, ".model"), __name__), name)
    globals()[name] = value
    return value
