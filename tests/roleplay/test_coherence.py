"""Does the customer's answer make sense? A set written from outside the scenarios (coherence.yaml)
says, for a learner line, which kinds of answer a sensible customer could give; every item is
played on ten seeds. Run with -s to see the rate and the misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.assessment import assess_reply
from bot.content.catalogue import Catalogue
from bot.roleplay.engine import PersonaEngine, Reaction, reply_context

HERE = Path(__file__).resolve().parent
ITEMS = yaml.safe_load((HERE / "coherence.yaml").read_text(encoding="utf-8"))
SEEDS = range(10)
# Ratchets: per scenario, the share of (item, seed) plays whose answer is coherent. Raise, never lower.
COHERENCE_FLOORS = {
    "abusive-caller": 0.89, "accessibility-access": 1.00, "account-data-request": 0.89,
    "billing-overcharge-escalation": 0.90, "cancelled-event-passion": 0.95, "faulty-kettle": 0.95,
    "late-delivery-third-contact": 0.98,
    # added with issue 15; items written without reading the scenarios' own examples
    "quiet-customer": 0.76, "subject-access-request": 0.76,
}


def labels(reaction: Reaction) -> set[str]:
    """Every name the reaction answers to: its kind, the family of its kind, and the facts it gives."""
    names = {reaction.kind, reaction.kind.split(":")[0]}
    names |= {f"fact:{f}" for f in reaction.facts}
    return names


def play_item(scenario, item: dict, seed: int) -> Reaction:
    engine = PersonaEngine(scenario, seed)
    previous = engine.open().line
    for line in item.get("setup", []):
        reaction = engine.hear(line, assess_reply(line, previous, reply_context(engine)))
        if reaction.outcome:
            return reaction
        previous = reaction.line
    return engine.hear(item["say"], assess_reply(item["say"], previous, reply_context(engine)))


def coherent(reaction: Reaction, item: dict) -> bool:
    names = labels(reaction)
    return bool(names & set(item["expect"])) and not names & set(item.get("never", []))


def test_the_set_covers_every_scenario_fifteen_times():
    cat = Catalogue.load([HERE.parents[1] / "scenarios"])
    assert set(ITEMS) == set(cat.ids())
    assert all(len(items) >= 15 for items in ITEMS.values())


@pytest.mark.parametrize("scenario_id", sorted(ITEMS))
def test_the_customer_answers_coherently(catalogue, scenario_id):
    scenario = catalogue.get(scenario_id)
    plays, misses = 0, []
    for item in ITEMS[scenario_id]:
        for seed in SEEDS:
            plays += 1
            reaction = play_item(scenario, item, seed)
            if not coherent(reaction, item):
                misses.append((item["say"], seed, reaction.kind, reaction.line))
    rate = 1 - len(misses) / plays
    print(f"\n{scenario_id}: coherent {rate:.3f} of {plays}")
    for say, seed, kind, line in misses[:: max(1, len(misses) // 12)]:
        print(f"  seed {seed}: {say!r} -> {kind}: {line!r}")
    assert rate >= COHERENCE_FLOORS[scenario_id] - 1e-9
