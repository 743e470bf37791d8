"""`runconform schemas ...`: list, show, build and lint the bundle."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
from conformance.atomic import cannot_write
from conformance.bundle.build import BuiltBundle, build_bundle, compare_bundle, write_bundle
from conformance.bundle.catalog import Variant, load_catalog
from conformance.bundle.lint import lint_bundle
from conformance.bundle.operation_errata import check_operation_errata
from conformance.bundle.provenance import is_vendor, vendor_provenance
from conformance.bundle.resources import contracts_dir, is_source_checkout, schemas_dir
from conformance.errors import BundleError, ExitCode, UsageError
from conformance.report.escape import visible
from conformance.report.text import finding_line
from conformance.words import plural


@click.group()
def schemas() -> None:
    """The bundled vendor run schemas."""


@schemas.command("list")
@options.vendor()
@click.option(
    "--all",
    "include_dependencies",
    is_flag=True,
    help="Also list schemas that are only referenced by the listed objects.",
)
@options.text_or_json
@options.colour
def list_schemas(vendor: str | None, include_dependencies: bool, fmt: str) -> None:
    """List the bundled objects as vendor.Object names."""
    catalog = load_catalog()
    entries = [
        catalog.entry(n) for n in catalog.names(vendor, include_dependencies=include_dependencies)
    ]
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "name": e.name,
                        "id": e.id,
                        "errata": list(e.errata),
                        "source": e.source["file"],
                    }
                    for e in entries
                ],
                indent=2,
            )
        )
        return
    width = max(len(e.name) for e in entries)
    for e in entries:
        count = len(e.errata)
        errata = f"{count} errat{'um' if count == 1 else 'a'}" if count else "as published"
        click.echo(f"{e.name:<{width}}  {errata:<13}  contracts/{e.source['file']}")


@schemas.command("show")
@click.argument("name")
@options.as_published
@click.option(
    "--provenance",
    is_flag=True,
    help="Where the schema came from and which errata changed it, instead of the schema.",
)
@options.colour
def show(name: str, as_published: bool, provenance: bool) -> None:
    """Print one schema (corrected unless --as-published); with a vendor's name and
    --provenance, where its contract came from and every erratum that corrects it."""
    catalog = load_catalog()
    variant: Variant = "published" if as_published else "corrected"
    if is_vendor(name):
        if not provenance or as_published:
            raise UsageError(
                f"{name!r} is a vendor: `runconform schemas show {name} --provenance` shows "
                f"its contract's provenance, `runconform schemas list --vendor {name}` its objects"
            )
        click.echo(json.dumps(vendor_provenance(name).as_json(), indent=2))
        return
    if provenance:
        entry = catalog.entry(name, variant)
        click.echo(
            json.dumps(
                {
                    "name": entry.name,
                    "variant": entry.variant,
                    "$id": entry.id,
                    "source": entry.source,
                    "errata": [{"id": e, **catalog.erratum(e)} for e in entry.errata],
                    "conversion_notes": list(entry.conversion_notes),
                },
                indent=2,
            )
        )
        return
    click.echo(json.dumps(catalog.schema(name, variant), indent=2, ensure_ascii=False))


@schemas.command("build")
@click.option(
    "--contracts",
    "contracts_root",
    type=click.Path(path_type=Path),
    help="Contracts tree to build from (default: the bundled contracts/).",
)
@options.option(
    "-o",
    "--output",
    "out",
    old=["--out"],
    type=click.Path(path_type=Path),
    help="Schemas folder to write or check (default: the bundled schemas/).",
)
@click.option(
    "--check", is_flag=True, help="Rebuild into a temporary folder and fail if anything differs."
)
@options.colour
def build(contracts_root: Path | None, out: Path | None, check: bool) -> None:
    """Generate schemas/ from contracts/ (reproducible, byte for byte); every operation
    erratum must still apply to its contract."""
    root = contracts_root or contracts_dir()
    built = build_bundle(root)
    target = out or schemas_dir()
    if check:
        with tempfile.TemporaryDirectory(prefix="runconform-build-") as tmp:
            _write_bundle(built, Path(tmp) / "schemas")
            differences = compare_bundle(built, target)
        if differences:
            for d in differences:
                click.echo(visible(f"{d.kind}: {target / d.path}"), err=True)
                if d.diff:
                    click.echo(d.diff.rstrip("\n"), err=True)
            raise BundleError(
                f"{plural(len(differences), 'file')} "
                f"{'differs' if len(differences) == 1 else 'differ'} from a fresh build of the "
                "contracts; run `runconform schemas build` and commit the result",
                file=str(target),
            )
        check_operation_errata(root)  # each still applies, or exit 3 naming it
        files = plural(len(built.files), "file")
        click.echo(visible(f"ok: {files} in {target} match a fresh build"))
        return
    if out is None and not is_source_checkout():
        raise UsageError("the installed bundle is read-only: give --output DIR")
    _write_bundle(built, target)
    check_operation_errata(root)  # after the write: the build may generate a contract it patches
    click.echo(visible(f"wrote {plural(len(built.files), 'file')} to {target}"))


def _write_bundle(built: BuiltBundle, target: Path) -> None:
    """write_bundle, a full disk or a read-only place being exit 4 (the old bundle stays)."""
    try:
        write_bundle(built, target)
    except OSError as exc:
        raise cannot_write(target, exc) from None


@schemas.command("lint")
@click.option(
    "--as-published",
    is_flag=True,
    help="Lint the vendors' text (and sources) instead of the corrected bundle.",
)
@options.text_or_json
@options.quiet
@options.colour
def lint(as_published: bool, fmt: str, quiet: int) -> None:
    """Check the bundle: metaschema, dangling $ref, required-undefined, OpenAPI leftovers..."""
    report = lint_bundle("published" if as_published else "corrected")
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "variant": report.variant,
                    "findings": [
                        {
                            "rule": f.keyword,
                            "severity": f.severity,
                            "file": f.file,
                            "pointer": f.pointer,
                            "message": f.message,
                            "origin": f.hint.removeprefix("from ") or None,
                        }
                        for f in report.findings
                    ],
                },
                indent=2,
            )
        )
    else:
        for finding in report.findings:
            if not quiet or finding.severity == "error":
                click.echo(finding_line(finding))
        click.echo(
            f"{report.variant}: {plural(report.count('error'), 'error')}, "
            f"{plural(report.count('warning'), 'warning')}, {report.count('info')} info"
        )
    if not report.ok:
        click.get_current_context().exit(int(ExitCode.BUNDLE))
