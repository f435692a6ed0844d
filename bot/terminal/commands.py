"""What a typed line means in a terminal role-play: a reply, or one of the slash commands."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot import messages
from bot.roleplay.runner import LearnerEvent

_COMMAND = re.compile(r"^/([A-Za-z?][\w-]*)\s*$")
_ALIASES = {"/quit": "/pause", "/exit": "/pause", "/stop": "/pause", "/?": "/help"}


@dataclass(frozen=True)
class Typed:
    """A line the learner typed: `kind` is reply, end, pause, abandon, help or unknown."""

    kind: str
    text: str = ""


def read_line(line: str) -> Typed:
    """A line starting with /word is a command (never sent to the customer); anything else a reply."""
    stripped = line.strip()
    match = _COMMAND.match(stripped)
    if match is None:
        return Typed("reply", line)
    word = _ALIASES.get(stripped.lower(), stripped.lower())
    if word in messages.TERMINAL_COMMANDS:
        return Typed(word[1:])
    return Typed("unknown", stripped)


def event_for(line: str, say: Callable[[str], None]) -> LearnerEvent | None:
    """The learner event a typed line makes; None (after answering /help or an unknown /word) for none."""
    typed = read_line(line)
    if typed.kind == "help":
        say(messages.TERMINAL_HELP)
    elif typed.kind == "unknown":
        say(messages.UNKNOWN_COMMAND.format(word=typed.text) + "\n" + messages.TERMINAL_HELP)
    elif typed.kind != "reply":
        return LearnerEvent(typed.kind)
    elif line.strip():
        return LearnerEvent("reply", line)
    return None
