"""Assessment: reply-level marks with their evidence, and session-level marks and model coverage."""

from bot.assessment.marking import assess_reply
from bot.assessment.replies import (
    CREDITED,
    PENALISED,
    REPLY_MARKS,
    Assessment,
    ReplyContext,
    customer_is_abusive,
)
from bot.assessment.session import (
    MODELS,
    SESSION_MARKS,
    LearnerTurnFacts,
    ModelCoverage,
    SessionAssessment,
    SessionFacts,
    assess_session,
)
from bot.assessment.text import read_amounts

__all__ = [
    "CREDITED", "MODELS", "PENALISED", "REPLY_MARKS", "SESSION_MARKS", "Assessment", "LearnerTurnFacts",
    "ModelCoverage", "ReplyContext", "SessionAssessment", "SessionFacts", "assess_reply", "assess_session",
    "customer_is_abusive", "read_amounts",
]
