"""Assessment: reply-level marks with their evidence, and session-level marks and model coverage.

The mark ids and the session judgement are light and imported at once; the reply rules and the
classifier (regexes compiled, a model stack loaded) only when first asked for, so commands that
only name the marks start quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.assessment.marks import CREDITED, PENALISED, REPLY_MARKS
from bot.assessment.whole_call import (
    MODELS,
    SESSION_MARKS,
    LearnerTurnFacts,
    ModelCoverage,
    SessionAssessment,
    SessionFacts,
    assess_session,
)

if TYPE_CHECKING:
    from bot.assessment.marking import assess_reply
    from bot.assessment.replies import Assessment, ReplyContext, customer_is_abusive
    from bot.assessment.text import read_amounts

_LAZY = {"assess_reply": "bot.assessment.marking", "Assessment": "bot.assessment.replies",
         "ReplyContext": "bot.assessment.replies", "customer_is_abusive": "bot.assessment.replies",
         "read_amounts": "bot.assessment.text"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bot.assessment' has no attribute {name!r}")


__all__ = [
    "CREDITED", "MODELS", "PENALISED", "REPLY_MARKS", "SESSION_MARKS", "Assessment", "LearnerTurnFacts",
    "ModelCoverage", "ReplyContext", "SessionAssessment", "SessionFacts", "assess_reply", "assess_session",
    "customer_is_abusive", "read_amounts",
]
