"""Each finding of the content audit, replayed through the real service: marks, outcome and feedback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.content.catalogue import Catalogue
from bot.roleplay.script import parse_script
from tests.roleplay.playing import Played, play

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CATALOGUE = Catalogue.load([ROOT / "scenarios"])
FINDINGS = yaml.safe_load((HERE / "audit_findings.yaml").read_text(encoding="utf-8"))["findings"]


def _judged(played: Played) -> dict[str, bool]:
    return {e["text"]: e["met"] for e in played.report.get("expectations", [])}


def _expectation(judged: dict[str, bool], prefix: str) -> bool:
    found = [met for text, met in judged.items() if text.startswith(prefix)]
    assert found, f"no expectation starts {prefix!r}: {sorted(judged)}"
    return found[0]


def check(played: Played, expect: dict, replies: int) -> None:
    turns = played.learner_marks()
    for index, want in expect.get("turn", {}).items():
        assert set(want.get("has", [])) <= set(turns[index]), (index, turns[index])
        assert not set(want.get("lacks", [])) & set(turns[index]), (index, turns[index])
    if "outcome_in" in expect:
        assert played.outcome in expect["outcome_in"]
    assert played.outcome not in expect.get("outcome_not_in", [])
    assert set(expect.get("session_has", [])) <= set(played.session_marks), played.session_marks
    assert not set(expect.get("session_lacks", [])) & set(played.session_marks), played.session_marks
    if "customer_never" in expect:
        said = played.customer_lines[1:1 + replies]  # the answers to the replies, not the script's end
        assert not [line for line in said if re.search(expect["customer_never"], line, re.IGNORECASE)], said
    judged = _judged(played)
    for prefix in expect.get("met", []):
        assert _expectation(judged, prefix), prefix
    for prefix in expect.get("missed", []):
        assert not _expectation(judged, prefix), prefix
    tips = " ".join(played.report.get("tips", []))
    for words in expect.get("tips_include", []):
        assert words in tips, tips
    if "failures" in expect:
        assert [f["id"] for f in played.report.get("serious_failures", [])] == expect["failures"]
    in_order = {m["model"] for m in played.report.get("models", []) if m["in_order"]}
    assert set(expect.get("in_order", [])) <= in_order, played.report.get("models")


@pytest.mark.parametrize("finding", FINDINGS, ids=[f["id"] for f in FINDINGS])
def test_audit_finding_stays_fixed(sqlite_database, finding):
    steps = parse_script(finding["replies"])
    for seed in finding.get("seeds", [0]):
        played = play(sqlite_database, CATALOGUE, finding["scenario"], steps, seed)
        try:
            check(played, finding["expect"], len(steps))
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}: {exc}\n" + "\n".join(t.text for t in played.turns)) from exc
