"""The pytest plugin's per-session state and its failure wording.

Shared by the plugin's hooks (``conformance.pytest.plugin``), its recording items
(``conformance.pytest.items``) and its fixtures (``conformance.pytest.fixtures``), so none of
them imports another. Only pytest and the standard library at import time: a session that
configures nothing must not pay for the validator.
"""

from __future__ import annotations

import fnmatch
import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.pytest.target import parse_base_urls
from conformance.records.recording_files import is_recording_name
from conformance.report.escape import visible

if TYPE_CHECKING:
    from conformance.bundle.catalog import Variant

STATE = pytest.StashKey["SessionState"]()


class SessionState:
    """Per-session settings and the verdicts gathered for the report."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.rootpath = config.rootpath
        self.variant: Variant = (
            "published" if config.getoption("runconform_as_published") else "corrected"
        )
        self.strict = bool(config.getoption("runconform_strict"))
        self.identify = bool(config.getoption("runconform_identify"))
        self.vendor = (config.getini("runconform_vendor") or "").strip() or None
        self.recordings = [s.strip() for s in config.getini("runconform_recordings") if s.strip()]
        self.schemas = _schema_rules(config.getini("runconform_schema"))
        given = config.getoption("runconform_base_url") or config.getini("runconform_base_url")
        self.base_urls = parse_base_urls(given)
        self.max_body_size = _max_body_size(config)
        # kept only for a report: a streamed recording of a million records is a million
        self.reporting = bool(config.getoption("runconform_report"))
        self.verdicts: list[dict[str, Any]] = []
        self._seq: dict[str, int] = {}
        self.special: set[Path] = set()  # recordings pytest's walk skips, given items already
        #: `--runconform-lifecycle`: the runs seen while the recordings are collected
        self.runs: Any = None
        if config.getoption("runconform_lifecycle") or config.getini("runconform_lifecycle"):
            from conformance.lifecycle.tracker import LifecycleTracker

            self.runs = LifecycleTracker()

    def options(self, strict: bool = False) -> Any:
        from conformance.validation.engine import ValidationOptions

        return ValidationOptions(variant=self.variant, strict=self.strict or strict)

    def record(self, nodeid: str, origin: str, result: Any) -> None:
        if not self.reporting:
            return
        seq = self._seq[nodeid] = self._seq.get(nodeid, -1) + 1
        self.verdicts.append(_verdict(nodeid, seq, origin, result))

    def matches(self, path: Path) -> bool:
        rel = relative(path, self.rootpath)
        where, real = Path(os.path.abspath(path)), _real(path)
        for entry in self.recordings:
            if _is_glob(entry):
                if fnmatch.fnmatchcase(rel, entry.replace("\\", "/").removeprefix("./")):
                    return True
                continue
            place = self.rootpath / entry
            targets = {Path(os.path.abspath(place)), _real(place)}
            # a link is matched where it is and where it points (a broken one: where it is)
            if targets & {where, real}:
                return True
            if not _walked(path):
                continue
            # a folder holds what the CLI's walk of it reads; a file link found outside
            # the folders, by where it points
            inside = [target for target in targets if target in where.parents]
            if any(_found_under(target, where) for target in inside):
                return True
            linked = not inside and path.is_symlink()
            if linked and any(_found_under(target, real) for target in targets):
                return True
        return False

    def folders(self) -> set[Path]:
        """The configured recording folders (not globs), where they are and where they point."""
        found: set[Path] = set()
        for entry in self.recordings:
            place = self.rootpath / entry
            if not _is_glob(entry) and os.path.isdir(place):
                found |= {Path(os.path.abspath(place)), _real(place)}
        return found

    def under_recordings(self, path: Path) -> bool:
        """Whether `path` lies below what the configuration names as recordings: a folder,
        or the literal folder a glob starts with."""
        where = Path(os.path.abspath(path))
        for entry in self.recordings:
            parts = Path(entry.replace("\\", "/")).parts
            literal = list(itertools.takewhile(lambda part: not _is_glob(part), parts))
            top = Path(os.path.abspath(self.rootpath.joinpath(*literal)))
            if top in where.parents:
                return True
        return False

    def schema_for(self, path: Path) -> str | None:
        rel = relative(path, self.rootpath)
        for pattern, name in self.schemas:
            if fnmatch.fnmatchcase(rel, pattern):
                return name
        return None


def _is_glob(entry: str) -> bool:
    return any(c in entry for c in "*?[")


def _real(path: Path) -> Path:
    """Where `path` points; a symlink loop is where it is (`Path.resolve` raises on 3.11)."""
    return Path(os.path.realpath(path))


def _walked(path: Path) -> bool:
    """Whether the CLI's walk of a folder reads `path`: a recording suffix, no dot name."""
    return is_recording_name(path.name)


def _found_under(folder: Path, path: Path) -> bool:
    """Whether the CLI's walk of `folder` reaches `path`: below it, through no hidden
    folder and no folder link (the walk follows neither)."""
    try:
        between = path.parent.relative_to(folder).parts
    except ValueError:
        return False
    step = folder
    for name in between:
        step = step / name
        if name.startswith(".") or step.is_symlink():
            return False
    return True


def _max_body_size(config: pytest.Config) -> int | None:
    """--runconform-max-body-size (else the ini option) in bytes; None: the contract's."""
    given, source = config.getoption("runconform_max_body_size"), "--runconform-max-body-size"
    if given is None:
        given, source = config.getini("runconform_max_body_size"), "runconform_max_body_size"
    if not str(given or "").strip():
        return None
    from conformance.records.sizes import parse_size

    try:
        return parse_size(str(given))
    except ValueError as exc:
        raise pytest.UsageError(f"{source}: {visible(str(exc))}") from None


def _schema_rules(lines: list[str]) -> list[tuple[str, str]]:
    rules = []
    for line in lines:
        if not line.strip() or line.strip().startswith("#"):
            continue
        pattern, sep, name = line.partition("=")
        if not sep or not pattern.strip() or not name.strip():
            raise pytest.UsageError(
                f"runconform_schema: expected 'path_glob = vendor.Object', got {line.strip()!r}"
            )
        rules.append((pattern.strip().removeprefix("./"), name.strip()))
    return rules


def relative(path: Path, root: Path) -> str:
    """`path` relative to the rootdir in POSIX form, as the ini globs are written: where
    it is (a link's own place), else where it points, else as given."""
    for place, base in ((Path(os.path.abspath(path)), root), (_real(path), _real(root))):
        try:
            return place.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _verdict(nodeid: str, seq: int, origin: str, result: Any) -> dict[str, Any]:
    """One verdict of the plugin's report: the JSON report's case, and the test it came from."""
    from conformance.report.cases import record_case
    from conformance.report.writers.json import case_dict

    return {"nodeid": nodeid, "seq": seq, "origin": origin, **case_dict(record_case(result))}


def failure_lines(result: Any, where: str | None = None, shown: str | None = None) -> list[str]:
    """The one text form (`$.path: error: message [keyword]`) of each error finding of a
    result, its control characters and lone surrogates escaped as the CLI's; in a record
    at `where` (`file:line`), each at its value's place, the file named `shown`."""
    from dataclasses import replace

    from conformance.report.text import finding_line, location

    errors = [f for f in result.findings if f.severity == "error"]
    if where is None:
        return [finding_line(f) for f in errors]
    errors = [replace(f, file=shown) if f.file else f for f in errors]
    return [finding_line(f, location(f, where)) for f in errors]


def first_error(result: Any) -> str:
    """The first error, message first (`$.status: "x" is not one of: ... [enum]`): what
    the first line of a failure says, so that pytest's one-line summary shows it."""
    from conformance.report.escape import visible
    from conformance.report.text import encodable

    errors = [f for f in result.findings if f.severity == "error"]
    if not errors:
        return describe(result)
    first = errors[0]
    more = len(errors) - 1
    tail = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return f"{first.path}: {visible(encodable(first.message))} [{first.keyword}]{tail}"


def describe(result: Any) -> str:
    """The headline of a failing verdict: which schema, chosen how, how many errors."""
    errors = result.count("error")
    plural = "error" if errors == 1 else "errors"
    if result.schema is None:
        return f"no schema could be chosen ({errors} {plural}):"
    how = {"contract": f"routed by {result.operation}", "identified": "identified"}.get(
        result.chosen_by
    )
    variant = "" if result.variant == "corrected" else f", {result.variant}"
    detail = f" ({how}{variant})" if how else (f" ({result.variant})" if variant else "")
    return f"does not conform to {result.schema}{detail}, {errors} {plural}:"


def check(node: pytest.Item, payload: Any, name: str, strict: bool, origin: str) -> Any:
    """Validate `payload` against `name` for a test; AssertionError with the lines if not."""
    __tracebackhide__ = True
    from conformance.errors import UsageError
    from conformance.validation.engine import validate

    state = node.config.stash[STATE]
    try:
        result, problem = validate(payload, name, options=state.options(strict)), None
    except UsageError as exc:
        result, problem = None, str(exc)
    if result is None:
        pytest.fail(problem or name, pytrace=False)
    state.record(node.nodeid, origin, result)
    if not result.ok:
        raise AssertionError("\n".join([describe(result), *failure_lines(result)]))
    return result
