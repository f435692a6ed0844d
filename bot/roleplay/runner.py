"""One role-play from start to report, through a port that a face implements.

The terminal and the script runner implement `PracticePort`; Discord, being event-driven and
needing to survive restarts, calls the service per message instead (see cogs/roleplay).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot import messages
from bot.content.scenario import Scenario
from bot.roleplay.errors import ReplyRejected
from bot.roleplay.service import CustomerLine, RolePlayService, TurnResult


@dataclass(frozen=True)
class LearnerEvent:
    """What the learner did next: a reply, a silence, or a command."""

    kind: str  # reply | silence | end | pause | abandon
    text: str = ""


class PracticeInterrupted(Exception):
    """The learner left the call before it ended of itself."""

    def __init__(self, session_id: int) -> None:
        super().__init__(session_id)
        self.session_id = session_id


class PracticePaused(PracticeInterrupted):
    """Paused: the session stays active, to be resumed with a fresh clock."""


class PracticeAbandoned(PracticeInterrupted):
    """Abandoned: the session is ended (transcript kept) and no report is shown."""


class PracticePort(Protocol):
    """What a face must do for the runner."""

    async def show_brief(self, scenario: Scenario, reply_seconds: int) -> None: ...

    async def show_customer(self, line: CustomerLine) -> None: ...

    async def next_event(self, deadline: datetime | None) -> LearnerEvent:
        """Wait for the learner until the deadline; `silence` when it passes, `end` to stop."""
        ...

    async def show_problem(self, message: str) -> None: ...

    async def show_notice(self, message: str) -> None: ...

    async def show_report(self, report: dict[str, Any]) -> None: ...


async def run_practice(service: RolePlayService, port: PracticePort, *, learner_id: str,
                       scenario_id: str, learner_name: str = "", seed: int | None = None,
                       reply_seconds: int | None = None) -> int:
    """Start a role-play, play it to the end and return its session id."""
    scenario = service.catalogue.get(scenario_id)
    result = service.start(learner_id=learner_id, scenario_id=scenario.id, learner_name=learner_name,
                           seed=seed, reply_seconds=reply_seconds)
    await port.show_brief(scenario, service.get(result.session_id).reply_seconds)
    return await _play(service, port, result)


async def resume_practice(service: RolePlayService, port: PracticePort, session_id: int) -> int:
    """Carry on an unfinished role-play (after a crash): answer what is pending, then play on."""
    row = service.get(session_id)
    scenario = service.catalogue.get(row.scenario_id)
    await port.show_brief(scenario, row.reply_seconds)
    result = service.resume(session_id)
    if result is None:
        # the clock did not run while the program was stopped: a fresh deadline, and no silence charged
        deadline = service.extend_deadline(session_id)
        last = service.turns(session_id)[-1]
        line = CustomerLine(scenario.persona.name, last.text, last.mood or 0, deadline)
        result = TurnResult(session_id, line)
        if deadline is not None:
            await port.show_notice(messages.CLOCK_RESTARTED.format(seconds=row.reply_seconds))
    return await _play(service, port, result)


async def _play(service: RolePlayService, port: PracticePort, result: TurnResult) -> int:
    while True:
        if result.customer is not None:
            await port.show_customer(result.customer)
        if result.ended:
            await port.show_report(result.report or {})
            return result.session_id
        deadline = result.customer.deadline if result.customer else None
        new = None
        while new is None:  # a refused reply or a stale silence leaves the customer waiting
            new = await _next_result(service, port, result.session_id, deadline)
        result = new


async def _next_result(service: RolePlayService, port: PracticePort, session_id: int,
                       deadline: datetime | None) -> TurnResult | None:
    event = await port.next_event(deadline)
    if event.kind == "pause":
        raise PracticePaused(session_id)
    if event.kind == "abandon":
        service.end(session_id)
        raise PracticeAbandoned(session_id)
    if event.kind == "end":
        return service.end(session_id)
    if event.kind == "silence":
        return service.silence(session_id)
    try:
        return service.reply(session_id, event.text)
    except ReplyRejected as exc:
        await port.show_problem(str(exc))
        return None
