"""The words the progress views show, loaded once from wording.yaml (user text lives in YAML)."""

from __future__ import annotations

from pathlib import Path

import yaml

WORDING: dict[str, str] = yaml.safe_load((Path(__file__).with_name("wording.yaml")).read_text(encoding="utf-8"))
