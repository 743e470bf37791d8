"""JUnit XML of a `Report`: a testsuite per stage, a testcase per tallied subject.

CI systems show this without any plugin; a failing subject carries its findings as
the failure text, an errored stage is one testcase with an <error>.
"""

from __future__ import annotations

from collections import defaultdict
from typing import IO

from conformance.report.escape import xml_attr, xml_text
from conformance.report.model import Finding, Report, StageResult, Tally


def _case(stage: StageResult, tally: Tally, findings: list[Finding]) -> str:
    """A passing, failing or skipped testcase; an untested subject (nothing was checked)
    is a failure of type "untested", or skipped when untested subjects were allowed."""
    name, classname = xml_attr(tally.subject), xml_attr(f"runconform.{stage.name}")
    head = f'    <testcase classname={classname} name={name} time="0">'
    untested = [f for f in findings if f.kind.endswith("/untested")]
    if tally.untested and not tally.failed:
        reason = untested[0].message if untested else "untested"
        return f"{head}\n      <skipped message={xml_attr(reason)}/>\n    </testcase>\n"
    if not tally.failed:
        return head + "</testcase>\n"
    errors = [f for f in findings if f.severity == "error"] or findings
    text = "\n".join(f"{f.locator}: {f.message} [{f.kind}]" for f in errors)
    message = xml_attr(errors[0].message if errors else f"{tally.failed} item(s) failed")
    kind = "untested" if tally.untested and errors == untested else "non-conforming"
    return (
        f'{head}\n      <failure message={message} type="{kind}">'
        f"{xml_text(text)}</failure>\n    </testcase>\n"
    )


def _suite(stage: StageResult) -> str:
    by_subject: dict[str, list[Finding]] = defaultdict(list)
    for f in stage.findings:
        by_subject[f.subject].append(f)
    cases = []
    if stage.status == "error":
        cases.append(
            f'    <testcase classname="runconform.{stage.name}" name={xml_attr(stage.title)}>'
            f'\n      <error message={xml_attr(stage.message or "error")} type="stage-error"/>'
            "\n    </testcase>\n"
        )
    elif stage.status == "skipped":
        cases.append(
            f'    <testcase classname="runconform.{stage.name}" name={xml_attr(stage.title)}>'
            f"\n      <skipped message={xml_attr(stage.message or 'skipped')}/>\n    </testcase>\n"
        )
    for tally in stage.tallies:
        cases.append(_case(stage, tally, by_subject.get(tally.subject, [])))
    failures = sum(1 for t in stage.tallies if t.failed)
    errors = 1 if stage.status == "error" else 0
    skipped = (1 if stage.status == "skipped" else 0) + sum(
        1 for t in stage.tallies if t.untested and not t.failed
    )
    return (
        f'  <testsuite name={xml_attr("runconform check: " + stage.name)} tests="{len(cases)}" '
        f'failures="{failures}" errors="{errors}" skipped="{skipped}" '
        f'time="{stage.elapsed:.3f}">\n' + "".join(cases) + "  </testsuite>\n"
    )


def write_junit(report: Report, stream: IO[str]) -> None:
    suites = [_suite(stage) for stage in report.stages]
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(f'<testsuites name="runconform check" time="{report.elapsed:.3f}">\n')
    stream.writelines(suites)
    stream.write("</testsuites>\n")
