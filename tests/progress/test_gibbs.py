"""Reflective-log feedback: Gibbs stages covered and thin spots, from rules in gibbs.yaml."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.mentoring import export_markdown, load_record
from bot.progress import gibbs
from bot.progress.gibbs import read_log
from bot.reflection import save_reflection
from tests.progress.cohort_fixture import add_session

FULL = {
    "what_happened": "The customer rang about a kettle that broke after three weeks; the shop had turned her away.",
    "feelings": "I felt nervous when she shouted, then calmer once she started answering my questions.",
    "evaluation": "Asking an open question went well because she explained the whole story, but I was slow "
                  "to apologise.",
    "do_differently": "Looking back, I should have followed HEAT. Next time I'll say “I'm so sorry about how "
                      "the shop treated you” straight away.",
    "action_plan": "I will practise the abusive caller next and escalate to my team leader when it is beyond me.",
}
THIN = {"what_happened": "A customer with a broken kettle.", "feelings": "Nervous, then calmer.",
        "evaluation": "Listening went well.", "do_differently": "Paraphrase sooner.",
        "action_plan": "Practise the abusive caller next."}


def test_a_full_log_covers_every_stage_and_is_not_thin():
    feedback = read_log(FULL)
    assert [s.stage_id for s in feedback.stages if s.covered] == [
        "description", "feelings", "evaluation", "analysis", "conclusion", "action_plan"]
    assert {s.stage_id: s.words for s in feedback.stages}["analysis"] == "because"
    assert feedback.thin == ()
    assert feedback.linked == ("open_question", "apology", "escalation", "model")
    lines = feedback.lines()
    assert lines[0] == ("Gibbs stages covered: 6 of 6 (Description, Feelings, Evaluation, Analysis, Conclusion, "
                        "Action plan).")
    assert "Feelings: “felt”" in lines and lines[-1].startswith("Nothing thin")


def test_a_thin_log_says_what_is_missing_and_why():
    feedback = read_log(THIN)
    missing = [s.stage_id for s in feedback.stages if not s.covered]
    assert missing == ["analysis", "conclusion"]
    assert [t.thin_id for t in feedback.thin] == ["no_concrete_next_time"]  # feelings and a mark are there
    assert feedback.linked == ("paraphrase",)
    assert any(line.startswith("Analysis: not found. Explain why") for line in feedback.lines())

    bare = read_log({"what_happened": "ok", "feelings": "fine", "evaluation": "ok", "do_differently": "nothing",
                     "action_plan": "the last time was fine"})
    assert [t.thin_id for t in bare.thin] == ["no_feelings", "no_marking_point", "no_concrete_next_time"]
    assert not any(s.covered for s in bare.stages)  # "the last time" is not the LAST model
    assert bare.linked == ()


def test_feelings_are_read_wherever_they_are_written_and_curly_apostrophes_count():
    log = dict(THIN, feelings="n/a", evaluation="I felt awkward but the empathy worked.",
               do_differently="Next time I’ll ask first.")
    feedback = read_log(log)
    assert {s.stage_id: s.covered for s in feedback.stages}["feelings"]
    assert feedback.thin == () and "empathy" in feedback.linked


def test_the_rule_words_come_from_the_yaml(tmp_path, monkeypatch):
    rules = gibbs.RULES_FILE.read_text(encoding="utf-8").replace('"nervous"', '"jittery"')
    (tmp_path / "gibbs.yaml").write_text(rules, encoding="utf-8")
    monkeypatch.setattr(gibbs, "RULES_FILE", tmp_path / "gibbs.yaml")
    gibbs._rules.cache_clear()
    try:
        assert "no_feelings" in [t.thin_id for t in read_log(dict(THIN, feelings="Nervous.")).thin]
        assert "no_feelings" not in [t.thin_id for t in read_log(dict(THIN, feelings="Jittery.")).thin]
    finally:
        monkeypatch.undo()
        gibbs._rules.cache_clear()


def test_the_mentor_sees_the_feedback_beside_the_log(database):
    clock = ManualClock()
    with database.session() as s:
        sid = add_session(s, learner="lee", day=0, scenario="faulty-kettle", replies=[["empathy"]], session_marks=[])
    with database.session() as s:
        save_reflection(s, session_id=sid, learner_id="local:lee", answers=THIN, now=clock.now)
    with database.session() as s:
        page = export_markdown(load_record(s, session_id=sid))
    log_at = page.index("## Reflective log")
    assert page.index("Paraphrase sooner.") > log_at
    assert "- Gibbs stages covered: 4 of 6 (Description, Feelings, Evaluation, Action plan)." in page
    assert '- Thin: No concrete "next time".' in page
    assert page.index("Feedback on the log") < page.index("## Mentor feedback")
