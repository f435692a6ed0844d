"""The unit's examiner marking points (from unit_criteria.yaml) and which of them each mark evidences."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CRITERIA_FILE = Path(__file__).with_name("unit_criteria.yaml")


@dataclass(frozen=True)
class Criterion:
    """One assessment criterion of the unit, and the marks that evidence it."""

    id: str
    seed: str  # the unit document it is quoted from
    text: str
    marks: tuple[str, ...]


@cache
def criteria() -> tuple[Criterion, ...]:
    """The unit's assessment criteria, read once from their YAML file."""
    data = yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))
    return tuple(Criterion(c["id"], c["seed"], c["text"], tuple(c["marks"])) for c in data["criteria"])


@cache
def reflection_criteria() -> tuple[Criterion, ...]:
    """The criteria a reflective log is evidence for."""
    ids = set(yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))["reflection_criteria"])
    return tuple(c for c in criteria() if c.id in ids)


def criteria_for(mark: str) -> tuple[Criterion, ...]:
    """The marking points a mark is evidence for (or against, for a penalised mark)."""
    return tuple(c for c in criteria() if mark in c.marks)
