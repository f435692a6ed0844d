"""The role-play's refusals, in a module light enough for any command to import (no database, no model)."""

from __future__ import annotations

from bot import messages


class RolePlayError(Exception):
    """A refusal with a message fit to show the learner."""


class ReplyRejected(RolePlayError):
    """The reply was not recorded; the session carries on unchanged."""


class SessionNotFound(RolePlayError):
    pass


class NotYourSession(RolePlayError):
    pass


class SessionOver(RolePlayError):
    pass


class AlreadyActive(RolePlayError):
    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        super().__init__(messages.ALREADY_ACTIVE.format(session_id=session_id))
