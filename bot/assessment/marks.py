"""The reply-level mark ids (a public contract, see marking-points.md), in report order.

Kept apart from the rules and the classifier so that content schemas and views can name the marks
without loading either (the rules compile hundreds of patterns at import).
"""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

# the ids as types (content schemas check them) and, read back from the types, as ordered tuples
CreditedMark = Literal["open_question", "paraphrase", "empathy", "apology", "action", "policy", "escalation",
                       "check", "thanks", "boundary", "record", "verify"]
PenalisedMark = Literal["defensive", "dismissive", "policy_wall", "over_promise", "admits_fault", "unprofessional"]
ReplyMark = Literal[CreditedMark, PenalisedMark]
CREDITED_ORDER: tuple[str, ...] = get_args(CreditedMark)
PENALISED_ORDER: tuple[str, ...] = get_args(PenalisedMark)
REPLY_MARKS: tuple[str, ...] = CREDITED_ORDER + PENALISED_ORDER
CREDITED: frozenset[str] = frozenset(CREDITED_ORDER)
PENALISED: frozenset[str] = frozenset(PENALISED_ORDER)


def is_reply_mark(mark: str) -> TypeGuard[ReplyMark]:
    """Whether a stored mark id is a reply mark (narrows it for lookups keyed by `ReplyMark`)."""
    return mark in PENALISED or mark in CREDITED
