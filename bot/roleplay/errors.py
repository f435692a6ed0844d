"""The role-play's refusals, in a module light enough for any command to import (no database, no model)."""

from __future__ import annotations

from bot import messages


class RolePlayError(Exception):
    """A refusal with a message fit to show the learner."""


class ReplyRejected(RolePlayError):
    """The reply was not recorded; the session carries on unchanged."""


class SessionNotFound(RolePlayError):
    """No session has that id."""


class NotYourSession(RolePlayError):
    """The session belongs to another learner."""


class SessionOver(RolePlayError):
    """The session has ended; nothing more can be added."""


class AlreadyActive(RolePlayError):
    """The learner already has a role-play in progress."""

    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        super().__init__(messages.ALREADY_ACTIVE.format(session_id=session_id))
