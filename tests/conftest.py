"""Shared fixtures: a real database per test, on SQLite and (when available) PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot.storage.db import Database

PROJECT = Path(__file__).resolve().parent.parent
SCENARIOS = PROJECT / "scenarios"
PG_URL = os.environ.get("COMPOSURE_TEST_PG_URL")
SQLITE_FILE = "sqlite:///"


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests' caches (e.g. `scenarios list`'s, in their subprocesses too) stay out of the user's."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def catalogue():
    """The shipped scenarios, loaded once."""
    from bot.content.catalogue import Catalogue

    cat = Catalogue.load([SCENARIOS])
    assert not cat.problems, [str(p) for p in cat.problems]
    return cat


def _pg_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema per test, reached through search_path, dropped afterwards."""
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"{SQLITE_FILE}{tmp_path / 'composure.db'}"
        return
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("COMPOSURE_TEST_PG_URL is not set under CI; run the tests with ./composure test")
        pytest.skip("no PostgreSQL server (set COMPOSURE_TEST_PG_URL or run ./composure test)")
    yield from _pg_schema_url()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file brought to the newest migration once per test run, for tests to start from a copy.

    Migrating costs about half a second a test (most of a mutation run); copying the file, almost nothing.
    """
    path = tmp_path_factory.mktemp("migrated") / "composure.db"
    Database(f"{SQLITE_FILE}{path}").dispose()
    assert not path.with_name(f"{path.name}-wal").exists()  # closing checkpointed it: the one file holds it all
    return path


def _from_migrated(url: str, migrated: Path) -> str:
    """Start a SQLite URL's file as a copy of the migrated one (a PostgreSQL URL is left as it is)."""
    if url.startswith(SQLITE_FILE):
        shutil.copyfile(migrated, url.removeprefix(SQLITE_FILE))
    return url


@pytest.fixture
def database(database_url: str, migrated_sqlite: Path) -> Iterator[Database]:
    """A migrated database, disposed after the test (it still runs the upgrade on start, finding it done)."""
    db = Database(_from_migrated(database_url, migrated_sqlite))
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Database]:
    """A migrated SQLite file, for tests that are about behaviour rather than the store."""
    db = Database(_from_migrated(f"{SQLITE_FILE}{tmp_path / 'composure.db'}", migrated_sqlite))
    yield db
    db.dispose()
