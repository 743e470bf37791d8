"""What the readers hand out: records, problems, and where each came from.

Everything here is a frozen value so results can be cached, compared in tests and passed
between threads without defensive copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

#: Deepest nesting of arrays/objects a record may have. Deeper input is refused with
#: kind "too-deep" before it can exhaust the stack: the stdlib JSON decoder and most
#: validators recurse once per level and share the interpreter's recursion limit
#: (1,000 by default), so this leaves headroom for the caller's own frames.
MAX_DEPTH = 512

#: Largest single record (one JSON value, one JSONL line, one YAML document or
#: interaction, one decoded HTTP body), in bytes. Bounds memory per record, whatever the
#: size of the file.
MAX_RECORD_BYTES = 64 * 1024 * 1024

#: How many extra nodes YAML aliases may add to one document or interaction once expanded.
#: A "billion laughs" document needs millions; real cassettes need a handful.
MAX_YAML_ALIAS_NODES = 100_000

#: How much of a file format detection looks at.
SNIFF_BYTES = 8 * 1024

#: Format names accepted by ``read_records(format=...)`` and returned by ``detect_format``.
FORMATS = ("json", "jsonl", "yaml", "vcr", "har", "schemathesis", "postman")

#: Every ``ReadProblem.kind`` the readers produce.
PROBLEM_KINDS = (
    "no-files",  # a directory with no recording files in it
    "unreadable",  # missing, permission denied, not a regular file, I/O error
    "empty-file",  # nothing but whitespace
    "not-a-recording",  # content is none of the known formats
    "unsupported-encoding",  # UTF-16/UTF-32 text: only UTF-8 is read
    "invalid-utf8",
    "malformed-json",
    "malformed-yaml",
    "unsafe-yaml",  # a !!python/... tag; never constructed
    "yaml-alias-limit",  # alias expansion beyond MAX_YAML_ALIAS_NODES, or a recursive alias
    "too-deep",  # nesting beyond MAX_DEPTH
    "too-large-record",  # one record beyond MAX_RECORD_BYTES
    "not-json-value",  # YAML data with no JSON equivalent (binary, .nan, sets ...)
    "not-a-cassette",  # a recording whose structure is not what its format requires
    "no-response",  # the request was recorded but no response (connection error ...)
    "empty-body",  # a response that should have a body has none
    "truncated-body",  # the recorder kept only a prefix of the body
    "missing-body",  # the recorder did not save the body at all
    "not-json-body",  # a text body whose content type is not JSON
    "binary-body",  # a body that is not text
    "unsupported-content-encoding",
    "internal-error",  # a bug in a reader; reported, never raised
)


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits for one ``read_records`` call; the defaults are the module constants."""

    max_depth: int = MAX_DEPTH
    max_record_bytes: int = MAX_RECORD_BYTES
    max_yaml_alias_nodes: int = MAX_YAML_ALIAS_NODES
    sniff_bytes: int = SNIFF_BYTES


DEFAULT_LIMITS = Limits()


class Locator(NamedTuple):
    """Where a record or problem is, precise enough for a person to open the file there.

    A NamedTuple (immutable, like the rest) because one is made per record: it costs a
    third of a frozen dataclass, which shows on 200,000-line recordings.
    """

    file: str
    # The field shadows `tuple.index` (NamedTuple allows it; mypy does not): "index" is the
    # record's position everywhere a Locator is read, and a record is never searched for.
    index: int | None  # type: ignore[assignment]
    line: int | None
    label: str
    #: (line, column) where the record's text begins, when its reader knows more than
    #: `line` (an element of an array, an interaction): where `positions.locate` starts
    start: tuple[int, int] | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.label:
            return f"{self.file}:{self.label}"
        return self.file


class Span(NamedTuple):
    """Where a value is in its file: 1-based start, and an end one past its last
    character (as SARIF's `endColumn`). What `positions.locate` finds."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class HttpExchange:
    """The request side of a recorded response, so a validator can pick the right operation.

    Request headers and bodies are deliberately not kept: they hold credentials.
    """

    method: str
    url: str
    path: str
    status: int | None
    content_type: str | None
    #: when the request was sent, as the recording says (HAR `startedDateTime`): the
    #: order of observations of one run over time
    started: str | None = None


class Record(NamedTuple):
    """One decoded JSON value read from a recording (a NamedTuple, for speed, see Locator)."""

    locator: Locator
    payload: object
    exchange: HttpExchange | None = None


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """A record or file that could not be read. Returned in the stream, never raised."""

    locator: Locator
    message: str
    kind: str

    def __str__(self) -> str:
        return f"{self.locator}: {self.message}"
