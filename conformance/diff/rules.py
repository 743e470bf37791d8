"""The rule table of `runconform diff`: every change kind, where it is, its class and why.

One place. A change found by the schema walk (`schemas`) or the operation comparison
(`operations`) is a change *kind* at a *where*; the table gives its rule: an id
(`where.kind`), a class and the reason a person reads.

Classes, from the point of view of runs crossing the API:

- `client`: breaking for clients - a client written against OLD can fail against a server
  that conforms to NEW (it meets a value, field or status it does not know, or loses one
  it read);
- `server`: breaking for servers - a server written against OLD does not conform to NEW
  (it may omit what NEW requires, send what NEW forbids, refuse what NEW allows);
- `both`: breaking for both;
- `compatible`: neither.

In a response body the server produces and the client reads; in a request body and in
parameters the client produces and the server reads, so each schema change has one class
per direction. A schema no operation reaches (a bundle build has no operations) is read as
a response body: run objects are what servers send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Class = Literal["client", "server", "both", "compatible"]
Where = Literal["response", "request", "parameter", "operation"]

CLASSES: tuple[Class, ...] = ("client", "server", "both", "compatible")
#: How each class is named in reports.
CLASS_TITLES: dict[Class, str] = {
    "client": "breaking for clients",
    "server": "breaking for servers",
    "both": "breaking for both",
    "compatible": "compatible",
}
WHERE_TITLES: dict[Where, str] = {
    "response": "response body",
    "request": "request body",
    "parameter": "parameter",
    "operation": "operation",
}


@dataclass(frozen=True)
class Rule:
    id: str  # "response.property-removed"
    kind: str
    where: Where
    cls: Class
    why: str


# A schema change: (kind, class in a response body, why; class where the client produces
# (request body, parameter), why).
_SCHEMA_ROWS: tuple[tuple[str, Class, str, Class, str], ...] = (
    ("property-added-optional",
     "compatible", "a reader ignores a field it does not know; a producer may leave it out",
     "compatible", "an old server ignores a field it does not know; old clients never send it"),
    ("property-added-required",
     "server", "a server built on OLD does not send it",
     "client", "a client built on OLD does not send it"),
    ("property-removed",
     "client", "a client that reads it no longer gets it",
     "client", "a client built on OLD still sends what NEW no longer declares"),
    ("required-added",
     "server", "a server built on OLD may omit it",
     "client", "a client built on OLD may omit it"),
    ("required-removed",
     "client", "a client that relied on it may now find it missing",
     "server", "a server built on OLD may still insist on it"),
    ("enum-value-added",
     "client", "a client meets a value it does not know",
     "server", "a server built on OLD refuses the new value"),
    ("enum-value-removed",
     "server", "a server built on OLD may still send the value",
     "client", "a client built on OLD may still send the value"),
    ("enum-introduced",
     "server", "a server built on OLD may send any value",
     "client", "a client built on OLD may send any value"),
    ("enum-dropped",
     "client", "a client meets values outside the list it knew",
     "server", "a server built on OLD refuses values outside its list"),
    ("type-widened",
     "client", "a client meets a type it does not expect",
     "server", "a server built on OLD refuses the new type"),
    ("type-narrowed",
     "server", "a server built on OLD may send a type NEW forbids",
     "client", "a client built on OLD may send a type NEW forbids"),
    ("type-changed",
     "both", "the types of OLD and NEW are disjoint",
     "both", "the types of OLD and NEW are disjoint"),
    ("nullable-added",
     "client", "a client meets null where it expected a value",
     "server", "a server built on OLD refuses null"),
    ("nullable-removed",
     "server", "a server built on OLD may send null",
     "client", "a client built on OLD may send null"),
    ("format-added",
     "server", "a server built on OLD may send strings outside the format",
     "client", "a client built on OLD may send strings outside the format"),
    ("format-removed",
     "client", "a client that parses the format meets strings outside it",
     "server", "a server built on OLD refuses strings outside the format"),
    ("format-changed",
     "both", "the value's format is another one",
     "both", "the value's format is another one"),
    ("composition-changed",
     "both", "the schema's alternatives (allOf / anyOf / oneOf) differ in number",
     "both", "the schema's alternatives (allOf / anyOf / oneOf) differ in number"),
    ("schema-added",
     "compatible", "a new schema breaks nothing that exists",
     "compatible", "a new schema breaks nothing that exists"),
    ("schema-removed",
     "client", "a client that reads this object no longer has its schema",
     "client", "a client that sends this object no longer has its schema"),
)  # fmt: skip

# An operation change: (kind, class, why).
_OPERATION_ROWS: tuple[tuple[str, Class, str], ...] = (
    ("operation-added", "compatible", "a new operation breaks no existing call"),
    ("operation-removed", "client", "a client that calls it loses it"),
    ("response-added", "client", "a client meets a status it does not handle"),
    ("response-removed", "server", "a server built on OLD may still answer with it"),
    ("response-body-added", "server", "a server built on OLD answers without the body"),
    ("response-body-removed", "client", "a client that reads the body no longer gets it"),
    ("request-body-added-required", "client", "a client built on OLD sends no body"),
    ("request-body-added-optional", "compatible", "a client may still send no body"),
    ("request-body-removed", "client", "a client built on OLD still sends a body"),
    ("request-body-required", "client", "a client built on OLD may send no body"),
    ("request-body-optional", "server", "a server built on OLD may still insist on a body"),
    ("parameter-added-required", "client", "a client built on OLD does not send it"),
    ("parameter-added-optional", "compatible", "a client may still leave it out"),
    ("parameter-removed", "client", "a client that sends it loses what it meant"),
    ("parameter-required", "client", "a client built on OLD may leave it out"),
    ("parameter-optional", "server", "a server built on OLD may still insist on it"),
)


def _table() -> dict[tuple[str, Where], Rule]:
    rules: dict[tuple[str, Where], Rule] = {}
    for kind, response, response_why, produced, produced_why in _SCHEMA_ROWS:
        rules[kind, "response"] = Rule(f"response.{kind}", kind, "response", response, response_why)
        for where in ("request", "parameter"):
            rules[kind, where] = Rule(f"{where}.{kind}", kind, where, produced, produced_why)
    for kind, cls, why in _OPERATION_ROWS:
        rules[kind, "operation"] = Rule(f"operation.{kind}", kind, "operation", cls, why)
    return rules


#: Every rule, by (change kind, where).
RULES: dict[tuple[str, Where], Rule] = _table()
SCHEMA_KINDS: tuple[str, ...] = tuple(row[0] for row in _SCHEMA_ROWS)
OPERATION_KINDS: tuple[str, ...] = tuple(row[0] for row in _OPERATION_ROWS)


def rule_for(kind: str, where: Where) -> Rule:
    return RULES[kind, where]


#: The choices of `--fail-on`: which classes of change exit 1.
FAIL_ON = ("any", "client", "server", "none")


def breaks(cls: Class, fail_on: str) -> bool:
    """Whether a change of class `cls` fails the run under `--fail-on` (any, client,
    server, none)."""
    if cls == "compatible" or fail_on == "none":
        return False
    return fail_on == "any" or cls in (fail_on, "both")
