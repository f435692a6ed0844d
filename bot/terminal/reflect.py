"""The five-field reflective log asked for at the end of a terminal role-play, saved by the core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot import messages
from bot.clock import Clock
from bot.reflection import FIELDS, ReflectionError, save_reflection
from bot.storage.db import Database

Ask = Callable[[str], Awaitable[str | None]]  # a prompt in, the typed line out (None: input ended)
Say = Callable[[str], None]


async def ask_reflection(ask: Ask, say: Say, db: Database, clock: Clock, *,
                         session_id: int, learner_id: str) -> bool:
    """Offer the log, ask each field (again when one is refused) and save it; False when skipped."""
    first = await ask(messages.REFLECT_OFFER + " ")
    if first is None or first.strip().lower() in ("s", "skip", "/skip", "n", "no"):
        say(messages.REFLECT_SKIPPED)
        return False
    say(messages.REFLECT_FIELD_HINT)
    answers: dict[str, str] = {}
    for field in FIELDS:
        value = await ask(f"{field.label} ({field.placeholder}) ")
        if value is None or value.strip().lower() == "/skip":
            say(messages.REFLECT_SKIPPED)
            return False
        answers[field.key] = value
    while True:
        try:
            with db.session() as s:
                save_reflection(s, session_id=session_id, learner_id=learner_id, answers=answers, now=clock())
        except ReflectionError as exc:
            refused = next((f for f in FIELDS if f"“{f.label}”" in str(exc)), None)
            say(f"! {exc}")
            if refused is None:
                return False
            value = await ask(f"{refused.label} ({refused.placeholder}) ")
            if value is None or value.strip().lower() == "/skip":
                say(messages.REFLECT_SKIPPED)
                return False
            answers[refused.key] = value
            continue
        say(messages.REFLECT_SAVED.format(session_id=session_id))
        return True
