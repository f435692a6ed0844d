"""Settings from the environment and `.env`, read once and overridable in tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A checkout (./composure, an editable install) keeps its content and its files beside the code; an
# installed wheel carries migrations/ and scenarios/ in bot/_bundled (see setup.py) and keeps the
# database and reports in the working directory.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "scenarios").is_dir()
CONTENT_ROOT = PROJECT_ROOT if IN_CHECKOUT else Path(__file__).resolve().parent / "_bundled"
DATA_ROOT = PROJECT_ROOT if IN_CHECKOUT else Path.cwd()


class Settings(BaseSettings):
    """Every field has a line in `.env.example`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    discord_token: SecretStr | None = None
    database_url: str = Field(default=f"sqlite:///{DATA_ROOT / 'composure.db'}")
    scenarios_dir: Path = CONTENT_ROOT / "scenarios"
    dev_guild_id: int | None = None
    default_reply_seconds: int = Field(default=120, ge=10, le=3600)
    reflection_reminder_minutes: int = Field(default=24 * 60, ge=1)
    desired_retention: float = Field(default=0.9, gt=0.5, lt=1.0)
    cohort_grace_minutes: int = Field(default=30, ge=0)
    export_part_bytes: int = Field(default=8 * 1024 * 1024, ge=2048)
    log_level: str = "WARNING"
    reports_dir: Path = DATA_ROOT / "reports"

    @property
    def token(self) -> str | None:
        """Return the Discord token, or None when it is unset or blank."""
        if self.discord_token is None:
            return None
        value = self.discord_token.get_secret_value().strip()
        return value or None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings; tests call `get_settings.cache_clear()` after patching env."""
    return Settings()
