"""Operation errata (issue 14 item 8): a correction to an operation of a vendor's bundled
contract, with evidence, applied when `runconform contract` loads it, checked by
`schemas build`, listed by `schemas show VENDOR --provenance`.

Knock's get-one declares only `200`; Knock (and `serve knock`) answer an unknown id `404`
with Knock's error body. With the erratum that 404 passes; without it (the erratum taken out,
or the vendor's raw file) it is a `status_code_conformance` failure. A malformed operation
erratum is exit 3 naming the erratum and its pointer, from every command that reads it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.bundle.resources import contracts_dir
from conformance.contract import ContractOptions, run_contract
from conformance.simulator import Faults, start

TOKEN = "t0k3n-for-operation-errata"
GET_ONE = "getWorkflowRecipientRun"
OPERATION = "GET /v1/workflow_recipient_runs/{id}"
SOURCE = "knock/workflow-recipient-runs-api.openapi.yml"
ERRATUM = "knock-get-run-undeclared-404"
RAW = contracts_dir() / SOURCE
#: Where a contract run's bundled contracts come from, and `schemas show VENDOR`'s.
READERS = ("conformance.contract.loading", "conformance.bundle.provenance")


def knock_tree(tmp_path: Path, edit: Callable[[str], str] | None = None) -> Path:
    """A contracts tree holding a copy of Knock's folder, its errata.yaml edited."""
    root = tmp_path / "contracts"
    shutil.copytree(contracts_dir() / "knock", root / "knock")
    if edit is not None:
        errata = root / "knock" / "errata.yaml"
        text = errata.read_text()
        assert edit(text) != text  # the edit found its text
        errata.write_text(edit(text))
    return root


def without_the_erratum(text: str) -> str:
    return text[: text.index("\noperation_errata:")] + "\n"


def read_contracts_from(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    for module in READERS:
        monkeypatch.setattr(f"{module}.contracts_dir", lambda: root, raising=False)


# -- a real 404 for an unknown id, against the simulator on 127.0.0.1 ---------------------------

RUNS = [
    # (case, contract: "bundled" | "no-erratum" | "raw", known ids?, statuses, failures)
    ("bundled-unknown-ids", "bundled", False, {404}, []),
    ("bundled-known-ids", "bundled", True, {200}, []),
    (
        "erratum-taken-out",
        "no-erratum",
        False,
        {404},
        [("status_code_conformance", "Received: 404")],
    ),
    ("raw-vendor-file", "raw", False, {404}, [("status_code_conformance", "Received: 404")]),
]


@pytest.mark.parametrize(
    ("contract", "known", "statuses", "failures"), [r[1:] for r in RUNS], ids=[r[0] for r in RUNS]
)
def test_a_404_for_an_unknown_id_passes_only_with_the_erratum(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    contract: str,
    known: bool,
    statuses: set[int],
    failures: list[tuple[str, str]],
) -> None:
    if contract == "no-erratum":
        read_contracts_from(monkeypatch, knock_tree(tmp_path, without_the_erratum))
    with start("knock", seed=1, faults=Faults(), token=TOKEN) as sim:
        options = ContractOptions(
            base_url=sim.url,
            contract=RAW if contract == "raw" else None,
            operations=(GET_ONE,),
            path_parameters=tuple(sim.known_path_parameters().items()) if known else (),
            max_examples=3,
            rate_limit=0,
            headers=(("Authorization", f"Bearer {TOKEN}"),),
            allow_untested=True,  # unknown ids give no run body to check
        )
        result = run_contract("knock", options)
    [run] = result.runs
    assert (run.operation, set(run.statuses)) == (OPERATION, statuses)
    assert [(f.keyword, f.message) for f in result.failures] == failures
    applied = (
        f"{SOURCE}: tested with operation errata {ERRATUM} ({OPERATION}), "
        "knock-list-recipient-deep-object (GET /v1/workflow_recipient_runs)"
    )
    assert (applied in result.notes) is (contract == "bundled")


@pytest.mark.parametrize(("erratum", "code"), [(True, 0), (False, 1)], ids=["with", "without"])
def test_the_contract_command_passes_serve_knocks_404_with_the_erratum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli, erratum: bool, code: int
) -> None:
    if not erratum:
        read_contracts_from(monkeypatch, knock_tree(tmp_path, without_the_erratum))
    with start("knock", seed=1, faults=Faults(), token=TOKEN) as sim:
        args = ["contract", "knock", "--base-url", sim.url, "--operation", GET_ONE]
        args += ["--header", f"Authorization: Bearer {TOKEN}", "--rate-limit", "0"]
        exit_code, out, _ = run_cli(*args, "--max-examples", "3", "--allow-untested")
    assert exit_code == code
    line = next(x for x in out.splitlines() if x.startswith(OPERATION))
    assert line.startswith(
        f"{OPERATION}: {'untested' if erratum else 'FAILED'} (3 calls, statuses [404"
    )


# -- malformed operation errata: exit 3, the erratum and its pointer, from every reader ---------

TEST_OP = "{op: test, path: /operationId, value: getWorkflowRecipientRun}"
WHERE = f"{OPERATION} in {SOURCE}"
LEAVES = f"erratum '{ERRATUM}': leaves {WHERE} invalid: "
SCHEMA = "              schema:\n                type: object\n"


def _fixed_by_the_vendor(root: Path) -> None:
    """The vendor now declares a 404 (the source edited, its sha256 dropped)."""
    source = root / "knock" / "workflow-recipient-runs-api.openapi.yml"
    text = source.read_text()
    source.write_text(
        text.replace(
            "          description: OK\n",
            "          description: OK\n        '404':\n          description: Not found\n",
            1,
        )
    )
    manifest = root / "knock" / "manifest.yaml"
    manifest.write_text(
        "".join(x for x in manifest.read_text().splitlines(True) if "sha256:" not in x)
    )


BAD = [
    (
        "unknown-operation",
        lambda t: t.replace(
            f"operation: {OPERATION}", "operation: GET /v1/workflow_recipient_runs/{run_id}"
        ),
        None,
        f"knock/errata.yaml#/operation_errata/0/operation: erratum '{ERRATUM}': no operation "
        f"GET /v1/workflow_recipient_runs/{{run_id}} in {SOURCE}; did you mean {OPERATION}?",
    ),
    (
        "failing-test-op",
        lambda t: t.replace(TEST_OP, "{op: test, path: /operationId, value: getRun}"),
        None,
        f"knock/errata.yaml#/operation_errata/0/patch/0: erratum '{ERRATUM}': no longer applies "
        f"to {WHERE}: /operationId is 'getWorkflowRecipientRun', the erratum expects 'getRun'",
    ),
    (
        "patch-outside-the-operation",
        lambda t: t.replace("path: /responses/404", "path: /components/schemas/KnockError"),
        None,
        f"knock/errata.yaml#/operation_errata/0/patch/1/path: erratum '{ERRATUM}': "
        "/components/schemas/KnockError is outside the operation: an operation erratum patches "
        "the Operation Object only (paths start at /responses, /parameters, ...)",
    ),
    (
        "no-leading-test-op",
        lambda t: t.replace(f"      - {TEST_OP}\n", ""),
        None,
        f"knock/errata.yaml#/operation_errata/0/patch/0: erratum '{ERRATUM}': the patch must "
        "begin with a `test` op that pins the vendor's text it corrects",
    ),
    (
        "vendor-declares-it-now",
        None,
        _fixed_by_the_vendor,
        f"knock/errata.yaml#/operation_errata/0/patch/1: erratum '{ERRATUM}': {WHERE} already "
        "declares /responses/404: the vendor may have fixed it; drop the erratum (or `test` "
        "and `replace` what is declared now)",
    ),
    (
        "not-a-response-object",
        lambda t: t.replace(
            "path: /responses/404\n        value:\n",
            "path: /responses/404\n        value: 5\n        was:\n",
        ),
        None,
        f"knock/errata.yaml#/operation_errata/0/patch: {LEAVES}/responses/404: must be an "
        "object (a Response Object), not an integer",
    ),
    (
        "dangling-ref",
        lambda t: t.replace(
            SCHEMA,
            "              schema:\n                $ref: '#/components/schemas/KnockError'\n",
        ),
        None,
        f"knock/errata.yaml#/operation_errata/0/patch: {LEAVES}/responses/404/content/"
        "application~1json/schema/$ref: $ref '#/components/schemas/KnockError' points to "
        "nothing in this contract",
    ),
    (
        "remote-ref",
        lambda t: t.replace(
            SCHEMA, "              schema:\n                $ref: 'https://example.com/e.json'\n"
        ),
        None,
        f"knock/errata.yaml#/operation_errata/0/patch: {LEAVES}/responses/404/content/"
        "application~1json/schema/$ref: external $ref 'https://example.com/e.json': runconform "
        "never fetches or reads referenced documents; copy what it references into this "
        "contract and point at it with a local '#/...' reference",
    ),
    (
        "missing-evidence",
        lambda t: t.replace(
            "    evidence: >-\n      Knock's official", "    evidense: >-\n      Knock's official"
        ),
        None,
        "knock/errata.yaml#/operation_errata/0: operation erratum lacks evidence",
    ),
    (
        "unknown-source",
        lambda t: t.replace(
            f"operation: {OPERATION}\n", f"operation: {OPERATION}\n    source: nope.yml\n"
        ),
        None,
        f"knock/errata.yaml#/operation_errata/0/source: erratum '{ERRATUM}': 'nope.yml' is not "
        "an OpenAPI source of knock/manifest.yaml",
    ),
]
READERS_ARGV = {
    "schemas-build": lambda root, out: [
        "schemas",
        "build",
        "--contracts",
        str(root),
        "--out",
        str(out),
    ],
    "contract": lambda root, out: ["contract", "knock", "--base-url", "http://127.0.0.1:9"],
    "schemas-show": lambda root, out: ["schemas", "show", "knock", "--provenance"],
}


@pytest.mark.parametrize("reader", sorted(READERS_ARGV))
@pytest.mark.parametrize(
    ("edit", "damage", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_a_malformed_operation_erratum_is_exit_3_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli,
    reader: str,
    edit: Callable[[str], str] | None,
    damage: Callable[[Path], None] | None,
    message: str,
) -> None:
    root = knock_tree(tmp_path, edit)
    if damage is not None:
        damage(root)
    read_contracts_from(monkeypatch, root)
    code, out, err = run_cli(*READERS_ARGV[reader](root, tmp_path / "schemas"))
    assert (code, out, err) == (3, "", f"runconform: error: {message}\n")


def test_schemas_build_check_covers_the_operation_errata(tmp_path: Path, run_cli) -> None:
    """The schema files do not change with an operation erratum: --check still checks it."""
    root, schemas = knock_tree(tmp_path), tmp_path / "schemas"
    assert run_cli("schemas", "build", "--contracts", str(root), "--out", str(schemas))[0] == 0
    errata = root / "knock" / "errata.yaml"
    errata.write_text(
        errata.read_text().replace(TEST_OP, "{op: test, path: /operationId, value: getRun}")
    )
    code, out, err = run_cli(
        "schemas", "build", "--check", "--contracts", str(root), "--out", str(schemas)
    )
    assert (code, out) == (3, "")
    assert err == f"runconform: error: {BAD[1][3]}\n"


# -- provenance ---------------------------------------------------------------------------------


def test_schemas_show_knock_provenance_lists_the_operation_erratum(run_cli) -> None:
    code, out, err = run_cli("schemas", "show", "knock", "--provenance")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    block = lines[lines.index('  "operation_errata": [') :]
    assert block[:10] == [
        '  "operation_errata": [',
        "    {",
        f'      "id": "{ERRATUM}",',
        '      "vendor": "knock",',
        f'      "operation": "{OPERATION}",',
        f'      "source": "{SOURCE}",',
        '      "changes": [',
        '        "add /responses/404"',
        "      ],",
        '      "rationale": "The operation declares only `200`, but an id that names no run is '
        "answered `404` with Knock's error body, as for every failed request. A server that "
        "behaves exactly like Knock then fails `status_code_conformance` whenever a contract run "
        "tries an id it made up. The 404 is declared, with the shared error structure Knock "
        "documents (`code`, `message`, `status`, `type`; the first three required: the "
        'documentation does not say which `type` each code has).",',
    ]
    assert block[10].startswith(
        '      "evidence": "Knock\'s official Python client, knockapi 1.33.0 (generated from '
        "Knock's API description): knockapi/_client.py `Knock._make_status_error` (and "
        "`AsyncKnock._make_status_error`) maps status 404 to `knockapi._exceptions.NotFoundError`"
    )
    assert block[11:14] == ["    },", "    {", '      "id": "knock-list-recipient-deep-object",']
    assert block[16:21] == [
        f'      "source": "{SOURCE}",',
        '      "changes": [',
        '        "add /parameters/7/style",',
        '        "add /parameters/7/explode"',
        "      ],",
    ]
    assert block[-3:] == ["    }", "  ]", "}"]
    shown = json.loads(out)
    assert [e["id"] for e in shown["errata"]] == [
        "knock-actor-nullable-without-type",
        "knock-object-reference-required",
    ]
    assert shown["sources"][0]["file"] == SOURCE


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("schemas", "show", "knock"),
            "'knock' is a vendor: `runconform schemas show knock --provenance` shows its "
            "contract's provenance, `runconform schemas list --vendor knock` its objects",
        ),
        (
            ("schemas", "show", "knock", "--provenance", "--as-published"),
            "'knock' is a vendor: `runconform schemas show knock --provenance` shows its "
            "contract's provenance, `runconform schemas list --vendor knock` its objects",
        ),
    ],
    ids=["without-provenance", "as-published"],
)
def test_a_vendor_name_without_provenance_is_a_usage_error(run_cli, argv, message: str) -> None:
    assert run_cli(*argv) == (2, "", f"runconform: error: {message}\n")


TENANT = "707d0855-80ab-4e1f-a156-f1c4546cbf52"
UNKNOWN_RUN = "0f7a2a43-6b1e-4e5c-9f36-1d3c2b9a8e11"
HATCHET_RUN = f"/api/v1/stable/workflow-runs/{UNKNOWN_RUN}"
RECORDED_404S = {
    "knock-get-one": (
        f"https://api.knock.app/v1/workflow_recipient_runs/{UNKNOWN_RUN}",
        {"code": "resource_missing", "message": "not found", "status": 404},
    ),
    **{
        f"hatchet-{name}": (
            f"https://cloud.onhatchet.run{HATCHET_RUN}{suffix}",
            {"errors": [{"description": "workflow run not found"}]},
        )
        for name, suffix in (
            ("get", ""),
            ("task-events", "/task-events"),
            ("task-timings", "/task-timings"),
        )
    },
}


def har_of_404(tmp_path: Path, url: str, body: object) -> Path:
    """A HAR file holding one GET of `url` answered 404 with `body`."""
    text = json.dumps(body)
    entry = {
        "startedDateTime": "2026-11-30T10:00:00.000Z",
        "time": 1,
        "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": []},
        "response": {
            "status": 404,
            "statusText": "Not Found",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
        },
        "timings": {"send": 0, "wait": 1, "receive": 0},
    }
    har = tmp_path / "unknown-id.har"
    creator = {"name": "t", "version": "1"}
    har.write_text(json.dumps({"log": {"version": "1.2", "creator": creator, "entries": [entry]}}))
    return har


@pytest.mark.parametrize(("url", "body"), RECORDED_404S.values(), ids=RECORDED_404S)
def test_a_recorded_404_the_errata_declare_validates(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]], url: str, body: object
) -> None:
    """`validate` routes a recording to the same corrected contract a contract run tests:
    the vendor's 404 for an unknown id is declared..."""
    code, out, err = run_cli("validate", str(har_of_404(tmp_path, url, body)))
    assert (code, err) == (0, ""), out


HATCHET_404S = [url for name, (url, _) in RECORDED_404S.items() if name.startswith("hatchet")]


@pytest.mark.parametrize("url", HATCHET_404S)
def test_a_recorded_404_with_a_wrong_body_is_caught(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]], url: str
) -> None:
    """...and its body is checked against the error schema the erratum declares, when that
    is a bundled object (Hatchet's APIErrors; Knock's inline error body is not bundled)."""
    har = har_of_404(tmp_path, url, {"message": 404})
    code, out, _ = run_cli("validate", str(har))
    assert code == 1
    assert re.match(rf"{re.escape(str(har))}:1:\d+: \$", out)  # at the value in the body


def without_the_deep_object(text: str) -> str:
    return text[: text.index("  - id: knock-list-recipient-deep-object")]


RECIPIENT = {"id": "project-1", "collection": "projects"}
SENT = {  # erratum applied? -> the query Schemathesis writes for RECIPIENT, and the answer
    True: ({"recipient[id]": "project-1", "recipient[collection]": "projects"}, 200),
    False: ({"id": "project-1", "collection": "projects"}, 400),
}


@pytest.mark.parametrize("erratum", [True, False], ids=["with", "without"])
def test_the_recipient_object_is_sent_as_knocks_client_sends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, erratum: bool
) -> None:
    """With knock-list-recipient-deep-object, Schemathesis (reading the contract a contract
    run loads) writes a recipient object as `recipient[id]=...`, which `serve knock` reads as
    Knock does; without it the default form style writes `id=...&collection=...`, which
    names no recipient and is refused."""
    import urllib.error
    import urllib.request
    from urllib.parse import urlencode

    import schemathesis

    from conformance.contract.loading import contract_documents

    if not erratum:
        read_contracts_from(monkeypatch, knock_tree(tmp_path, without_the_deep_object))
    [document] = contract_documents("knock")
    schema = schemathesis.openapi.from_dict(document.document)
    operation = schema["/v1/workflow_recipient_runs"]["GET"]
    serialize = schema.get_parameter_serializer(operation, "query")
    assert serialize is not None
    query, status = SENT[erratum]
    assert serialize({"recipient": dict(RECIPIENT)}) == query
    with start("knock", seed=1, faults=Faults(), token=TOKEN) as sim:
        sent = urllib.request.Request(
            f"{sim.url}/v1/workflow_recipient_runs?{urlencode(query)}",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        try:
            with urllib.request.urlopen(sent, timeout=5) as answer:
                assert (answer.status, status) == (200, 200)
                items = json.loads(answer.read())["items"]
        except urllib.error.HTTPError as refused:
            assert (refused.code, status) == (400, 400)
            return
    assert items and all(run["recipient"] == RECIPIENT for run in items)
