"""Learner scripts: one reply per line, `[silence]` for a missed deadline, `[end]` to end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SILENCE = "[silence]"
END = "[end]"


@dataclass(frozen=True)
class ScriptStep:
    """One learner event from a script."""

    kind: str  # reply | silence | end
    text: str = ""


def parse_script(lines: Iterable[str]) -> list[ScriptStep]:
    """Read a script; blank lines and lines starting with '#' are skipped."""
    steps: list[ScriptStep] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.lower() == SILENCE:
            steps.append(ScriptStep("silence"))
        elif stripped.lower() == END:
            steps.append(ScriptStep("end"))
        else:
            steps.append(ScriptStep("reply", stripped))
    return steps
