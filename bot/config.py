"""Settings from the environment and `.env`, read once and overridable in tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.paths import DATA_ROOT, DEFAULT_SCENARIOS_DIR


class Settings(BaseSettings):
    """Every field has a line in `.env.example`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    discord_token: SecretStr | None = None
    database_url: str = Field(default=f"sqlite:///{DATA_ROOT / 'composure.db'}")
    scenarios_dir: Path = DEFAULT_SCENARIOS_DIR
    dev_guild_id: int | None = None
    default_reply_seconds: int = Field(default=120, ge=10, le=3600)
    reflection_reminder_minutes: int = Field(default=24 * 60, ge=1)
    desired_retention: float = Field(default=0.9, gt=0.5, lt=1.0)
    cohort_grace_minutes: int = Field(default=30, ge=0)
    export_part_bytes: int = Field(default=8 * 1024 * 1024, ge=2048)
    log_level: str = "WARNING"
    reports_dir: Path = DATA_ROOT / "reports"
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _read_shard_ids(cls, value: object) -> object:
        """`0-3,8` -> (0, 1, 2, 3, 8): ids and inclusive ranges, comma-separated."""
        if not isinstance(value, str):
            return value
        return parse_shard_ids(value)

    @model_validator(mode="after")
    def _shards_fit(self) -> Self:
        """Shard ids mean nothing without the count they divide the guilds by, and a process running
        some of the shards shares its timers with the others through PostgreSQL."""
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT (the total number of shards across all processes)")
            outside = [n for n in self.shard_ids if n >= self.shard_count]
            if outside:
                raise ValueError(f"SHARD_IDS {', '.join(map(str, outside))} outside 0-{self.shard_count - 1} "
                                 f"(SHARD_COUNT={self.shard_count})")
            if set(self.shard_ids) != set(range(self.shard_count)) and self.database_url.startswith("sqlite"):
                raise ValueError("SHARD_IDS names only some shards, so other processes run the rest: they must "
                                 "share one PostgreSQL DATABASE_URL (a SQLite file serves one process)")
        return self

    @property
    def sharded(self) -> bool:
        """Whether the bot logs in as discord.py's AutoShardedBot (SHARD_COUNT set)."""
        return self.shard_count is not None

    @property
    def token(self) -> str | None:
        """Return the Discord token, or None when it is unset or blank."""
        if self.discord_token is None:
            return None
        value = self.discord_token.get_secret_value().strip()
        return value or None


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """Read SHARD_IDS (`0,1`, `4-7`, `0-3,8`) into sorted distinct ids; ValueError names the bad part."""
    ids: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        low, dash, high = part.partition("-")
        if not low.strip().isdigit() or (dash and not high.strip().isdigit()):
            raise ValueError(f"SHARD_IDS part {part!r} is not a shard id (0, 1, ...) or a range (0-3)")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"SHARD_IDS range {part!r} runs backwards")
        ids.update(range(first, last + 1))
    return tuple(sorted(ids))


def explain(error: ValidationError) -> str:
    """A settings error as lines naming the variable, for people editing `.env`."""
    lines = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        name = str(item["loc"][0]).upper() if item["loc"] else ""
        lines.append(f"{name}: {message}" if name and not message.startswith(name) else message)
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings; tests call `get_settings.cache_clear()` after patching env."""
    return Settings()
