"""The mentor's cohort report from the fixture of three learners: figures checked against hand counts."""

from __future__ import annotations

from datetime import timedelta

from bot.progress.chart import cohort_heatmap_png
from bot.progress.cohort import anonymise, cohort_report, heatmap_rows, report_sections
from bot.quiz.cards import Deck
from bot.quiz.schedule import make_scheduler
from bot.storage.models import CohortAnswer, CohortQuiz
from tests.conftest import SCENARIOS
from tests.progress.cohort_fixture import DAY0, add_session, answer_cards, learner_id, plant_cohort

DECK = Deck.load([SCENARIOS / "cards"])


def _report(database, catalogue, since_day=0, until_day=7):
    with database.session() as s:
        return cohort_report(s, guild_id="G1", since=DAY0 + timedelta(days=since_day),
                             until=DAY0 + timedelta(days=until_day), catalogue=catalogue, deck=DECK)


def test_heatmap_rates_are_each_learners_share_of_replies(database, catalogue):
    plant_cohort(database)
    with database.session() as s:  # another server's learner is not in this cohort
        add_session(s, learner="zed", day=1, scenario="faulty-kettle", replies=[["dismissive"]], session_marks=[],
                    guild="G2")
    report = _report(database, catalogue)
    names, rates = heatmap_rows(report)
    assert names == ["Kim", "Lee", "Sam"]
    lee = report.learners[1]
    assert (lee.sessions, lee.replies) == (3, 11)  # 3 + 4 + 4 replies; the missed deadline is not one
    assert lee.rates["dismissive"] == 2 / 11 and lee.rates["empathy"] == 3 / 11
    sam = report.learners[2]
    assert (sam.sessions, sam.replies) == (2, 5) and sam.rates["unprofessional"] == 1 / 5
    assert report.marks[:2] == ["open_question", "paraphrase"] and "boundary" not in report.marks
    assert rates[1][report.marks.index("dismissive")] == 2 / 11
    assert cohort_heatmap_png(names, report.marks, rates, "Cohort").startswith(b"\x89PNG")


def test_weakest_points_with_anonymised_quotes(database, catalogue):
    plant_cohort(database)
    report = _report(database, catalogue)
    assert [(p.weakness.mark, p.weakness.count, p.weakness.out_of) for p in report.weakest] == [
        ("followed_model", 6, 6),  # called for everywhere, never earned
        ("within_authority", 3, 3),  # lee's three sessions have a money limit
        ("no_boundary", 2, 2),  # sam's two abusive callers
        ("thanks", 2, 2),  # only the abusive caller's resolutions call for thanks
        ("boundary", 2, 2),
    ]
    sections = report_sections(report)["Five weakest marking points"]
    assert sections[0] == "Followed a recognised model: missing in 6 of 6 sessions that called for it"
    assert "No boundary with an abusive customer: in 2 of 2 sessions" in sections
    assert all(not p.quotes for p in report.weakest)  # nobody earned these, and no_boundary has no reply to quote


def _all_weak(database, catalogue):
    from bot.progress import cohort

    old, cohort.WEAKEST_SHOWN = cohort.WEAKEST_SHOWN, 50
    try:
        return _report(database, catalogue).weakest
    finally:
        cohort.WEAKEST_SHOWN = old


def test_penalised_points_quote_the_learners_words_without_names(database, catalogue):
    plant_cohort(database)
    points = {p.weakness.mark: p for p in _all_weak(database, catalogue)}
    assert points["defensive"].quotes == ("It's not my fault, [name].",)
    assert points["dismissive"].quotes == ("Calm down, it's only a kettle.",)  # the same words twice: once
    assert points["unprofessional"].quotes == ("Whatever, mate 😒",)
    assert points["open_question"].quotes == ("What happened when you took it back?",)  # a peer earned it
    assert points["dismissive"].weakness.count == 3  # lee's first two sessions and sam's second, of six
    lines = report_sections(_report(database, catalogue))["Five weakest marking points"]
    assert not any("Dana" in line or "Lee" in line for line in lines)
    assert anonymise("Ring Lee Smith on 07700 900123 or lee@example.com", {"Lee Smith", "Lee"}) == \
        "Ring [name] on [number] or [e-mail]"


def test_quiz_participation_and_most_missed_cards(database, catalogue):
    plant_cohort(database)
    cards = DECK.ids()
    answer_cards(database, learner="lee", scheduler=make_scheduler(),
                 answers=[(cards[0], False, 1), (cards[0], False, 2), (cards[1], True, 2), (cards[2], False, 2)])
    answer_cards(database, learner="lee", scheduler=make_scheduler(), answers=[(cards[3], False, 9)])  # too late
    with database.session() as s:
        quiz = CohortQuiz(guild_id="G1", channel_id="C1", card_ids=[cards[0], cards[2]], scheduled_for=DAY0,
                          status="closed")
        s.add(quiz)
        s.flush()
        for who, card, correct in (("sam", cards[0], False), ("sam", cards[2], True), ("lee", cards[0], True)):
            s.add(CohortAnswer(quiz_id=quiz.id, learner_id=learner_id(who), card_id=card, choice="A",
                               correct=correct, answered_at=DAY0 + timedelta(days=1)))
    report = _report(database, catalogue)
    assert (report.quiz_learners, report.all_learners) == (2, 3)  # lee and sam; kim never answered
    assert (report.reviews, report.cohort_answers) == (4, 3)
    missed = [(c.card_id, c.wrong, c.answered) for c in report.missed_cards]
    assert missed == [(cards[0], 3, 4), (cards[2], 1, 2)]
    assert "2 of 3 learners answered quiz cards (4 revision answers, 3 cohort-quiz answers)." in \
        report_sections(report)["Quiz participation"]


def test_who_has_unsigned_sessions_or_missing_logs(database, catalogue):
    plant_cohort(database)
    sections = report_sections(_report(database, catalogue))
    assert sections["Unsigned sessions or missing logs"] == [
        "Kim: 1 unsigned, 1 without a reflective log",
        "Lee: 1 unsigned, 0 without a reflective log",
        "Sam: 1 unsigned, 2 without a reflective log"]
    later = report_sections(_report(database, catalogue, since_day=2, until_day=7))  # lee's day 2, sam's day 3
    assert later["Unsigned sessions or missing logs"] == ["Lee: 1 unsigned, 0 without a reflective log",
                                                          "Sam: 1 unsigned, 1 without a reflective log"]


def test_an_empty_period_says_so(database, catalogue):
    plant_cohort(database)
    report = _report(database, catalogue, since_day=20, until_day=30)
    sections = report_sections(report)
    assert report.learners == [] and sections["Five weakest marking points"] == ["No role-plays finished in this "
                                                                               "period."]
    assert cohort_heatmap_png([], [], [], "Empty").startswith(b"\x89PNG")
