#!/usr/bin/env python
"""The git tag of a runconform release: `v` + the version in pyproject.toml (`v0.1.0`).

pre-commit pins a hook repository by `rev:`; `pre-commit autoupdate` moves that pin to the
repository's newest tag, so every release is tagged with exactly this name:

    git tag "$(python tools/release_tag.py)"        # at a release commit
    python tools/release_tag.py --check v0.1.0      # exit 1 unless that is the current tag
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
#: The scheme: `v` and a release version (no pre-release or local part).
TAG = re.compile(r"v(\d+)\.(\d+)\.(\d+)$")


def release_tag(pyproject: Path = PYPROJECT) -> str:
    """The tag for the version `pyproject` declares."""
    version = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    tag = f"v{version}"
    if not TAG.match(tag):
        raise ValueError(f"version {version!r} is not X.Y.Z: no release tag for it")
    return tag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", metavar="TAG", help="exit 1 unless TAG is the current tag")
    args = parser.parse_args(argv)
    try:
        tag = release_tag()
    except ValueError as error:
        print(f"release_tag: {error}", file=sys.stderr)
        return 2
    if args.check is not None and args.check != tag:
        print(
            f"release_tag: {args.check} is not {tag}, the tag of pyproject's version",
            file=sys.stderr,
        )
        return 1
    print(tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
