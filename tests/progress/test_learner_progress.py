"""The learner's progress from a fixture of several learners: figures checked against hand counts."""

from __future__ import annotations

from datetime import UTC, timedelta

from bot.progress.chart import mark_rates_png
from bot.progress.history import finished_sessions
from bot.progress.learner import learner_progress, render_text, trend_lines
from bot.progress.retention import retention_by_topic
from bot.progress.streaks import streak_from_days
from bot.progress.suggest import suggest, weaknesses
from bot.quiz.cards import Deck
from bot.quiz.schedule import make_scheduler
from tests.conftest import SCENARIOS
from tests.progress.cohort_fixture import DAY0, add_session, answer_cards, learner_id, plant_cohort

DECK = Deck.load([SCENARIOS / "cards"])


def test_rates_per_session_match_hand_counts(database, catalogue):
    plant_cohort(database)
    with database.session() as s:
        lee = finished_sessions(s, learner_id=learner_id("lee"))
        everyone = finished_sessions(s, guild_id="G1")
    assert [t.replies for t in lee] == [3, 4, 4]  # the missed deadline is not a reply
    assert [t.rate("dismissive") for t in lee] == [1 / 3, 1 / 4, 0]
    assert [t.rate("empathy") for t in lee] == [1 / 3, 1 / 4, 1 / 4]
    assert [t.scenario_id for t in lee] == ["faulty-kettle", "faulty-kettle", "late-delivery-third-contact"]
    assert len(everyone) == 6 and [t.learner_id for t in everyone][:3] == [learner_id(n) for n in ("lee", "sam",
                                                                                                     "lee")]
    progress_lines = trend_lines(_progress(database, catalogue, "lee"))
    assert "Dismissive: 33% → 0%" in progress_lines and "Empathy: 33% → 25%" in progress_lines
    assert "Defensive: 0% → 0%" in progress_lines and not any("Calm boundary" in x for x in progress_lines)


def test_weaknesses_are_shares_of_recent_sessions(database, catalogue):
    plant_cohort(database)
    with database.session() as s:
        found = {w.mark: (w.count, w.out_of) for w in weaknesses(finished_sessions(s, learner_id=learner_id("lee")),
                                                                  catalogue)}
    assert found["dismissive"] == (2, 3)  # sessions 1 and 2
    assert found["defensive"] == (1, 3) and found["jumped_to_solution"] == (1, 3)
    assert found["record"] == (2, 3)  # earned only in the late-delivery session
    assert found["within_authority"] == (3, 3)  # both scenarios set a money limit; never earned
    assert found["open_question"] == (2, 3)
    assert "empathy" not in found and "action" not in found  # earned every time
    assert "escalation" not in found  # neither scenario requires escalating
    assert "boundary" not in found  # neither caller is abusive
    # marks every scenario exercises (followed_model, dismissive) cannot steer the choice of scenario
    suggestion = _progress(database, catalogue, "lee").suggestion
    assert suggestion.scenario_id == "late-delivery-third-contact"
    # apology steers too: the quiet customer and the subject access request do not exercise it
    assert suggestion.marks == ("within_authority", "apology", "record")


def _progress(database, catalogue, name, days=3):
    with database.session() as s:
        return learner_progress(s, learner_id=learner_id(name), catalogue=catalogue, deck=DECK,
                                scheduler=make_scheduler(), now=DAY0 + timedelta(days=days, hours=5), tz=UTC)


ALL_GOOD = [["empathy", "open_question"], ["paraphrase", "apology"], ["action", "policy"], ["check", "thanks"],
            ["record"]]


def test_the_suggestion_follows_the_weakest_mark(database, catalogue):
    with database.session() as s:
        for day in (0, 1):
            add_session(s, learner="ash", day=day, scenario="abusive-caller", replies=ALL_GOOD,
                        session_marks=["listened_first", "no_boundary"])
    first = _progress(database, catalogue, "ash").suggestion
    assert first.scenario_id == "abusive-caller"
    assert {"boundary", "no_boundary"} <= set(first.marks)
    assert "Calm boundary" in first.reason and "2 of your last 2 sessions" in first.reason

    # later: boundaries are fine (the abusive calls leave the window), but identity checks are missed
    with database.session() as s:
        for day in range(2, 7):
            add_session(s, learner="ash", day=day, scenario="account-data-request", replies=ALL_GOOD,
                        session_marks=["listened_first", "followed_model", "within_authority",
                                       "confirmed_resolution"])
    second = _progress(database, catalogue, "ash", days=7).suggestion
    # both data scenarios exercise identity checks; the one never practised wins the tie
    assert second.scenario_id == "subject-access-request"
    assert second.marks[0] == "verify"
    assert "Identity and data protection (missing in 5 of 5 sessions" in second.reason
    assert second.reason.count(".") == 1  # one sentence


def test_a_new_learner_is_told_where_to_start(database, catalogue):
    progress = _progress(database, catalogue, "nobody")
    assert progress.sessions == [] and progress.suggestion.scenario_id == catalogue.ids()[0]
    assert "not finished a role-play yet" in progress.suggestion.reason
    text = render_text(progress)
    assert "No finished role-plays yet." in text and "No quiz cards answered yet" in text


def test_quiz_retention_by_topic_from_fsrs(database, catalogue):
    models, legislation = DECK.ids("model")[:2], DECK.ids("legislation")[0]
    scheduler = make_scheduler()
    answer_cards(database, learner="lee", scheduler=scheduler,
                 answers=[(models[0], True, 3), (models[1], False, 3), (legislation, True, 3), (models[0], True, 3)])
    with database.session() as s:
        soon = {r.topic: r for r in retention_by_topic(s, learner_id=learner_id("lee"), deck=DECK,
                                                       scheduler=scheduler, now=DAY0 + timedelta(days=3, hours=3))}
        later = {r.topic: r for r in retention_by_topic(s, learner_id=learner_id("lee"), deck=DECK,
                                                        scheduler=scheduler, now=DAY0 + timedelta(days=40))}
    model = soon["model"]
    assert (model.cards, model.reviewed, model.answers, model.correct) == (len(DECK.ids("model")), 2, 3, 2)
    assert (soon["legislation"].reviewed, soon["legislation"].answers, soon["legislation"].correct) == (1, 1, 1)
    assert soon["kpi"].reviewed == 0 and soon["kpi"].recall is None
    assert 0.5 < model.recall <= 1.0 and later["model"].recall < model.recall  # memory fades with time


def test_streaks_count_days_of_practice_or_revision(database, catalogue):
    plant_cohort(database)
    answer_cards(database, learner="lee", scheduler=make_scheduler(), answers=[(DECK.ids()[0], True, 3)])
    lee = _progress(database, catalogue, "lee").streak
    assert (lee.current, lee.longest, lee.active_days) == (4, 4, 4)  # sessions on days 0-2, a quiz on day 3
    sam = _progress(database, catalogue, "sam").streak
    assert (sam.current, sam.longest, sam.active_days) == (1, 1, 2)  # days 0 and 3
    assert _progress(database, catalogue, "sam", days=5).streak.current == 0  # day 4 was missed


def test_a_streak_survives_until_the_day_is_over():
    d = DAY0.date()
    assert streak_from_days({d, d + timedelta(days=1)}, d + timedelta(days=2)).current == 2
    assert streak_from_days({d, d + timedelta(days=1)}, d + timedelta(days=3)).current == 0
    assert streak_from_days({d, d + timedelta(days=2), d + timedelta(days=3)}, d + timedelta(days=3)).longest == 2


def test_chart_is_a_png_of_every_session(database, catalogue):
    plant_cohort(database)
    png = mark_rates_png(_progress(database, catalogue, "lee").sessions)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert mark_rates_png([]).startswith(b"\x89PNG")


def test_suggestion_without_scenarios_is_none(catalogue):
    from bot.content.catalogue import Catalogue

    assert suggest([], Catalogue()) is None
