"""Which files in a folder are recordings: the one rule `runconform validate` and the
pytest plugin share (suffixes, hidden names skipped, folder links not followed).

Standard library only, so the pytest plugin can ask it while collecting without
importing the readers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

#: What a recording file's suffix says of its text format: which files a folder walk reads
#: (matched case-insensitively), and how `detect` breaks a tie (content decides first).
SUFFIX_FORMATS: Mapping[str, str] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".har": "har",
}
#: The suffixes of recording files, matched case-insensitively.
RECORDING_SUFFIXES = tuple(SUFFIX_FORMATS)
#: Suffixes a compressed recording may add (`runs.jsonl.gz`): a folder walk reads those
#: files too. Content decides whether a file is compressed, the suffix only which files
#: a walk picks up and which text format a tie goes to (`uncompressed_name`).
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")


def suffixes_of(text_format: str) -> tuple[str, ...]:
    """The suffixes that name a file of `text_format` (`jsonl`: `.jsonl`, `.ndjson`)."""
    return tuple(suffix for suffix, fmt in SUFFIX_FORMATS.items() if fmt == text_format)


def uncompressed_name(name: str) -> str:
    """`name` without a compression suffix: `runs.jsonl.gz` -> `runs.jsonl`."""
    lowered = name.lower()
    for suffix in COMPRESSION_SUFFIXES:
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_recording_name(name: str) -> bool:
    """A file name a folder walk reads: a recording suffix (compressed or not), not hidden."""
    return not name.startswith(".") and uncompressed_name(name).lower().endswith(RECORDING_SUFFIXES)


def recording_files(top: str, errors: list[OSError]) -> Iterator[str]:
    """The recording files under `top`, sorted folder by folder; hidden folders are skipped
    and folder links not followed (os.walk's default). Unreadable folders go to `errors`."""
    for folder, subfolders, files in os.walk(top, onerror=errors.append):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if is_recording_name(name):
                yield os.path.join(folder, name)
