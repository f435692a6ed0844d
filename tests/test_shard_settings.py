"""SHARD_COUNT and SHARD_IDS: read, checked, and turned into the plain or the sharded bot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from discord.ext import commands
from pydantic import ValidationError

from bot.app import ComposureBot, ShardedComposureBot, build_bot
from bot.clock import ManualClock
from bot.config import Settings, explain
from bot.services import build_services

PG = "postgresql+psycopg://composure@db.example/composure"


def settings(tmp_path: Path, database_url: str = PG, **env: str) -> Settings:
    """Settings as the process would read them from these environment variables."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("SHARD_COUNT", "SHARD_IDS"):
            mp.delenv(name, raising=False)
        for name, value in env.items():
            mp.setenv(name, value)
        return Settings(database_url=database_url, _env_file=None)


@pytest.mark.parametrize(("count", "ids", "expected"), [
    ("4", "0,1", (0, 1)),
    ("8", "4-7", (4, 5, 6, 7)),
    ("16", " 0-2, 9 ,2", (0, 1, 2, 9)),
    ("1", "0", (0,)),
])
def test_shard_ids_are_read_as_ids_and_ranges(tmp_path, count, ids, expected):
    read = settings(tmp_path, SHARD_COUNT=count, SHARD_IDS=ids)
    assert read.shard_count == int(count) and read.shard_ids == expected and read.sharded


def test_one_process_running_every_shard_may_use_sqlite(tmp_path):
    sqlite = f"sqlite:///{tmp_path / 'one.db'}"
    assert settings(tmp_path, sqlite, SHARD_COUNT="2").shard_ids is None
    assert settings(tmp_path, sqlite, SHARD_COUNT="2", SHARD_IDS="0-1").shard_ids == (0, 1)
    with pytest.raises(ValidationError) as refused:
        settings(tmp_path, sqlite, SHARD_COUNT="2", SHARD_IDS="1")
    assert "must share one PostgreSQL DATABASE_URL" in explain(refused.value)


def test_without_shard_settings_the_bot_is_unsharded(tmp_path):
    read = settings(tmp_path)
    assert read.shard_count is None and read.shard_ids is None and not read.sharded


@pytest.mark.parametrize(("env", "says"), [
    ({"SHARD_COUNT": "4", "SHARD_IDS": "1,x"}, "SHARD_IDS part 'x' is not a shard id"),
    ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "SHARD_IDS range '3-1' runs backwards"),
    ({"SHARD_COUNT": "4", "SHARD_IDS": "-1"}, "SHARD_IDS part '-1' is not a shard id"),
    ({"SHARD_COUNT": "4", "SHARD_IDS": "2-5"}, "SHARD_IDS 4, 5 outside 0-3 (SHARD_COUNT=4)"),
    ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
    ({"SHARD_COUNT": "0"}, "SHARD_COUNT: Input should be greater than or equal to 1"),
    ({"SHARD_COUNT": "two"}, "SHARD_COUNT: Input should be a valid integer"),
])
def test_bad_shard_settings_are_refused_with_the_variable_named(tmp_path, env, says):
    with pytest.raises(ValidationError) as refused:
        settings(tmp_path, **env)
    assert says in explain(refused.value)


def test_the_command_line_reports_a_bad_setting_in_one_line_and_stops(tmp_path):
    env = {**os.environ, "SHARD_COUNT": "2", "SHARD_IDS": "0,2", "DATABASE_URL": PG}
    done = subprocess.run([sys.executable, "-m", "bot", "scenarios", "check"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 2
    assert done.stderr == ("error: a setting in the environment or .env is wrong:\n"
                           "SHARD_IDS 2 outside 0-1 (SHARD_COUNT=2)\n")
    # `scenarios list` reads only SCENARIOS_DIR (and LOG_LEVEL), without the settings' validation
    listed = subprocess.run([sys.executable, "-m", "bot", "scenarios", "list"], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120)
    assert listed.returncode == 0 and "faulty-kettle" in listed.stdout, listed.stderr


def test_shard_settings_choose_the_sharded_bot(tmp_path):
    plain_settings = settings(tmp_path, f"sqlite:///{tmp_path / 'bot.db'}")
    services = build_services(plain_settings, clock=ManualClock())
    try:
        plain = build_bot(services, plain_settings, tick_seconds=None)
        assert type(plain) is ComposureBot and not isinstance(plain, commands.AutoShardedBot)
        assert plain.shard_count is None
        sharded = build_bot(services, settings(tmp_path, SHARD_COUNT="4", SHARD_IDS="2-3"), tick_seconds=None)
        assert isinstance(sharded, ShardedComposureBot) and isinstance(sharded, commands.AutoShardedBot)
        assert (sharded.shard_count, sharded.shard_ids) == (4, [2, 3])
        every = build_bot(services, settings(tmp_path, SHARD_COUNT="3"), tick_seconds=None)
        assert isinstance(every, ShardedComposureBot) and (every.shard_count, every.shard_ids) == (3, None)
    finally:
        services.db.dispose()
