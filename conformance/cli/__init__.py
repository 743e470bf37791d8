"""The `runconform` command: a thin click layer over the library.

Every command calls one library function and renders its frozen result; this
module only maps errors to exit codes (see `conformance.errors.ExitCode`) so no
user ever sees a traceback.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click

import conformance.cli.options as options
from conformance import __version__
from conformance.cli.check_cmd import check
from conformance.cli.contract_cmd import contract
from conformance.cli.coverage_cmd import coverage
from conformance.cli.diff_cmd import diff
from conformance.cli.drift_cmd import drift
from conformance.cli.fixtures_cmd import fixtures
from conformance.cli.mapping_cmd import map_records, mappings
from conformance.cli.schemas_cmd import schemas
from conformance.cli.serve_cmd import serve
from conformance.cli.validate_cmd import identify, validate
from conformance.errors import ConformanceError, ExitCode, missing_extra
from conformance.report.escape import visible

INTERNAL_ERROR = 70
#: Why a write with no file name fails: the disk or a quota is full, or the device failed.
#: What the shell reports for a tool that SIGPIPE ended: the reader went away (`| head`).
_PIPE_CLOSED = 128 + signal.SIGPIPE
_OUTPUT_FULL = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO})
#: Signals that end a run cleanly: the temp file of a write in progress is removed.
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(BaseException):
    """A signal asked runconform to stop; raised where it runs, so cleanups (finally) run.

    A BaseException, as KeyboardInterrupt, so no `except Exception` swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, _frame: FrameType | None) -> None:
    for ending in ENDING_SIGNALS:  # a second signal must not interrupt the cleanup
        signal.signal(ending, signal.SIG_IGN)
    raise Terminated(signum)


@contextmanager
def _ending_signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Terminated` while the CLI runs (unless they are ignored,
    as under nohup); the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        s: signal.signal(s, _terminate)
        for s in ENDING_SIGNALS
        if signal.getsignal(s) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="runconform")
@options.colour
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
cli.add_command(coverage)
cli.add_command(diff)
cli.add_command(drift)
cli.add_command(serve)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the CLI and turn errors into exit codes."""
    try:
        return _main(argv)
    finally:  # --errata layers the bundle for one command, even one its usage stopped
        from conformance.bundle.user_errata import active_errata, use_errata

        if active_errata() is not None:
            use_errata(None)


def _main(argv: list[str] | None) -> int:
    try:
        with _ending_signals_raise():
            result = cli.main(args=argv, prog_name="runconform", standalone_mode=False)
    except Terminated as exc:  # the cleanups have run: no temp file is left
        click.echo(f"runconform: terminated by {signal.Signals(exc.signum).name}", err=True)
        return 128 + exc.signum
    except ConformanceError as exc:
        click.echo(f"runconform: error: {visible(str(exc))}", err=True)
        return int(exc.exit_code)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        # it may quote a value (a path, a URL); click 8.5 marks `message` Final (not in 8.1)
        exc.message = visible(exc.message)  # type: ignore[misc,unused-ignore]
        exc.show()
        return int(ExitCode.USAGE) if exc.exit_code == 2 else exc.exit_code
    except click.exceptions.Abort:
        click.echo("runconform: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader of stdout went away (`| head`): stop quietly
        _detach_stdout()
        return _PIPE_CLOSED
    except SystemExit:
        if _click_saw_a_closed_pipe():
            _detach_stdout()
            return _PIPE_CLOSED
        raise
    except OSError as exc:
        if exc.filename is not None or exc.errno not in _OUTPUT_FULL:
            return _internal_error(exc)
        _detach_stdout()  # files report their own path (atomic_output): this is stdout
        click.echo(f"runconform: error: stdout: cannot write: {exc.strerror}", err=True)
        return int(ExitCode.UNREADABLE)
    except ImportError as exc:  # an optional dependency this install lacks: name its extra
        missing = missing_extra(exc)
        if missing is None:
            return _internal_error(exc)
        click.echo(f"runconform: error: {missing}", err=True)
        return int(missing.exit_code)
    except Exception as exc:  # the last line of defence against tracebacks
        return _internal_error(exc)
    return result if isinstance(result, int) else 0


def _internal_error(exc: Exception) -> int:
    click.echo(
        f"runconform: internal error: {type(exc).__name__}: {visible(str(exc))} "
        "(this is a bug in runconform; please report it)",
        err=True,
    )
    return INTERNAL_ERROR


def _click_saw_a_closed_pipe() -> bool:
    """click answers EPIPE itself: it wraps stdout in its PacifyFlushWrapper and exits 1."""
    return type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper"


def _detach_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what could not be
    written does not fail again at exit (with a traceback, as `Exception ignored`)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a file descriptor (a test's capture)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
