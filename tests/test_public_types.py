"""Users' type checkers see the public API's real types, through the lazy `__getattr__` too.

The mypy run also proves `py.typed` is there: without it mypy skips the package (Any).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import conformance

ROOT = Path(__file__).resolve().parent.parent

USER_CODE = """\
from pathlib import Path

import conformance

reveal_type(conformance.validate)
reveal_type(conformance.validate({"id": "x"}, "hatchet.V1WorkflowRun"))
reveal_type(conformance.validate_records)
reveal_type(conformance.validate_records([Path("recordings")]))
reveal_type(conformance.run_check)
reveal_type(conformance.run_check(conformance.CheckOptions()))
"""


def _type_checking_imports() -> dict[str, str]:
    """name -> module of every `from m import name as name` under `if TYPE_CHECKING:`."""
    tree = ast.parse((ROOT / "conformance" / "__init__.py").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
                for alias in statement.names:
                    assert alias.asname == alias.name, f"{alias.name}: re-export it as itself"
                    found[alias.name] = str(statement.module)
    return found


def test_every_lazy_name_is_imported_for_type_checkers() -> None:
    # a name resolved lazily but not imported under TYPE_CHECKING is an Any to users
    assert _type_checking_imports() == conformance._LAZY


@pytest.mark.slow
def test_mypy_sees_real_types_through_the_lazy_api(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is in the `test` extra; not installed here")
    user = tmp_path / "user.py"
    user.write_text(USER_CODE, encoding="utf-8")
    # PYTHONPATH as the tests have it: the checkout (or nothing, when the package is installed)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            "--config-file",
            os.devnull,
            "--strict",
            str(user),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    revealed = re.findall(r'Revealed type is "(.*)"', done.stdout)
    assert len(revealed) == 6, done.stdout + done.stderr
    for shown in revealed:
        assert shown != "Any", done.stdout
    validate, result, validate_records, results, run_check, report = revealed
    for function in (validate, validate_records, run_check):
        assert function.startswith("def "), function
    # (a NamedTuple shows as its fields with `fallback=...ValidationResult`)
    assert "conformance.report.findings.ValidationResult" in result, result
    assert results.startswith("typing.Iterator["), results
    assert "conformance.report.findings.ValidationResult" in results, results
    assert validate.endswith(f"-> {result}"), validate
    assert validate_records.endswith(f"-> {results}"), validate_records
    assert run_check.endswith(f"-> {report}"), run_check
