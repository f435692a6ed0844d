"""Every shipped scenario plays to every outcome its facts allow, whatever the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.catalogue import Catalogue, load_scenario
from bot.content.loader import ContentError
from bot.roleplay.script import parse_script
from tests.roleplay.playing import play, script

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "tests" / "scenario_scripts"
CATALOGUE = Catalogue.load([ROOT / "scenarios"])
BRIEF_IDS = {"faulty-kettle", "late-delivery-third-contact", "abusive-caller", "account-data-request",
             "accessibility-access", "billing-overcharge-escalation", "cancelled-event-passion",
             "quiet-customer", "subject-access-request"}
CASES = [(sid, outcome) for sid in sorted(CATALOGUE.scenarios) for outcome in CATALOGUE.get(sid).outcomes]


def test_the_seven_scenarios_of_the_brief_load_cleanly():
    assert not CATALOGUE.problems, [str(p) for p in CATALOGUE.problems]
    assert set(CATALOGUE.scenarios) == BRIEF_IDS


def test_remit_decides_which_outcomes_are_possible():
    assert "resolved" not in CATALOGUE.get("billing-overcharge-escalation").outcomes
    assert set(CATALOGUE.get("faulty-kettle").outcomes) == {
        "resolved", "escalated", "ended_by_learner", "customer_left", "unresolved"}


@pytest.mark.parametrize(("scenario_id", "outcome"), CASES)
def test_script_reaches_the_outcome_for_every_seed(sqlite_database, scenario_id, outcome):
    path = SCRIPTS / scenario_id / f"{outcome}.txt"
    assert path.exists(), f"write a learner script for {scenario_id} → {outcome}"
    for seed in range(10):
        result = play(sqlite_database, CATALOGUE, scenario_id, script(path), seed)
        assert result.outcome == outcome, (seed, [t.text for t in result.turns])


@pytest.mark.parametrize("scenario_id", sorted(BRIEF_IDS))
def test_good_practice_leaves_the_customer_calmer_and_confirmed(sqlite_database, scenario_id):
    scenario = CATALOGUE.get(scenario_id)
    good = "resolved" if "resolved" in scenario.outcomes and scenario.escalation != "required" else "escalated"
    result = play(sqlite_database, CATALOGUE, scenario_id, script(SCRIPTS / scenario_id / f"{good}.txt"))
    assert result.outcome == good
    assert result.moods[-1] > result.moods[0]
    assert "confirmed_resolution" in result.session_marks


def test_disclosing_a_partners_data_is_a_serious_failure(sqlite_database):
    path = SCRIPTS / "account-data-request" / "failures" / "disclosure.txt"
    result = play(sqlite_database, CATALOGUE, "account-data-request", script(path))
    assert result.outcome == "unresolved"
    assert [f["id"] for f in result.report["serious_failures"]] == ["disclosed-third-party-data"]


def test_a_premature_warning_inflames_a_passionate_fan(sqlite_database):
    scenario = CATALOGUE.get("cancelled-event-passion")
    warned = play(sqlite_database, CATALOGUE, scenario.id,
                  parse_script(["If you keep raising your voice I'll end this chat."]))
    assert warned.moods[1] < scenario.persona.starting_mood
    assert "dismissive" in warned.learner_marks()[0]
    assert warned.outcome == "ended_by_learner"  # only because the script ran out: the warning did not end it
    assert len(warned.customer_lines) == 3


def test_a_boundary_calms_the_abusive_caller(sqlite_database):
    scenario = CATALOGUE.get("abusive-caller")
    result = play(sqlite_database, CATALOGUE, scenario.id, parse_script([
        "I want to help, but I can't carry on if you swear at me. If it continues I'll end the call."]))
    assert "boundary" in result.learner_marks()[0]
    assert result.moods[1] > scenario.persona.starting_mood


VALID = (ROOT / "scenarios" / "faulty-kettle.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("change", "field", "reason"), [
    (lambda t: t.replace("reply_seconds: 90\n", ""), "reply_seconds", "Field required"),
    (lambda t: t.replace("reply_seconds: 90", "reply_seconds: soon"), "reply_seconds", "valid integer"),
    (lambda t: t.replace("remit: \"yes\"", "remit: maybe"), "remit", "'yes', 'partly' or 'no'"),
    (lambda t: t.replace("max_learner_turns: 10", "max_learner_turns: 10\nmood_swings: 3"), "mood_swings",
     "unknown field"),
    (lambda t: t.replace('"refund", "money back"', '"refund(", "money back"'), "words_any", "regular expression"),
    (lambda t: t.replace("advance_on: [policy]", "advance_on: [shouting]"), "advance_on", "Input should be"),
    (lambda t: t.replace("  starting_mood: -5", "  starting_mood: -50"), "starting_mood", "greater than"),
])
def test_bad_scenario_files_name_the_file_field_and_reason(tmp_path, change, field, reason):
    path = tmp_path / "faulty-kettle.yaml"
    path.write_text(change(VALID), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message and field in message and reason in message, message


def test_patterns_go_uncompiled_only_when_asked(tmp_path):
    path = tmp_path / "faulty-kettle.yaml"
    path.write_text(VALID.replace('"refund", "money back"', '"refund(", "money back"'), encoding="utf-8")
    with pytest.raises(ContentError, match="not a valid regular expression"):
        load_scenario(path)
    assert load_scenario(path, check_patterns=False).id == "faulty-kettle"
    assert Catalogue.load([tmp_path], check_patterns=False).ids() == ["faulty-kettle"]
    checked = Catalogue.load([tmp_path])
    assert checked.ids() == [] and "regular expression" in str(checked.problems[0])


def test_yaml_syntax_errors_give_the_line(tmp_path):
    path = tmp_path / "faulty-kettle.yaml"
    path.write_text(VALID.replace("title: Faulty kettle", "title: [Faulty kettle"), encoding="utf-8")
    with pytest.raises(ContentError, match=r"YAML syntax\) at line \d+"):
        load_scenario(path)


def test_id_must_match_the_file_name(tmp_path):
    path = tmp_path / "kettle.yaml"
    path.write_text(VALID, encoding="utf-8")
    with pytest.raises(ContentError, match="does not match the file name"):
        load_scenario(path)


def test_a_bad_file_does_not_stop_the_good_ones(tmp_path):
    (tmp_path / "faulty-kettle.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    cat = Catalogue.load([tmp_path])
    assert cat.ids() == ["faulty-kettle"]
    assert sorted(p.path.name for p in cat.problems) == ["broken.yaml", "empty.yaml"]
