"""Operation errata: documented corrections to the operations of a vendor's OpenAPI contract.

A contract can be wrong about more than its schemas. Knock's get-one declares only `200`, yet
Knock answers an unknown id with `404` and its error body, so a server that behaves exactly
like Knock fails `status_code_conformance`. An operation erratum, in the vendor's
`errata.yaml` under `operation_errata`, names the operation as the document writes it
(`GET /v1/workflow_recipient_runs/{id}`), says why and on what evidence, and carries an
RFC 6902 patch on that Operation Object.

The patch must begin with a `test` op, every path stays inside the operation, and an `add`
never overwrites what the vendor declares: an upstream change (the vendor fixing the gap, or
moving the text) then stops the load with the erratum's id and pointer (exit 3) instead of
being silently re-patched. The patched document must still be a valid contract (same checks
as a user's contract). `runconform contract` tests the patched document, `schemas build`
checks every erratum still applies, `schemas show VENDOR --provenance` lists them.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonpatch
import jsonpointer

from conformance.bundle.document_loader import load_document
from conformance.bundle.errata import read_errata_file
from conformance.bundle.openapi import escape_pointer
from conformance.bundle.openapi_shape import METHODS, check_shape, refuse_external_references
from conformance.bundle.vendor_contracts import Source, VendorContracts, load_all
from conformance.errors import BundleError

KEY = "operation_errata"
FIELDS = ("id", "operation", "rationale", "evidence", "patch")
OPTIONAL = ("source",)
#: The fixed fields of an OpenAPI Operation Object (plus `x-` extensions): where a patch may go.
OPERATION_FIELDS = frozenset(
    {
        *("tags", "summary", "description", "externalDocs", "operationId", "parameters"),
        *("requestBody", "responses", "callbacks", "deprecated", "security", "servers"),
    }
)
PATCH_OPS = ("add", "remove", "replace", "move", "copy", "test")


@dataclass(frozen=True)
class OperationErratum:
    """One correction to one operation, with its reason and evidence."""

    id: str
    vendor: str
    method: str  # upper case
    path: str  # the path template as the document writes it
    source: str | None  # the OpenAPI file (in the vendor's folder); None = the one that has it
    rationale: str
    evidence: str
    patch: tuple[dict[str, Any], ...]
    index: int  # position under `operation_errata`

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def file(self) -> str:
        return f"{self.vendor}/errata.yaml"

    @property
    def pointer(self) -> str:
        return f"/{KEY}/{self.index}"

    def changes(self) -> tuple[str, ...]:
        """What the patch does, one `op path` each, without the `test` ops that pin the text."""
        return tuple(f"{op['op']} {op['path']}" for op in self.patch if op["op"] != "test")


@dataclass(frozen=True)
class AppliedErratum:
    """An operation erratum and the bundled file whose operation it patched."""

    erratum: OperationErratum
    source: str  # "vendor/file"

    @property
    def id(self) -> str:
        return self.erratum.id

    @property
    def operation(self) -> str:
        return self.erratum.operation

    def summary(self) -> dict[str, Any]:
        """The provenance record `schemas show VENDOR --provenance` prints."""
        e = self.erratum
        return {
            "id": e.id,
            "vendor": e.vendor,
            "operation": e.operation,
            "source": self.source,
            "changes": list(e.changes()),
            "rationale": " ".join(e.rationale.split()),
            "evidence": " ".join(e.evidence.split()),
        }


@dataclass(frozen=True)
class CorrectedSource:
    """One bundled OpenAPI source with the operation errata that apply to it applied."""

    source: Source
    document: dict[str, Any]
    applied: tuple[AppliedErratum, ...]


def _problem(erratum_id: str, message: str, *, file: str, pointer: str) -> BundleError:
    return BundleError(f"erratum {erratum_id!r}: {message}", file=file, pointer=pointer)


def _check_patch(raw: Any, fail: Callable[[str, str], BundleError]) -> tuple[dict[str, Any], ...]:
    """The patch's shape: JSON Patch ops, a leading `test`, every path inside the operation."""
    if not isinstance(raw, list) or not raw:
        raise fail("`patch` must be a non-empty list of JSON Patch operations", "/patch")
    for k, op in enumerate(raw):
        if not isinstance(op, dict) or op.get("op") not in PATCH_OPS:
            raise fail(
                f"not a JSON Patch operation (`op` is one of {', '.join(PATCH_OPS)})", f"/patch/{k}"
            )
        for key in ("path", "from") if op["op"] in ("move", "copy") else ("path",):
            target, at = op.get(key), f"/patch/{k}/{key}"
            if not isinstance(target, str) or not target.startswith("/"):
                raise fail(
                    f"`{key}` must be a JSON pointer into the operation ('/responses/...')", at
                )
            head = target.split("/")[1].replace("~1", "/").replace("~0", "~")
            if head not in OPERATION_FIELDS and not head.startswith("x-"):
                raise fail(
                    f"{target} is outside the operation: an operation erratum patches the "
                    "Operation Object only (paths start at /responses, /parameters, ...)",
                    at,
                )
        if op["op"] in ("add", "replace", "test") and "value" not in op:
            raise fail(f"`{op['op']}` needs a `value`", f"/patch/{k}")
    if raw[0]["op"] != "test":
        raise fail(
            "the patch must begin with a `test` op that pins the vendor's text it corrects",
            "/patch/0",
        )
    return tuple(raw)


def _parse(raw: Any, index: int, vendor: str, seen: set[str]) -> OperationErratum:
    file, pointer = f"{vendor}/errata.yaml", f"/{KEY}/{index}"
    if not isinstance(raw, dict):
        raise BundleError("an operation erratum must be a mapping", file=file, pointer=pointer)
    missing = [k for k in FIELDS if k not in raw]
    if missing:
        raise BundleError(
            f"operation erratum lacks {', '.join(missing)}", file=file, pointer=pointer
        )
    erratum_id = raw["id"]
    if not isinstance(erratum_id, str) or not erratum_id:
        raise BundleError("`id` must be a non-empty string", file=file, pointer=f"{pointer}/id")

    def fail(message: str, at: str) -> BundleError:
        return _problem(erratum_id, message, file=file, pointer=pointer + at)

    unknown = sorted(str(k) for k in set(raw) - set(FIELDS) - set(OPTIONAL))
    if unknown:
        keys = ", ".join(FIELDS + OPTIONAL)
        raise fail(
            f"unknown key(s) {', '.join(map(repr, unknown))}; an operation erratum has {keys}", ""
        )
    if erratum_id in seen:
        raise BundleError(
            f"duplicate erratum id {erratum_id!r}", file=file, pointer=f"{pointer}/id"
        )
    seen.add(erratum_id)
    operation = raw["operation"]
    method, _, path = operation.partition(" ") if isinstance(operation, str) else ("", "", "")
    if method.lower() not in METHODS or not path.startswith("/"):
        raise fail(
            f"`operation` must be 'METHOD /path' as the contract writes it, not {operation!r}",
            "/operation",
        )
    source = raw.get("source")
    if source is not None and not isinstance(source, str):
        raise fail("`source` must be a file name", "/source")
    return OperationErratum(
        id=erratum_id,
        vendor=vendor,
        method=method.upper(),
        path=path,
        source=source,
        rationale=str(raw["rationale"]),
        evidence=str(raw["evidence"]),
        patch=_check_patch(raw["patch"], fail),
        index=index,
    )


def load_operation_errata(vendor_dir: Path) -> tuple[OperationErratum, ...]:
    """The `operation_errata` of a vendor's `errata.yaml` (none without the file or the key)."""
    vendor = vendor_dir.name
    file, data = read_errata_file(vendor_dir)
    if not isinstance(data, dict) or data.get(KEY) is None:
        return ()
    if not isinstance(data[KEY], list):
        raise BundleError(f"`{KEY}` must be a list", file=file, pointer=f"/{KEY}")
    schema_errata = data.get("errata")
    listed: list[Any] = schema_errata if isinstance(schema_errata, list) else []
    seen = {e["id"] for e in listed if isinstance(e, dict) and isinstance(e.get("id"), str)}
    return tuple(_parse(raw, i, vendor, seen) for i, raw in enumerate(data[KEY]))


def _operations(document: Any) -> list[str]:
    """Every `METHOD /path` of a document, as its Paths Object writes them."""
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict):
        return []
    return [
        f"{method.upper()} {path}"
        for path, item in paths.items()
        if isinstance(item, dict)
        for method in METHODS
        if isinstance(item.get(method), dict)
    ]


def _locate(erratum: OperationErratum, sources: list[Source], documents: dict[str, Any]) -> str:
    """The bundled file (`vendor/file`) that holds the erratum's operation: exactly one."""
    candidates = [s for s in sources if erratum.source in (None, s.file)]
    if not candidates:
        raise _problem(
            erratum.id,
            f"{erratum.source!r} is not an OpenAPI source of {erratum.vendor}/manifest.yaml",
            file=erratum.file,
            pointer=f"{erratum.pointer}/source",
        )
    holders = [
        s.relpath for s in candidates if erratum.operation in _operations(documents[s.relpath])
    ]
    if len(holders) == 1:
        return holders[0]
    if holders:
        raise _problem(
            erratum.id,
            f"{erratum.operation} is in {' and '.join(holders)}: name its `source`",
            file=erratum.file,
            pointer=f"{erratum.pointer}/operation",
        )
    known = [op for s in candidates for op in _operations(documents[s.relpath])]
    close = difflib.get_close_matches(erratum.operation, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise _problem(
        erratum.id,
        f"no operation {erratum.operation} in {', '.join(s.relpath for s in candidates)}{hint}",
        file=erratum.file,
        pointer=f"{erratum.pointer}/operation",
    )


def _cut(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 20] + "..." + text[-15:]


def _shown(value: Any) -> str:
    return _cut(repr(value), 80)


def _test_problem(operation: dict[str, Any], step: dict[str, Any]) -> str | None:
    """Why a `test` op fails on the vendor's operation, or None."""
    try:
        found = jsonpointer.resolve_pointer(operation, step["path"])
    except jsonpointer.JsonPointerException:
        return f"{step['path']} does not exist"
    if found != step["value"] or type(found) is not type(step["value"]):
        return f"{step['path']} is {_shown(found)}, the erratum expects {_shown(step['value'])}"
    return None


def _declared(operation: dict[str, Any], pointer: str) -> bool:
    """True when `pointer` names a member the operation already has (an `add` would replace it)."""
    parent_pointer, _, last = pointer.rpartition("/")
    try:
        parent = jsonpointer.resolve_pointer(operation, parent_pointer)
    except jsonpointer.JsonPointerException:
        return False
    return isinstance(parent, dict) and last.replace("~1", "/").replace("~0", "~") in parent


def _apply(document: dict[str, Any], erratum: OperationErratum, relpath: str) -> None:
    """Patch the erratum's operation in `document` (in place), one op at a time."""
    item = document["paths"][erratum.path]
    method = erratum.method.lower()
    current = copy.deepcopy(item[method])
    where = f"{erratum.operation} in {relpath}"
    for k, step in enumerate(erratum.patch):
        at = f"{erratum.pointer}/patch/{k}"
        if step["op"] == "test":
            problem = _test_problem(current, step)
            if problem:
                raise _problem(
                    erratum.id,
                    f"no longer applies to {where}: {problem}",
                    file=erratum.file,
                    pointer=at,
                )
            continue
        if step["op"] == "add" and _declared(current, step["path"]):
            raise _problem(
                erratum.id,
                f"{where} already declares {step['path']}: the vendor may have fixed it; "
                "drop the erratum (or `test` and `replace` what is declared now)",
                file=erratum.file,
                pointer=at,
            )
        try:
            current = jsonpatch.apply_patch(current, [step])
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
            raise _problem(
                erratum.id,
                f"does not apply to {where}: {_cut(str(exc))}",
                file=erratum.file,
                pointer=at,
            ) from None
    item[method] = current


def _message(exc: BundleError) -> str:
    """A BundleError's message without its `file#pointer: ` prefix."""
    where = f"{exc.file}#{exc.pointer}: " if exc.pointer is not None else f"{exc.file}: "
    text = str(exc)
    return text[len(where) :] if exc.file and text.startswith(where) else text


def _validate(document: dict[str, Any], applied: list[AppliedErratum], relpath: str) -> None:
    """The patched document passes the checks a user's contract passes; a failure inside a
    patched operation names the erratum."""
    try:
        refuse_external_references(document, file=relpath)
        check_shape(document, file=relpath)
    except BundleError as exc:
        pointer = exc.pointer or ""
        for a in applied:
            prefix = f"/paths/{escape_pointer(a.erratum.path)}/{a.erratum.method.lower()}"
            if pointer == prefix or pointer.startswith(prefix + "/"):
                inside = pointer[len(prefix) :] or "/"
                raise _problem(
                    a.id,
                    f"leaves {a.operation} in {relpath} invalid: {inside}: {_message(exc)}",
                    file=a.erratum.file,
                    pointer=f"{a.erratum.pointer}/patch",
                ) from None
        raise


def corrected_sources(contracts: VendorContracts) -> tuple[CorrectedSource, ...]:
    """Every OpenAPI source of a vendor, read from its folder, with its operation errata applied
    (in file order). Every erratum must apply to exactly one operation."""
    errata = load_operation_errata(contracts.directory)
    sources = [s for s in contracts.sources if s.kind == "openapi"]
    documents = {
        s.relpath: load_document(contracts.directory / s.file, display=s.relpath) for s in sources
    }
    applied: dict[str, list[AppliedErratum]] = {s.relpath: [] for s in sources}
    for erratum in errata:
        relpath = _locate(erratum, sources, documents)
        _apply(documents[relpath], erratum, relpath)
        applied[relpath].append(AppliedErratum(erratum, relpath))
    for relpath, done in applied.items():
        if done:
            _validate(documents[relpath], done, relpath)
    return tuple(
        CorrectedSource(s, documents[s.relpath], tuple(applied[s.relpath])) for s in sources
    )


def check_operation_errata(contracts_root: Path) -> tuple[AppliedErratum, ...]:
    """Every vendor's operation errata, applied to its contract: what `schemas build` checks."""
    return tuple(
        a
        for contracts in load_all(contracts_root)
        for c in corrected_sources(contracts)
        for a in c.applied
    )
