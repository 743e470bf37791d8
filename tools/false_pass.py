#!/usr/bin/env python
"""The false-pass matrix: inject labelled defects into every bundled run object and count
how many each way a user can check a record catches.

A conformance tool is worth what its "pass" is worth, and a pass can be false on one path
while another path is right (a record identified as a looser object, a recording routed to
no schema, a plugin item that validates nothing). So the same defects go through every path
a user can take, and each cell of the table says `caught/injected`:

    schema      runconform validate FILE.jsonl --schema NAME --strict
    identify    runconform validate FILE.jsonl --identify --strict
    cassette    runconform validate FILE        (a vcrpy cassette recorded from a loopback server)
    har         runconform validate FILE        (a HAR written by harfile)
    postman     runconform validate FILE        (a Postman v2.1 collection with saved responses)
    check       runconform check FILE.jsonl --schema NAME --strict
    item        the pytest plugin's recording items (runconform_recordings, --runconform-strict)
    assert      the pytest fixture assert_conforms(obj, NAME, strict=True)

and, per vendor, `runconform contract` against `runconform serve VENDOR --fault drift=KIND`.

The defects of one object: one negative fixture per distinct labelled rule
(`runconform fixtures NAME --invalid`: schema keywords and run invariants), an unknown value
at every enum the negatives touch, an undocumented property, the object wrapped in an array
(wrong top-level shape) and an empty object. Invariant defects count as caught only with
strict checking, which is what every path above uses.

    python tools/false_pass.py [--markdown] [--objects NAME ...] [--paths NAME ...]

Needs the test extra (vcrpy and harfile write the recordings; pytest runs the plugin).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from false_pass_defects import UNDOCUMENTED, Defect, defects, subjects
from false_pass_paths import (
    ROUTED,
    Caught,
    Path_,
    by_check,
    by_identify,
    by_plugin,
    by_schema,
    recordings,
)

__all__ = ["UNDOCUMENTED", "Defect", "defects", "subjects"]

# -- contract runs -------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftRun:
    """`contract VENDOR` against `serve VENDOR --fault drift=KIND`: which checks failed."""

    vendor: str
    drift: str
    checks: tuple[str, ...]  # the checks that failed; empty: a false pass


def contract_drift(vendor: str, drift: str, token: str = "false-pass-matrix") -> DriftRun:
    from conformance.contract import ContractOptions, run_contract
    from conformance.simulator import Faults, start

    with start(vendor, seed=1, faults=Faults(drift=drift), token=token) as sim:
        options = ContractOptions(
            base_url=sim.url,
            headers=(("Authorization", f"Bearer {token}"),),
            path_parameters=tuple(sim.known_path_parameters().items()),
            max_examples=3,
            rate_limit=0,
        )
        result = run_contract(vendor, options)
    return DriftRun(vendor, drift, tuple(sorted({f.check for f in result.failures})))


# -- the table -----------------------------------------------------------------------------

PATHS: dict[str, Path_] = {
    "schema": by_schema,
    "identify": by_identify,
    "check": by_check,
}
PLUGIN_PATHS = ("item", "assert")
ALL_PATHS = ("schema", "identify", *ROUTED, "check", *PLUGIN_PATHS)


def run_paths(
    names: tuple[str, ...], paths: tuple[str, ...] = ALL_PATHS, work: Path | None = None
) -> tuple[dict[str, tuple[Defect, ...]], dict[str, Caught]]:
    """The defects of `names` and, per path, what it caught."""
    all_defects = {n: defects(n) for n in names}
    results: dict[str, Caught] = {}
    with tempfile.TemporaryDirectory(prefix="false-pass-") as tmp:
        root = work or Path(tmp)
        for path in paths:
            if path in PATHS:
                results[path] = PATHS[path](root / path, all_defects)
        if set(ROUTED) & set(paths):
            results.update(recordings(root / "recordings", all_defects))
        if set(PLUGIN_PATHS) & set(paths):
            results["item"], results["assert"] = by_plugin(root / "plugin", all_defects)
    return all_defects, {p: results[p] for p in paths}


def missed(all_defects: dict[str, tuple[Defect, ...]], caught: Caught) -> list[str]:
    """`subject: label` of every defect a path let through."""
    return [
        f"{name}: {d.label}"
        for name, items in all_defects.items()
        for d, hit in zip(items, caught[name] or [True] * len(items), strict=True)
        if not hit
    ]


def table(all_defects: dict[str, tuple[Defect, ...]], results: dict[str, Caught]) -> str:
    head = ["object", "defects", *results]
    rows = [head, ["---"] + ["---:"] * (len(head) - 1)]
    for name, items in all_defects.items():
        cells = [f"`{name}`", str(len(items))]
        for caught in results.values():
            flags = caught[name]
            cells.append("—" if flags is None else f"{sum(flags)}/{len(flags)}")
        rows.append(cells)
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def drift_table(runs: list[DriftRun]) -> str:
    kinds = sorted({r.drift for r in runs})
    rows = [["vendor", *kinds], ["---"] * (len(kinds) + 1)]
    for vendor in sorted({r.vendor for r in runs}):
        cells = [vendor]
        for kind in kinds:
            run = next(r for r in runs if r.vendor == vendor and r.drift == kind)
            cells.append(", ".join(run.checks) if run.checks else "**missed**")
        rows.append(cells)
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", nargs="*", help="vendor.Object names (default: all)")
    parser.add_argument("--paths", nargs="*", choices=ALL_PATHS, help="default: all")
    parser.add_argument("--no-contract", action="store_true", help="skip the drift runs")
    args = parser.parse_args(argv)
    names = tuple(args.objects or subjects())
    all_defects, results = run_paths(names, tuple(args.paths or ALL_PATHS))
    print(table(all_defects, results))
    lost = [f"{path}: {m}" for path, caught in results.items() for m in missed(all_defects, caught)]
    if not args.no_contract:
        from conformance.simulator import DRIFT_KINDS

        vendors = sorted({n.split(".")[0] for n in names} - {"canonical"})
        runs = [contract_drift(v, k) for v in vendors for k in sorted(DRIFT_KINDS)]
        print()
        print(drift_table(runs))
        lost += [f"contract {r.vendor} drift={r.drift}" for r in runs if not r.checks]
    print()
    print(f"{len(lost)} false pass(es)" + "".join(f"\n  {m}" for m in lost))
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
