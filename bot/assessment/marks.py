"""The reply-level mark ids (a public contract, see marking-points.md), in report order.

Kept apart from the rules and the classifier so that content schemas and views can name the marks
without loading either (the rules compile hundreds of patterns at import).
"""

from __future__ import annotations

CREDITED_ORDER = ("open_question", "paraphrase", "empathy", "apology", "action", "policy", "escalation",
                  "check", "thanks", "boundary", "record", "verify")
PENALISED_ORDER = ("defensive", "dismissive", "policy_wall", "over_promise", "admits_fault", "unprofessional")
REPLY_MARKS: tuple[str, ...] = CREDITED_ORDER + PENALISED_ORDER
CREDITED: frozenset[str] = frozenset(CREDITED_ORDER)
PENALISED: frozenset[str] = frozenset(PENALISED_ORDER)
