"""Erasure: a dump of every table before and after proves nothing about the learner remains
(and nothing about anyone else was touched), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from privacy_world import NOT_PERSONAL, dump, populate, rows_about

from bot.clock import ManualClock
from bot.privacy.erasure import erase_learner, plan_erasure


def _minus(before, removed):
    return {t: [r for r in rows if r not in removed[t]] for t, rows in before.items()}


def test_every_personal_table_is_covered_by_the_fixture(database, catalogue):
    """A new table holding learner data fails here until the fixture (and forget.py) know about it."""
    zed, _ = populate(database, catalogue, ManualClock(), keep_signed_off=False)
    mine = rows_about(dump(database), zed)
    assert {t for t, rows in mine.items() if rows} == set(mine) - NOT_PERSONAL


def test_erasure_leaves_nothing_about_the_learner(database, catalogue):
    zed, amy = populate(database, catalogue, ManualClock(), keep_signed_off=False)
    before = dump(database)
    mine = rows_about(before, zed)
    with database.session() as s:
        result = erase_learner(s, learner_id=zed.learner_id)
    after = dump(database)
    assert result.kept == []
    assert rows_about(after, zed) == {t: [] for t in after}
    assert after == _minus(before, mine)  # everyone else's rows, and the server's, exactly as they were
    assert sum(len(r) for r in rows_about(after, amy).values()) == sum(len(r) for r in rows_about(before, amy).values())
    assert result.deleted["sessions"] == 3 and result.deleted["turn"] > 3


def test_policy_keeps_signed_off_evidence_and_says_which(database, catalogue):
    zed, _ = populate(database, catalogue, ManualClock(), keep_signed_off=True)
    before = dump(database)
    with database.session() as s:
        plan = plan_erasure(s, learner_id=zed.learner_id)
    assert [k.session_id for k in plan.kept] == [zed.signed_off]
    assert sorted(plan.delete_session_ids) == sorted(set(zed.sessions) - {zed.signed_off})
    with database.session() as s:
        result = erase_learner(s, learner_id=zed.learner_id)
    after = dump(database)
    left = rows_about(after, zed)
    assert [r["id"] for r in left["practice_session"]] == [zed.signed_off]
    assert {r["session_id"] for t in ("turn", "reflection", "mentor_feedback", "access_log") for r in left[t]} \
        == {zed.signed_off}
    for table in ("learner_card", "card_review", "cohort_answer", "learner_settings", "scheduled_job",
                  "outbox_message"):
        assert left[table] == [], table
    # what was kept is exactly the evidence as it was before
    evidence = {t: [r for r in rows if r in left[t]] for t, rows in rows_about(before, zed).items()}
    assert evidence == left
    assert [k.session_id for k in result.kept] == [zed.signed_off]


@pytest.mark.parametrize("keep", [False, True])
def test_erasing_twice_is_harmless_and_a_stranger_has_nothing(sqlite_database, catalogue, keep):
    zed, _ = populate(sqlite_database, catalogue, ManualClock(), keep_signed_off=keep)
    with sqlite_database.session() as s:
        erase_learner(s, learner_id=zed.learner_id)
    once = dump(sqlite_database)
    with sqlite_database.session() as s:
        again = erase_learner(s, learner_id=zed.learner_id)
        stranger = plan_erasure(s, learner_id="nobody")
    assert dump(sqlite_database) == once
    assert again.deleted["sessions"] == 0 and stranger.nothing_stored
