"""Where the code's content and its data live, known without importing the settings (pydantic)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A checkout (./composure, an editable install) keeps its content and its files beside the code; an
# installed wheel carries migrations/ and scenarios/ in bot/_bundled (see setup.py) and keeps the
# database and reports in the working directory.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "scenarios").is_dir()
CONTENT_ROOT = PROJECT_ROOT if IN_CHECKOUT else Path(__file__).resolve().parent / "_bundled"
DATA_ROOT = PROJECT_ROOT if IN_CHECKOUT else Path.cwd()
DEFAULT_SCENARIOS_DIR = CONTENT_ROOT / "scenarios"


def setting_text(name: str) -> str | None:
    """One setting as `Settings` reads it (the environment, then `.env` in the working folder; names
    in any case; an empty value counts as unset), for commands that need a path and nothing else:
    reading `Settings` imports pydantic and pydantic-settings, most of such a command's start-up.
    `.env` is parsed by python-dotenv, as pydantic-settings parses it (a test holds the two equal)."""
    wanted = name.lower()
    for source in (os.environ, _dotenv()):
        for key, value in source.items():
            if key.lower() == wanted and value:
                return value
    return None


def _dotenv() -> dict[str, str | None]:
    if not Path(".env").is_file():
        return {}
    from dotenv import dotenv_values

    return dict(dotenv_values(".env", encoding="utf-8"))


def scenarios_dir() -> Path:
    """SCENARIOS_DIR, or the scenarios the code ships with."""
    text = setting_text("scenarios_dir")
    return Path(text) if text else DEFAULT_SCENARIOS_DIR
