"""SQLite's write-ahead log copied back into the database on a background thread.

By default SQLite runs that copy (a checkpoint, with an fsync) inside whichever commit takes the
log past 1,000 pages: about one reply in a hundred waited milliseconds for it. Here a thread runs
a PASSIVE checkpoint, which never blocks a reader or a writer, every `CHECKPOINT_EVERY` seconds.
Every connection keeps SQLite's own automatic checkpoint, at `BACKSTOP_PAGES`, so the log stays
bounded even if the thread falls behind. Each process (bot, terminal, CLI) runs its own thread;
when two run at once, one finds the other busy and waits for its next turn.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 0.25  # seconds between checkpoints: the log holds about this long's writes
BACKSTOP_PAGES = 10_000  # wal_autocheckpoint on every connection (about 40 MB of log at 4 KB pages)


class WalCheckpointer:
    """A daemon thread that checkpoints one SQLite file until `stop()` (or its owner is collected)."""

    def __init__(self, path: str, *, every: float = CHECKPOINT_EVERY, owner: object | None = None) -> None:
        self.path = path
        self.every = every
        self.runs = 0  # checkpoints attempted by the thread (tests wait on it)
        self._stop = threading.Event()
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # `checkpoint()` may be called from the thread and a caller
        if owner is not None:  # a Database dropped without dispose() must not leave its thread running
            weakref.finalize(owner, self._stop.set)
        self._thread = threading.Thread(target=self._loop, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def checkpoint(self) -> tuple[int, int, int]:
        """Run one PASSIVE checkpoint: (1 if it met a busy lock, frames in the log, frames copied)."""
        with self._lock:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, check_same_thread=False)
            row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        busy, frames, copied = row
        return int(busy), int(frames), int(copied)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    self.checkpoint()
                except sqlite3.Error as error:  # e.g. the file went away; the backstop still bounds the log
                    log.debug("checkpoint of %s failed: %s", self.path, error)
                self.runs += 1
        finally:
            with self._lock:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """End the thread and close its connection."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
