"""Feedback on a reflective log: which of Gibbs' six stages it covers and where it is thin.

Rules over the learner's words, with the words quoted back, never a score: a stage is covered when
the log holds one of its cues; a thin spot is a missing kind of content (feelings, a link to a
marking point, concrete words for next time). The cues and the wording are in gibbs.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.messages import MARK_LABELS
from bot.reflection import FIELDS
from bot.storage.models import Reflection

RULES_FILE = Path(__file__).with_name("gibbs.yaml")
OTHER_LINKS = {"authority": "Authority limits", "model": "A recognised model"}


@dataclass(frozen=True)
class StageReading:
    """How well a reflective log covers one stage of Gibbs' cycle."""

    stage_id: str
    label: str
    covered: bool
    words: str  # the learner's words that showed it ('' when not covered)
    hint: str


@dataclass(frozen=True)
class ThinSpot:
    """A part of the log that says too little, with a hint."""

    thin_id: str
    label: str
    hint: str


@dataclass(frozen=True)
class LogFeedback:
    """The feedback on a reflective log: stages covered, thin spots, links to the marks."""

    stages: tuple[StageReading, ...]
    thin: tuple[ThinSpot, ...]
    linked: tuple[str, ...]  # marking points (mark ids, or 'authority'/'model') the log refers to

    def lines(self) -> list[str]:
        """The feedback as short lines, for a Discord message, a report or the terminal."""
        text = _rules()["text"]
        covered = [s for s in self.stages if s.covered]
        out = [text["covered"].format(count=len(covered), total=len(self.stages),
                                      labels=", ".join(s.label for s in covered) or "none")]
        out += [text["found"].format(label=s.label, words=s.words) for s in covered]
        out += [text["missing"].format(label=s.label, hint=s.hint) for s in self.stages if not s.covered]
        if self.linked:
            out.append(text["linked"].format(labels=", ".join(_link_label(m) for m in self.linked)))
        out += [text["thin"].format(label=t.label, hint=t.hint) for t in self.thin] or [text["none"]]
        return out


def _link_label(mark: str) -> str:
    return MARK_LABELS.get(mark) or OTHER_LINKS.get(mark, mark)


def _compile(cue: str) -> re.Pattern[str]:
    flags = 0 if cue.isupper() else re.IGNORECASE
    return re.compile(rf"(?<!\w){cue}(?!\w)", flags)


@cache
def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    for group in (*rules["stages"], *rules["thin"]):
        group["patterns"] = [_compile(c) for c in group.get("cues", [])]
    rules["mark_patterns"] = {m: [_compile(c) for c in cues] for m, cues in rules["marking_points"].items()}
    return rules


def _first_match(patterns: list[re.Pattern[str]], text: str) -> str:
    found = [(m.start(), m.group(0)) for p in patterns if (m := p.search(text))]
    return min(found)[1] if found else ""


def linked_marking_points(text: str) -> tuple[str, ...]:
    """Marking points (and models) the text refers to, in the order of gibbs.yaml."""
    return tuple(m for m, patterns in _rules()["mark_patterns"].items() if _first_match(patterns, text))


def read_log(answers: dict[str, str]) -> LogFeedback:
    """Read a log (field key -> the learner's words) against the rules."""
    rules = _rules()
    answers = {k: (v or "").replace("’", "'") for k, v in answers.items()}  # I’ll = I'll
    every = "\n".join(answers.get(f.key, "") for f in FIELDS)
    stages = []
    for stage in rules["stages"]:
        words = _first_match(stage["patterns"], answers.get(stage.get("field", ""), "")) or \
            _first_match(stage["patterns"], every)  # the stage's own field first, for the quoted words
        long_enough = len(every.split()) >= stage.get("min_words", 0)
        stages.append(StageReading(stage["id"], stage["label"], bool(words) and long_enough, words, stage["hint"]))
    linked = linked_marking_points(every)
    thin = []
    for check in rules["thin"]:
        text = "\n".join(answers.get(key, "") for key in check["fields"])
        present = bool(linked_marking_points(text)) if check.get("marks_linked") else \
            bool(_first_match(check["patterns"], text))
        if not present:
            thin.append(ThinSpot(check["id"], check["label"], check["hint"]))
    return LogFeedback(tuple(stages), tuple(thin), linked)


def read_reflection(reflection: Reflection) -> LogFeedback:
    """The same for a stored Reflection row."""
    return read_log({f.key: getattr(reflection, f.key) or "" for f in FIELDS})
