"""The role-play service tests' shared fixtures: a manual clock and a service on a SQLite file."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.content.catalogue import Catalogue
from bot.roleplay.service import RolePlayService
from bot.storage.db import Database


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def svc(sqlite_database: Database, catalogue: Catalogue, clock: ManualClock) -> RolePlayService:
    return RolePlayService(sqlite_database, catalogue, clock)
