"""`runconform diff`'s rule table, row by row: each change kind at each place, a minimal
pair of OpenAPI documents, the rule id and class it must get."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance.diff.compare import Scope, diff_contracts
from conformance.diff.rules import OPERATION_KINDS, RULES, SCHEMA_KINDS
from conformance.diff.sources import contract_of

EVERYTHING = Scope(True, frozenset(), frozenset())
OBJ = {"type": "object", "properties": {"a": {"type": "string"}}}
OBJ_B = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
OBJ_B_REQ = {**OBJ_B, "required": ["b"]}
OBJ_A_REQ = {**OBJ, "required": ["a"]}


def _s(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` as property `s` of an object."""
    return {"type": "object", "properties": {"s": schema}}


# kind, OLD schema, NEW schema, path below the schema, class in a response, class where the
# client produces (request body, parameter)
SCHEMA_ROWS = [
    ("property-added-optional", OBJ, OBJ_B, ".properties.b", "compatible", "compatible"),
    ("property-added-required", OBJ, OBJ_B_REQ, ".properties.b", "server", "client"),
    ("property-removed", OBJ_B, OBJ, ".properties.b", "client", "client"),
    ("required-added", OBJ, OBJ_A_REQ, ".properties.a", "server", "client"),
    ("required-removed", OBJ_A_REQ, OBJ, ".properties.a", "client", "server"),
    ("enum-value-added", _s({"type": "string", "enum": ["A"]}),
     _s({"type": "string", "enum": ["A", "B"]}), ".properties.s", "client", "server"),
    ("enum-value-removed", _s({"type": "string", "enum": ["A", "B"]}),
     _s({"type": "string", "enum": ["A"]}), ".properties.s", "server", "client"),
    ("enum-introduced", _s({"type": "string"}), _s({"type": "string", "enum": ["A"]}),
     ".properties.s", "server", "client"),
    ("enum-dropped", _s({"type": "string", "enum": ["A"]}), _s({"type": "string"}),
     ".properties.s", "client", "server"),
    ("type-widened", _s({"type": "integer"}), _s({"type": "number"}), ".properties.s",
     "client", "server"),
    ("type-narrowed", _s({"type": ["string", "integer"]}), _s({"type": "string"}),
     ".properties.s", "server", "client"),
    ("type-changed", _s({"type": "string"}), _s({"type": "boolean"}), ".properties.s",
     "both", "both"),
    ("nullable-added", _s({"type": "string"}), _s({"type": ["string", "null"]}),
     ".properties.s", "client", "server"),
    ("nullable-removed", _s({"type": ["string", "null"]}), _s({"type": "string"}),
     ".properties.s", "server", "client"),
    ("format-added", _s({"type": "string"}), _s({"type": "string", "format": "date-time"}),
     ".properties.s", "server", "client"),
    ("format-removed", _s({"type": "string", "format": "date-time"}), _s({"type": "string"}),
     ".properties.s", "client", "server"),
    ("format-changed", _s({"type": "string", "format": "date-time"}),
     _s({"type": "string", "format": "uuid"}), ".properties.s", "both", "both"),
    ("composition-changed", _s({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
     _s({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]}),
     ".properties.s.anyOf", "both", "both"),
]  # fmt: skip

REF = {"$ref": "#/components/schemas/Run"}


def _document(where: str, schema: dict[str, Any], version: str = "3.1.0") -> dict[str, Any]:
    """A minimal contract using `schema` as a response body, a request body or a query
    parameter (the bodies through the component `Run`)."""
    json_body = {"content": {"application/json": {"schema": REF}}}
    if where == "response":
        operation = {"responses": {"200": {"description": "a run", **json_body}}}
    elif where == "request":
        operation = {
            "requestBody": {"required": True, **json_body},
            "responses": {"204": {"description": "done"}},
        }
    else:
        operation = {
            "parameters": [{"name": "filter", "in": "query", "schema": schema}],
            "responses": {"204": {"description": "done"}},
        }
    components = {"schemas": {"Run": schema}} if where != "parameter" else {}
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/runs": {"post" if where == "request" else "get": operation}},
        "components": components,
    }


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    found = diff_contracts(contract_of(old, file="old"), contract_of(new, file="new"), EVERYTHING)
    return [(c.rule.id, c.rule.cls, c.path) for c in found.changes]


@pytest.mark.parametrize("where", ["response", "request", "parameter"])
@pytest.mark.parametrize(
    ("kind", "old", "new", "below", "response_class", "produced_class"),
    SCHEMA_ROWS,
    ids=[row[0] for row in SCHEMA_ROWS],
)
def test_a_schema_change_gets_its_rule_and_class(
    where: str,
    kind: str,
    old: dict[str, Any],
    new: dict[str, Any],
    below: str,
    response_class: str,
    produced_class: str,
) -> None:
    base = "GET /runs parameters.query.filter" if where == "parameter" else "Run"
    cls = response_class if where == "response" else produced_class
    assert _changes(_document(where, old), _document(where, new)) == [
        (f"{where}.{kind}", cls, base + below)
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"Run": OBJ}, {"Run": OBJ, "Step": OBJ}, [("response.schema-added", "compatible")]),
        ({"Run": OBJ, "Step": OBJ}, {"Run": OBJ}, [("response.schema-removed", "client")]),
    ],
)
def test_a_schema_added_or_removed(
    old: dict[str, Any], new: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    def document(schemas: dict[str, Any]) -> dict[str, Any]:
        return {"openapi": "3.1.0", "paths": {}, "components": {"schemas": schemas}}

    found = _changes(document(old), document(new))
    assert [(rule, cls) for rule, cls, path in found] == expected
    assert [path for _, _, path in found] == ["Step"]


def test_a_3_0_nullable_and_a_3_1_null_type_are_the_same() -> None:
    old = _document("response", _s({"type": "string", "nullable": True}), version="3.0.3")
    new = _document("response", _s({"type": ["string", "null"]}))
    assert _changes(old, new) == []


def test_a_nullable_reference_in_3_1_is_nullable_added() -> None:
    old = _document("response", _s({"$ref": "#/components/schemas/Run"}))
    new = _document(
        "response", _s({"anyOf": [{"$ref": "#/components/schemas/Run"}, {"type": "null"}]})
    )
    assert _changes(old, new) == [("response.nullable-added", "client", "Run.properties.s")]


def _operations(**change: Any) -> dict[str, Any]:
    """GET /runs/{id} (optional query `limit`, a JSON 200) and POST /runs (an optional
    body, a 204); `change` switches parts: drop_post, status_404, no_200_body, no_body,
    body_required, extra_param ("required" / "optional"), no_limit, limit_required."""
    get: dict[str, Any] = {
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
        ],
        "responses": {
            "200": {"description": "a run", "content": {"application/json": {"schema": REF}}}
        },
    }
    post: dict[str, Any] = {
        "requestBody": {"content": {"application/json": {"schema": REF}}},
        "responses": {"204": {"description": "created"}},
    }
    if change.get("status_404"):
        get["responses"]["404"] = {"description": "no such run"}
    if change.get("no_200_body"):
        get["responses"]["200"] = {"description": "a run"}
    if change.get("no_body"):
        del post["requestBody"]
    if change.get("body_required"):
        post["requestBody"]["required"] = True
    if change.get("extra_param"):
        required = change["extra_param"] == "required"
        get["parameters"].append({"name": "tenant", "in": "header", "required": required})
    if change.get("no_limit"):
        get["parameters"].pop(1)
    if change.get("limit_required"):
        get["parameters"][1]["required"] = True
    paths: dict[str, Any] = {"/runs/{id}": {"get": get}}
    if not change.get("drop_post"):
        paths["/runs"] = {"post": post}
    return {"openapi": "3.1.0", "paths": paths, "components": {"schemas": {"Run": OBJ}}}


# kind, OLD switches, NEW switches, class, path
OPERATION_ROWS = [
    ("operation-added", {"drop_post": True}, {}, "compatible", "POST /runs"),
    ("operation-removed", {}, {"drop_post": True}, "client", "POST /runs"),
    ("response-added", {}, {"status_404": True}, "client", "GET /runs/{id} responses.404"),
    ("response-removed", {"status_404": True}, {}, "server", "GET /runs/{id} responses.404"),
    ("response-body-added", {"no_200_body": True}, {}, "server", "GET /runs/{id} responses.200"),
    ("response-body-removed", {}, {"no_200_body": True}, "client",
     "GET /runs/{id} responses.200"),
    ("request-body-added-required", {"no_body": True}, {"body_required": True}, "client",
     "POST /runs requestBody"),
    ("request-body-added-optional", {"no_body": True}, {}, "compatible", "POST /runs requestBody"),
    ("request-body-removed", {}, {"no_body": True}, "client", "POST /runs requestBody"),
    ("request-body-required", {}, {"body_required": True}, "client", "POST /runs requestBody"),
    ("request-body-optional", {"body_required": True}, {}, "server", "POST /runs requestBody"),
    ("parameter-added-required", {}, {"extra_param": "required"}, "client",
     "GET /runs/{id} parameters.header.tenant"),
    ("parameter-added-optional", {}, {"extra_param": "optional"}, "compatible",
     "GET /runs/{id} parameters.header.tenant"),
    ("parameter-removed", {}, {"no_limit": True}, "client",
     "GET /runs/{id} parameters.query.limit"),
    ("parameter-required", {}, {"limit_required": True}, "client",
     "GET /runs/{id} parameters.query.limit"),
    ("parameter-optional", {"limit_required": True}, {}, "server",
     "GET /runs/{id} parameters.query.limit"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "old", "new", "cls", "path"), OPERATION_ROWS, ids=[r[0] for r in OPERATION_ROWS]
)
def test_an_operation_change_gets_its_rule_and_class(
    kind: str, old: dict[str, Any], new: dict[str, Any], cls: str, path: str
) -> None:
    assert _changes(_operations(**old), _operations(**new)) == [(f"operation.{kind}", cls, path)]


def test_every_rule_of_the_table_has_a_row_here() -> None:
    covered = {
        (row[0], where) for row in SCHEMA_ROWS for where in ("response", "request", "parameter")
    }
    covered |= {(row[0], "operation") for row in OPERATION_ROWS}
    covered |= {("schema-added", "response"), ("schema-removed", "response")}
    untested = sorted(set(RULES) - covered)
    assert untested == [
        (kind, where)
        for kind in ("schema-added", "schema-removed")
        for where in ("parameter", "request")
    ]
    assert len(RULES) == 3 * len(SCHEMA_KINDS) + len(OPERATION_KINDS)


def test_an_unchanged_contract_has_no_change_and_a_cycle_ends() -> None:
    tree = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}}
    document = _document("response", OBJ)
    document["components"]["schemas"]["Node"] = tree
    changed = copy.deepcopy(document)
    changed["components"]["schemas"]["Node"]["properties"]["name"] = {"type": "string"}
    assert _changes(document, copy.deepcopy(document)) == []
    assert _changes(document, changed) == [
        ("response.property-added-optional", "compatible", "Node.properties.name")
    ]


def test_a_reference_with_siblings_is_followed_to_its_component() -> None:
    leaf = {"type": "object", "properties": {"a": {"type": "string"}}}
    old = _document("response", _s({"$ref": "#/components/schemas/Leaf", "description": "d"}))
    new = _document("response", _s({**leaf, "properties": {**leaf["properties"], "b": {}}}))
    old["components"]["schemas"]["Leaf"] = leaf
    new["components"]["schemas"]["Leaf"] = leaf
    assert _changes(old, new) == [
        ("response.property-added-optional", "compatible", "Run.properties.s.properties.b")
    ]
