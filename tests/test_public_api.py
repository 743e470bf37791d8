"""The package's public API, as the issues spell it, and a light `import conformance`."""

from __future__ import annotations

import subprocess
import sys

from conftest import example

import conformance


def test_validate_and_validate_records_at_the_top() -> None:
    result = conformance.validate(example("hatchet.V1WorkflowRun"), "hatchet.V1WorkflowRun")
    assert isinstance(result, conformance.ValidationResult) and result.ok
    results = list(conformance.validate_records([], schema="hatchet.V1WorkflowRun"))
    assert results == []


def test_every_public_name_resolves() -> None:
    for name in conformance.__all__:
        assert getattr(conformance, name) is not None


def test_import_stays_light() -> None:
    code = (
        "import sys, conformance, conformance.pytest.plugin; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('conformance', 'referencing', 'jsonschema', 'jsonschema_rs', 'schemathesis')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == repr(
        [
            "conformance",
            "conformance.errors",
            "conformance.pytest",
            "conformance.pytest.plugin",
            "conformance.pytest.state",
            "conformance.pytest.target",
            "conformance.records",
            "conformance.records.recording_files",
            "conformance.report",
            "conformance.report.escape",
        ]
    )
