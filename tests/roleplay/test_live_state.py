"""The in-memory state of active sessions: used only while the database agrees with it."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import event, text

from bot.clock import ManualClock
from bot.roleplay import service as service_module
from bot.roleplay.service import RolePlayService
from bot.storage.db import Database, alembic_config

REPLIES = [
    "I'm so sorry this has happened. Could you tell me what happened?",
    "That sounds really frustrating, and I understand why you're upset.",
    "Let me check the details on my side now.",
    "Thank you for your patience while I look into this.",
]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def conversation(svc: RolePlayService, session_id: int) -> list[tuple[int, str, str]]:
    return [(t.position, t.speaker, t.text) for t in svc.turns(session_id)]


def test_two_processes_taking_turns_on_one_session_play_the_same_conversation(database, catalogue, clock):
    alone = RolePlayService(database, catalogue, clock)
    solo = alone.start(learner_id="solo", scenario_id="faulty-kettle", seed=5).session_id
    for words in REPLIES:
        alone.reply(solo, words)

    first, second = RolePlayService(database, catalogue, clock), RolePlayService(database, catalogue, clock)
    shared = first.start(learner_id="shared", scenario_id="faulty-kettle", seed=5).session_id
    for n, words in enumerate(REPLIES):  # each process's memory goes stale as the other one writes
        (first if n % 2 == 0 else second).reply(shared, words)

    expected = [(p, s, t) for p, s, t in conversation(alone, solo)]
    assert conversation(first, shared) == expected
    assert len(expected) == 2 * len(REPLIES) + 1


def test_a_deadline_moved_by_another_process_decides_lateness(database, catalogue, clock):
    bot = RolePlayService(database, catalogue, clock)
    sid = bot.start(learner_id="l", scenario_id="faulty-kettle", reply_seconds=60, seed=1).session_id
    clock.advance(seconds=50)
    RolePlayService(database, catalogue, clock).extend_deadline(sid)  # e.g. recovery after a restart
    clock.advance(seconds=30)  # past the first deadline, inside the new one
    bot.reply(sid, REPLIES[0])
    assert bot.turns(sid)[1].late is False
    clock.advance(seconds=61)
    bot.reply(sid, REPLIES[1])
    assert bot.turns(sid)[3].late is True


def test_a_failed_reaction_is_answered_before_the_next_reply_in_the_same_process(database, catalogue, clock,
                                                                                monkeypatch):
    svc = RolePlayService(database, catalogue, clock)
    sid = svc.start(learner_id="l", scenario_id="faulty-kettle", seed=2).session_id
    real = service_module.assess_reply

    def power_cut(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(service_module, "assess_reply", power_cut)
    with pytest.raises(RuntimeError):
        svc.reply(sid, REPLIES[0])
    monkeypatch.setattr(service_module, "assess_reply", real)
    svc.reply(sid, REPLIES[1])
    assert [t.speaker for t in svc.turns(sid)] == ["customer", "learner", "customer", "learner", "customer"]
    assert "apology" in svc.turns(sid)[1].marks


def test_a_reply_reads_no_turns_and_costs_the_same_statements_at_every_turn(sqlite_database, catalogue, clock):
    statements: list[str] = []

    @event.listens_for(sqlite_database.engine, "connect")
    def trace(dbapi_conn, _record):
        dbapi_conn.set_trace_callback(statements.append)

    sqlite_database.engine.dispose()  # new connections, traced
    svc = RolePlayService(sqlite_database, catalogue, clock)
    sid = svc.start(learner_id="l", scenario_id="faulty-kettle", seed=3).session_id
    per_reply = []
    for words in REPLIES[1:]:
        statements.clear()
        svc.reply(sid, words)
        per_reply.append(list(statements))
    assert all(not any("FROM turn" in s for s in run) for run in per_reply), per_reply[0]
    assert len({len(run) for run in per_reply}) == 1, [len(run) for run in per_reply]
    assert sum(s.startswith("COMMIT") for s in per_reply[0]) == 2  # the words, then marks + answer


def test_the_migration_fills_turn_count_and_deadline_from_existing_turns(tmp_path, catalogue, clock):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Database(url, migrate=False)
    config = alembic_config(old.engine)
    with old.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(text(
            "INSERT INTO practice_session (id, learner_id, learner_name, scenario_id, seed, reply_seconds, status, "
            "started_at, session_marks, report, reflection_waived) VALUES "
            "(1, 'a', '', 'faulty-kettle', 1, 60, 'active', '2026-01-05 09:00:00', '[]', '{}', 0), "
            "(2, 'b', '', 'faulty-kettle', 1, 60, 'active', '2026-01-05 09:00:00', '[]', '{}', 0)"))
        conn.execute(text(
            "INSERT INTO turn (session_id, position, speaker, kind, text, marks, evidence, offered, late, "
            "created_at, deadline_at) VALUES "
            "(1, 0, 'customer', 'line', 'hi', '[]', '{}', '[]', 0, '2026-01-05 09:00:00', '2026-01-05 09:01:00'), "
            "(2, 0, 'customer', 'line', 'hi', '[]', '{}', '[]', 0, '2026-01-05 09:00:00', '2026-01-05 09:01:00'), "
            "(2, 1, 'learner', 'line', 'sorry', '[]', '{}', '[]', 0, '2026-01-05 09:00:30', NULL)"))
    old.dispose()
    db = Database(url)
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, turn_count, reply_due_at FROM practice_session ORDER BY id")).all()
    assert [(r[0], r[1]) for r in rows] == [(1, 1), (2, 2)]
    assert str(rows[0][2]).startswith("2026-01-05 09:01:00") and rows[1][2] is None
    svc = RolePlayService(db, catalogue, clock)
    assert svc.overdue(clock.advance(minutes=5)) == [1]
    assert svc.resume(2) is not None  # the stored reply is answered, and the count moves on from 2
    assert [t.position for t in svc.turns(2)] == [0, 1, 2]
    db.dispose()
