"""Which files in a folder are recordings: the one rule `runconform validate` and the
pytest plugin share (suffixes, hidden names skipped, folder links not followed).

Standard library only, so the pytest plugin can ask it while collecting without
importing the readers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

#: The suffixes of recording files, matched case-insensitively.
RECORDING_SUFFIXES = (".json", ".jsonl", ".ndjson", ".yaml", ".yml", ".har")


def is_recording_name(name: str) -> bool:
    """A file name a folder walk reads: a recording suffix and not hidden."""
    return not name.startswith(".") and name.lower().endswith(RECORDING_SUFFIXES)


def recording_files(top: str, errors: list[OSError]) -> Iterator[str]:
    """The recording files under `top`, sorted folder by folder; hidden folders are skipped
    and folder links not followed (os.walk's default). Unreadable folders go to `errors`."""
    for folder, subfolders, files in os.walk(top, onerror=errors.append):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if is_recording_name(name):
                yield os.path.join(folder, name)
