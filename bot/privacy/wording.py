"""Plain-language summaries of an erasure plan or result, shared by Discord and the terminal."""

from __future__ import annotations

from bot import messages
from bot.privacy.erasure import ErasurePlan, KeptSession


def counted(counts: dict[str, int]) -> str:
    """'3 role-play session(s), 12 transcript line(s)' for the non-zero counts we have words for."""
    parts = [f"{counts[key]} {label}" for key, label in messages.DATA_LABELS.items() if counts.get(key)]
    return ", ".join(parts) or "nothing"


def kept_lines(kept: list[KeptSession]) -> str:
    """The evidence a server keeps, one line per session, with why."""
    if not kept:
        return messages.DELETE_NOTHING_KEPT
    lines = [messages.DELETE_KEPT_HEADER]
    lines += [messages.DELETE_KEPT_LINE.format(session_id=k.session_id, scenario_id=k.scenario_id,
                                               when=f"{k.signed_off_at:%Y-%m-%d}" if k.signed_off_at else "")
              for k in kept]
    return "\n".join(lines)


def confirmation(plan: ErasurePlan) -> str:
    """What the learner reads before pressing the button."""
    gone = "\n".join(f"- {count} {label}" for key, label in messages.DATA_LABELS.items()
                     if (count := plan.counts.get(key)))
    return messages.DELETE_CONFIRM.format(gone=gone or "- nothing", kept=kept_lines(plan.kept))
