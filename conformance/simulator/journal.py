"""An optional SQLite file behind the simulator's store, so runs outlive a restart.

The store stays in memory (it is what answers requests); the journal writes
every run as it is created or changed and hands them back on the next start.
One table, one row per run, the body as JSON: a person can open the file with
`sqlite3` and read it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from conformance.errors import InputError

_SCHEMA = """
create table if not exists runs (
    vendor text not null,
    seq integer not null,
    body text not null,
    lifecycle text,
    cancelled text,
    primary key (vendor, seq)
)
"""


@dataclass(frozen=True)
class StoredRun:
    """A run as the journal keeps it."""

    seq: int
    body: dict[str, Any]
    lifecycle: dict[str, Any] | None  # created/started/finished (ISO) and succeeds
    cancelled: str | None


class Journal:
    """Reads and writes one vendor's runs in a SQLite file."""

    def __init__(self, path: Path, vendor: str) -> None:
        self.vendor = vendor
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.execute(_SCHEMA)
            self._db.commit()
        except sqlite3.Error as exc:
            raise InputError(f"{path}: cannot use as the simulator's database: {exc}") from None

    def load(self) -> list[StoredRun]:
        with self._lock:
            rows = self._db.execute(
                "select seq, body, lifecycle, cancelled from runs where vendor = ? order by seq",
                (self.vendor,),
            ).fetchall()
        return [
            StoredRun(seq, json.loads(body), json.loads(cycle) if cycle else None, cancelled)
            for seq, body, cycle, cancelled in rows
        ]

    def save(
        self,
        seq: int,
        body: dict[str, Any],
        lifecycle: dict[str, Any] | None,
        cancelled: datetime | None,
    ) -> None:
        with self._lock:
            self._db.execute(
                "insert or replace into runs values (?, ?, ?, ?, ?)",
                (
                    self.vendor,
                    seq,
                    json.dumps(body),
                    json.dumps(lifecycle) if lifecycle else None,
                    cancelled.isoformat() if cancelled else None,
                ),
            )
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()
