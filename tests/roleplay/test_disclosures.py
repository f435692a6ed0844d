"""The data-request scenario's disclosure check on sentences written apart from its examples."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.content.catalogue import Catalogue
from bot.roleplay.engine import PersonaEngine

HERE = Path(__file__).parent
TABLE = yaml.safe_load((HERE / "disclosures.yaml").read_text(encoding="utf-8"))
# Ratchets: what the words-and-meaning check reached (the words alone caught 13 of 40).
CAUGHT_AT_LEAST = 26
FALSE_ALARMS_AT_MOST = 0


def test_disclosures_are_caught_and_refusals_are_not():
    scenario = Catalogue.load([HERE.parents[1] / "scenarios"]).get("account-data-request")
    engine = PersonaEngine(scenario, 0)
    caught = [s for s in TABLE["disclosures"] if engine._serious_failure(s)]
    false_alarms = [s for s in TABLE["safe"] if engine._serious_failure(s)]
    assert len(TABLE["disclosures"]) == len(TABLE["safe"]) == 40
    assert len(caught) >= CAUGHT_AT_LEAST, sorted(set(TABLE["disclosures"]) - set(caught))
    assert len(false_alarms) <= FALSE_ALARMS_AT_MOST, false_alarms
