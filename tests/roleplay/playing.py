"""Play a learner script through the real role-play service, storage included, as the CLI does."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bot.clock import ManualClock
from bot.content.catalogue import Catalogue
from bot.roleplay.runner import run_practice
from bot.roleplay.script import ScriptStep, parse_script
from bot.roleplay.service import RolePlayService
from bot.storage.db import Database
from bot.storage.models import Turn
from bot.terminal.practice import ScriptPort


@dataclass(frozen=True)
class Played:
    outcome: str | None
    turns: list[Turn]
    report: dict
    session_marks: tuple[str, ...]

    @property
    def customer_lines(self) -> list[str]:
        return [t.text for t in self.turns if t.speaker == "customer"]

    @property
    def moods(self) -> list[int]:
        return [t.mood for t in self.turns if t.speaker == "customer" and t.mood is not None]

    def learner_marks(self) -> list[tuple[str, ...]]:
        return [tuple(t.marks) for t in self.turns if t.speaker == "learner" and t.kind == "line"]


def script(path: Path) -> list[ScriptStep]:
    return parse_script(path.read_text(encoding="utf-8").splitlines())


def play(db: Database, catalogue: Catalogue, scenario_id: str, steps: list[ScriptStep], seed: int = 0,
         learner: str = "learner") -> Played:
    """One whole session: the script's replies, silences past the deadline, and the end of the script."""
    clock = ManualClock()
    service = RolePlayService(db, catalogue, clock)
    port = ScriptPort(steps, clock)
    session_id = asyncio.run(run_practice(service, port, learner_id=f"{learner}:{seed}:{scenario_id}",
                                          scenario_id=scenario_id, seed=seed))
    row = service.get(session_id)
    return Played(row.outcome, service.turns(session_id), row.report or {}, tuple(row.session_marks))
