"""Every scenario's examiner expectations are exercised: all met by its strong transcript, and each
one missed by at least one of its weaker transcripts, so the report's tips can be trusted both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.catalogue import Catalogue
from tests.roleplay.playing import play, script

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "tests" / "scenario_scripts"
CATALOGUE = Catalogue.load([ROOT / "scenarios"])


def strong_script(scenario_id: str) -> Path:
    scenario = CATALOGUE.get(scenario_id)
    good = "resolved" if "resolved" in scenario.outcomes and scenario.escalation != "required" else "escalated"
    return SCRIPTS / scenario_id / f"{good}.txt"


@pytest.mark.parametrize("scenario_id", sorted(CATALOGUE.scenarios))
def test_strong_transcript_meets_every_expectation(sqlite_database, scenario_id):
    played = play(sqlite_database, CATALOGUE, scenario_id, script(strong_script(scenario_id)))
    missed = [e["text"] for e in played.report["expectations"] if not e["met"]]
    assert not missed, missed
    assert not played.report["tips"], played.report["tips"]


@pytest.mark.parametrize("scenario_id", sorted(CATALOGUE.scenarios))
def test_each_expectation_is_missed_by_some_weak_transcript(sqlite_database, scenario_id):
    weak = sorted(p for p in (SCRIPTS / scenario_id).rglob("*.txt") if p != strong_script(scenario_id))
    missed: set[str] = set()
    for path in weak:
        played = play(sqlite_database, CATALOGUE, scenario_id, script(path), learner=path.stem)
        missed |= {e["text"] for e in played.report["expectations"] if not e["met"]}
    never_missed = [e.text for e in CATALOGUE.get(scenario_id).examiner_expects if e.text not in missed]
    assert not never_missed, never_missed
