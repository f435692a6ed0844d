"""One role-play from start to report, through a port that a face implements.

The terminal and the script runner implement `PracticePort`; Discord, being event-driven and
needing to survive restarts, calls the service per message instead (see cogs/roleplay).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.content.scenario import Scenario
from bot.roleplay.service import CustomerLine, ReplyRejected, RolePlayService, TurnResult


@dataclass(frozen=True)
class LearnerEvent:
    kind: str  # reply | silence | end
    text: str = ""


class PracticePort(Protocol):
    """What a face must do for the runner."""

    async def show_brief(self, scenario: Scenario, reply_seconds: int) -> None: ...

    async def show_customer(self, line: CustomerLine) -> None: ...

    async def next_event(self, deadline: datetime | None) -> LearnerEvent:
        """Wait for the learner until the deadline; `silence` when it passes, `end` to stop."""
        ...

    async def show_problem(self, message: str) -> None: ...

    async def show_report(self, report: dict) -> None: ...


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
        last = service.turns(session_id)[-1]
        line = CustomerLine(scenario.persona.name, last.text, last.mood or 0, last.deadline_at)
        result = TurnResult(session_id, line)
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
    if event.kind == "end":
        return service.end(session_id)
    if event.kind == "silence":
        return service.silence(session_id)
    try:
        return service.reply(session_id, event.text)
    except ReplyRejected as exc:
        await port.show_problem(str(exc))
        return None
