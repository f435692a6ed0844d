"""Which bot process runs which shards: two processes answering the same guild would answer each
learner twice, so a second process claiming a shard already run is refused before it logs in.

On PostgreSQL each shard is a session-level advisory lock, held on a connection of its own for
the life of the process and given back by the server when the process dies. The shard count is a
shared lock too, because processes that divide the guilds by different counts overlap. SQLite has
one bot process per file: the claim is an OS lock on a file beside the database (the terminal face
shares the database file freely; it takes no claim).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from bot.storage.db import sqlite_file


class ShardsTaken(RuntimeError):
    """Another bot process already runs some of the shards this one was asked to run."""


def shards_of(shard_count: int | None, shard_ids: Iterable[int] | None) -> tuple[int, tuple[int, ...]]:
    """The (count, ids) a process runs: an unsharded bot runs shard 0 of 1, every guild."""
    count = shard_count or 1
    return count, tuple(sorted(set(shard_ids))) if shard_ids is not None else tuple(range(count))


def _key(purpose: str, schema: str) -> int:
    """A stable int4 advisory-lock class for this purpose in this schema (tests share one server)."""
    return zlib.crc32(f"composure:{purpose}:{schema}".encode()) & 0x7FFFFFFF


@dataclass
class PgShardClaim:
    """Advisory locks on one AUTOCOMMIT connection: no transaction stays open while they are held."""

    engine: Engine
    count: int
    ids: tuple[int, ...]
    _conn: Connection | None = field(default=None, init=False)

    def hold(self) -> None:
        """Take every shard, or none of them and raise ShardsTaken naming who runs what."""
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            self._take(conn)
        except BaseException:
            conn.invalidate()  # closed, not pooled: the server drops whatever this connection had taken
            raise
        self._conn = conn

    def _take(self, conn: Connection) -> None:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        count_key, shard_key = _key("shard-count", schema), _key("shard", schema)
        conn.execute(text("SELECT pg_advisory_lock_shared(CAST(:k AS int4), CAST(:n AS int4))"),
                     {"k": count_key, "n": self.count})
        others = sorted(conn.execute(text(
            "SELECT DISTINCT objid::int FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = CAST(:k AS oid) AND objsubid = 2 AND pid <> pg_backend_pid()"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
            {"k": count_key}).scalars())
        if any(n != self.count for n in others):
            mine = f"{self.count}" if self.count > 1 else "1 (SHARD_COUNT unset: every guild)"
            raise ShardsTaken(f"another bot process on this database runs with SHARD_COUNT="
                              f"{', '.join(str(n) for n in others if n != self.count)}, this one with "
                              f"{mine}: every process must use the same SHARD_COUNT")
        try_lock = text("SELECT pg_try_advisory_lock(CAST(:k AS int4), CAST(:n AS int4))")
        taken = [n for n in self.ids if not conn.execute(try_lock, {"k": shard_key, "n": n}).scalar_one()]
        if taken:
            raise ShardsTaken(_taken_message(taken, self.count))

    def alive(self) -> bool:
        """Whether the locks are still held: the server lets them go if their connection was lost."""
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
        except Exception:  # any failure of the connection means its locks are gone
            self._conn.invalidate()
            self._conn = None
            return False
        return True

    def keep(self) -> None:
        """Take the shards again if the connection holding them was lost (ShardsTaken if another did)."""
        if not self.alive():
            self.hold()

    def release(self) -> None:
        """Session locks outlive a return to the pool, so the connection is closed for good."""
        if self._conn is not None:
            self._conn.invalidate()
            self._conn = None


@dataclass
class FileShardClaim:
    """One bot process per SQLite file: an exclusive lock on `<database>.bot.lock`."""

    path: Path
    _lock: FileLock | None = field(default=None, init=False)

    def hold(self) -> None:
        lock = FileLock(self.path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise ShardsTaken(f"another bot process already runs on this SQLite file (it holds {self.path}); "
                              "stop it first, or share PostgreSQL between processes with SHARD_IDS") from None
        self._lock = lock

    def keep(self) -> None:
        """An OS lock is not lost while the process lives."""

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


ShardClaim = PgShardClaim | FileShardClaim | None


def claim_for(engine: Engine, shard_count: int | None, shard_ids: Iterable[int] | None) -> ShardClaim:
    """The claim this bot process must hold (None for an in-memory SQLite database: nothing shares it)."""
    if engine.url.get_backend_name() == "sqlite":
        path = sqlite_file(engine)
        return FileShardClaim(Path(f"{path}.bot.lock")) if path else None
    count, ids = shards_of(shard_count, shard_ids)
    return PgShardClaim(engine, count, ids)


def _taken_message(taken: list[int], count: int) -> str:
    if count == 1:
        return ("another bot process already runs on this database; stop it first, "
                "or give each process its own SHARD_IDS")
    names = ", ".join(str(n) for n in taken)
    return (f"shard(s) {names} of {count} are already run by another bot process on this database; "
            "give each process different SHARD_IDS")
