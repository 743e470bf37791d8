"""Where Hypothesis keeps its caches during a contract run: a temporary folder, not yours."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import configuration


@contextmanager
def private_hypothesis_home() -> Iterator[None]:
    """Hypothesis keeps caches in `.hypothesis/` of the current folder: a contract run
    keeps them in a temporary folder instead, unless the user chose one."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    previous = vars(configuration).get("__hypothesis_home_directory")
    with tempfile.TemporaryDirectory(prefix="runconform-hypothesis-") as home:
        configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)
