"""Your own errata: corrections a team layers on the bundle for its own runs.

A vendor's contract is often wrong before runconform's maintainers know it. A user's
errata file (what `runconform drift --propose-errata` writes, in the bundle's own
format: an id, the object, a rationale, the evidence and an RFC 6902 patch) is applied
to the corrected schemas, after the bundled errata, for one run of any command
(`--errata FILE`). Nothing is written to the bundle. A patch is checked op by op, so a
test that fails, a pointer that does not exist, or an op that takes back what a bundled
erratum wrote is refused with the file and the place in it (exit 3), never applied
halfway.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonpatch
import jsonpointer
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from conformance.bundle.catalog import Catalog, activate, load_catalog
from conformance.bundle.document_loader import load_document
from conformance.bundle.errata import Erratum, load_errata
from conformance.bundle.resources import contracts_dir
from conformance.errors import BundleError, UnknownObjectError
from conformance.report.applied import record_user_errata

#: The keys of one user erratum: the bundle's own, and what drift observed (optional).
REQUIRED_KEYS = ("id", "object", "rationale", "evidence", "patch")
OPTIONAL_KEYS = ("observed",)
_WRITES = ("add", "remove", "replace", "move", "copy")


@dataclass(frozen=True)
class UserErratum:
    """One correction from a user's file: where it came from, what it patches and why."""

    id: str
    object: str  # the bundle name it patches, "vendor.Object"
    rationale: str
    evidence: str
    patch: tuple[dict[str, Any], ...]
    file: str  # as the user named it
    pointer: str  # where in the file, "/errata/0"

    @property
    def source(self) -> str:
        return f"{self.file}#{self.pointer}"


@dataclass(frozen=True)
class UserErrata:
    """The errata of one or more files, in the order given; `digest` names the layer."""

    errata: tuple[UserErratum, ...]
    files: tuple[str, ...]
    digest: str


def read_user_errata(paths: Sequence[str | Path]) -> UserErrata:
    """Read errata files (YAML or JSON) and check their form and names; patches are
    checked when they are applied (`layered_catalog`)."""
    catalog = load_catalog()
    bundled = {e.id: e for e in _bundled_errata(catalog)}
    errata: list[UserErratum] = []
    seen: dict[str, str] = {}
    digest = hashlib.sha256()
    for path in paths:
        file = str(path)
        data = load_document(Path(path), display=file)
        digest.update(file.encode() + b"\0" + repr(data).encode() + b"\0")
        for erratum in _errata_of(data, file, catalog):
            where = f"{erratum.pointer}/id"
            if erratum.id in bundled:
                raise BundleError(
                    f"erratum id {erratum.id!r} is a bundled erratum's "
                    f"({bundled[erratum.id].vendor}/errata.yaml); choose another",
                    file=file,
                    pointer=where,
                )
            if erratum.id in seen:
                raise BundleError(
                    f"duplicate erratum id {erratum.id!r} (also {seen[erratum.id]})",
                    file=file,
                    pointer=where,
                )
            seen[erratum.id] = erratum.source
            errata.append(erratum)
    return UserErrata(tuple(errata), tuple(str(p) for p in paths), digest.hexdigest()[:16])


def _errata_of(data: Any, file: str, catalog: Catalog) -> Iterable[UserErratum]:
    listed = data.get("errata") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        raise BundleError("expected a mapping with an `errata` list", file=file)
    unknown = sorted(str(k) for k in data if k != "errata")
    if unknown:
        raise BundleError(
            f"unknown key(s) {', '.join(map(repr, unknown))}; expected errata", file=file
        )
    for i, raw in enumerate(listed):
        pointer = f"/errata/{i}"
        if not isinstance(raw, dict):
            raise BundleError("an erratum must be a mapping", file=file, pointer=pointer)
        missing = [k for k in REQUIRED_KEYS if k not in raw]
        if missing:
            raise BundleError(f"erratum lacks {', '.join(missing)}", file=file, pointer=pointer)
        extra = sorted(str(k) for k in raw if k not in REQUIRED_KEYS + OPTIONAL_KEYS)
        if extra:
            raise BundleError(
                f"unknown key(s) {', '.join(map(repr, extra))}; expected "
                f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}",
                file=file,
                pointer=pointer,
            )
        for key in ("id", "object", "rationale", "evidence"):
            if not isinstance(raw[key], str) or not raw[key].strip():
                raise BundleError(
                    f"`{key}` must be a non-empty string", file=file, pointer=f"{pointer}/{key}"
                )
        patch = raw["patch"]
        if not isinstance(patch, list) or not patch or not all(isinstance(o, dict) for o in patch):
            raise BundleError(
                "`patch` must be a non-empty list of JSON Patch operations",
                file=file,
                pointer=f"{pointer}/patch",
            )
        try:
            name = catalog.resolve(raw["object"])
        except UnknownObjectError as exc:
            raise BundleError(exc.message, file=file, pointer=f"{pointer}/object") from None
        yield UserErratum(
            raw["id"], name, raw["rationale"], raw["evidence"], tuple(patch), file, pointer
        )


def _bundled_errata(catalog: Catalog) -> tuple[Erratum, ...]:
    return tuple(
        e
        for vendor in catalog.vendors()
        if (contracts_dir() / vendor).is_dir()
        for e in load_errata(contracts_dir() / vendor)
    )


def layered_catalog(base: Catalog, errata: UserErrata) -> Catalog:
    """`base` with every user erratum applied to the corrected schema it names."""
    written = _bundled_writes(base)
    patched: dict[str, dict[str, Any]] = {}
    for erratum in errata.errata:
        schema = patched.get(erratum.object) or base.schema(erratum.object)
        patched[erratum.object] = _apply(erratum, schema, written.get(erratum.object, ()))
    details = {
        e.id: {
            "vendor": e.object.partition(".")[0],
            "object": e.object.partition(".")[2],
            "rationale": " ".join(e.rationale.split()),
            "evidence": " ".join(e.evidence.split()),
            "source": e.source,
        }
        for e in errata.errata
    }
    by_object: dict[str, list[str]] = {}
    for e in errata.errata:
        by_object.setdefault(e.object, []).append(e.id)
    return base.overlaid(f"errata:{errata.digest}", patched, details, by_object)


@dataclass(frozen=True)
class _Written:
    """What one op of a bundled erratum made true: `value` at `path` (for a remove, the
    value it took away, from the `test` before it; `_UNKNOWN` when the patch does not say)."""

    erratum: str
    op: str
    path: str
    value: Any


_UNKNOWN = object()


def _bundled_writes(catalog: Catalog) -> dict[str, tuple[_Written, ...]]:
    """Per bundle name: what each bundled erratum wrote into its schema."""
    out: dict[str, list[_Written]] = {}
    for e in _bundled_errata(catalog):
        tested: dict[str, Any] = {}
        for op in e.patch:
            kind, path = op.get("op"), op.get("path")
            if not isinstance(path, str):
                continue
            if kind == "test":
                tested[path] = op.get("value")
            elif kind in _WRITES:
                value = tested.get(path, _UNKNOWN) if kind == "remove" else op.get("value")
                if kind in ("move", "copy"):
                    value = _UNKNOWN
                out.setdefault(f"{e.vendor}.{e.object}", []).append(
                    _Written(e.id, str(kind), path, value)
                )
    return {k: tuple(v) for k, v in out.items()}


def _holds(doc: Any, written: _Written) -> bool:
    """Whether what a bundled op wrote is still so in `doc` (a user patch may add beside
    it, never take it back)."""
    tokens = written.path.split("/")[1:]
    try:
        parent = jsonpointer.resolve_pointer(doc, "/".join(["", *tokens[:-1]]))
    except jsonpointer.JsonPointerException:
        return written.op == "remove"
    key = tokens[-1].replace("~1", "/").replace("~0", "~") if tokens else ""
    if isinstance(parent, list):
        if written.value is _UNKNOWN:
            return True
        return (written.value in parent) != (written.op == "remove")
    if isinstance(parent, dict):
        if written.op == "remove":
            return key not in parent
        return written.value is _UNKNOWN or (key in parent and parent[key] == written.value)
    return written.op == "remove"


def _apply(
    erratum: UserErratum, schema: dict[str, Any], written: tuple[_Written, ...]
) -> dict[str, Any]:
    """The schema with the erratum's patch applied, checked op by op: each op must apply,
    and none may undo what a bundled erratum wrote (it may add beside it)."""
    result = copy.deepcopy(schema)
    kept = [w for w in written if _holds(result, w)]
    for i, op in enumerate(erratum.patch):
        where = f"{erratum.pointer}/patch/{i}"
        path = op.get("path")
        if (
            op.get("op") in _WRITES
            and isinstance(path, str)
            and path.split("/")[1:2]
            in (
                [],
                ["$id"],
            )
        ):
            raise BundleError(
                f"erratum {erratum.id!r} may not replace {erratum.object}'s $id or the "
                "whole schema",
                file=erratum.file,
                pointer=where,
            )
        result = _apply_op(erratum, result, op, where)
        for bundled in kept:
            if not _holds(result, bundled):
                raise BundleError(
                    f"erratum {erratum.id!r} conflicts with bundled erratum "
                    f"{bundled.erratum!r}: both change {bundled.path} of {erratum.object}",
                    file=erratum.file,
                    pointer=where,
                )
    try:
        Draft202012Validator.check_schema(result)
    except SchemaError as exc:
        at = "/" + "/".join(str(p) for p in exc.path)
        raise BundleError(
            f"erratum {erratum.id!r} leaves {erratum.object} an invalid schema at {at}: "
            f"{exc.message}",
            file=erratum.file,
            pointer=erratum.pointer,
        ) from None
    return result


def _apply_op(erratum: UserErratum, doc: Any, op: dict[str, Any], where: str) -> Any:
    try:
        return jsonpatch.apply_patch(doc, [op])
    except jsonpatch.JsonPatchTestFailed:
        held = _held(doc, op.get("path"))
        raise BundleError(
            f"erratum {erratum.id!r} does not apply to {erratum.object}: the test of "
            f"{op.get('path')} failed ({held})",
            file=erratum.file,
            pointer=where,
        ) from None
    except (jsonpatch.JsonPatchConflict, jsonpointer.JsonPointerException):
        target = op.get("from") if op.get("op") in ("move", "copy") else op.get("path")
        raise BundleError(
            f"erratum {erratum.id!r}: {target} does not exist in {erratum.object}",
            file=erratum.file,
            pointer=where,
        ) from None
    except (jsonpatch.JsonPatchException, TypeError, KeyError) as exc:
        raise BundleError(
            f"erratum {erratum.id!r}: not a JSON Patch operation: {exc}",
            file=erratum.file,
            pointer=where,
        ) from None


def _held(doc: Any, path: Any) -> str:
    try:
        value = jsonpointer.resolve_pointer(doc, path)
    except (jsonpointer.JsonPointerException, TypeError):
        return f"{path} does not exist"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "the schema holds " + (text if len(text) <= 120 else text[:117] + "...")


_ACTIVE: UserErrata | None = None


def use_errata(errata: UserErrata | None) -> None:
    """Make `load_catalog()` answer with these errata layered (None: the bundle alone).
    Caches of compiled schemas are dropped, so nothing compiled before is reused."""
    global _ACTIVE
    activate(None)
    if errata is not None and errata.errata:
        activate(layered_catalog(load_catalog(), errata))
        _ACTIVE = errata
    else:
        _ACTIVE = None
    record_user_errata(applied(_ACTIVE))


@contextmanager
def layered_errata(paths: Sequence[str | Path]) -> Iterator[UserErrata]:
    """Within the block, every check judges with the errata of `paths` layered on the
    bundle (the API's `--errata`); what was in force before comes back after it."""
    previous = _ACTIVE
    errata = read_user_errata(paths)
    use_errata(errata)
    try:
        yield errata
    finally:
        use_errata(previous)


def active_errata() -> UserErrata | None:
    """The user errata layered now (a worker process is given them by its parent)."""
    return _ACTIVE


def applied(errata: UserErrata | None) -> tuple[Mapping[str, str], ...]:
    """User errata as report data: id, object and where each came from."""
    if errata is None:
        return ()
    return tuple({"id": e.id, "object": e.object, "source": e.source} for e in errata.errata)
