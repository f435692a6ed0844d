"""Storage: the migrations match the models on both databases; one process is elected to run jobs."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import bot.storage.models  # noqa: F401  (registers the tables)
from bot.storage.db import Database


def test_migrations_create_exactly_the_models(database):
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_twice_is_harmless(database_url):
    Database(database_url).dispose()
    Database(database_url).dispose()
