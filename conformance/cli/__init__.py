"""The `runconform` command: a thin click layer over the library.

Every command calls one library function and renders its frozen result; this
module only maps errors to exit codes (see `conformance.errors.ExitCode`) so no
user ever sees a traceback.
"""

from __future__ import annotations

import sys

import click

from conformance import __version__
from conformance.cli.check_cmd import check
from conformance.cli.contract_cmd import contract
from conformance.cli.fixtures_cmd import fixtures
from conformance.cli.mapping_cmd import map_records, mappings
from conformance.cli.schemas_cmd import schemas
from conformance.cli.serve_cmd import serve
from conformance.cli.validate_cmd import identify, validate
from conformance.errors import ConformanceError, ExitCode
from conformance.xmlescape import visible

INTERNAL_ERROR = 70


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="runconform")
def cli() -> None:
    """Schema conformance and contract testing for workflow-run APIs.

    Exit codes: 0 all conform, 1 non-conforming data, 2 usage error,
    3 schema/bundle problem, 4 unreadable input or network, 70 internal error.
    """


cli.add_command(check)
cli.add_command(schemas)
cli.add_command(validate)
cli.add_command(identify)
cli.add_command(fixtures)
cli.add_command(mappings)
cli.add_command(map_records)
cli.add_command(contract)
cli.add_command(serve)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the CLI and turn errors into exit codes."""
    try:
        result = cli.main(args=argv, prog_name="runconform", standalone_mode=False)
    except ConformanceError as exc:
        click.echo(f"runconform: error: {visible(str(exc))}", err=True)
        return int(exc.exit_code)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.message = visible(exc.message)  # it may quote a value: a path, a URL
        exc.show()
        return int(ExitCode.USAGE) if exc.exit_code == 2 else exc.exit_code
    except click.exceptions.Abort:
        click.echo("runconform: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence against tracebacks
        click.echo(
            f"runconform: internal error: {type(exc).__name__}: {visible(str(exc))} "
            "(this is a bug in runconform; please report it)",
            err=True,
        )
        return INTERNAL_ERROR
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
