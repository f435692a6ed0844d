"""The feedback report: built once from the stored turns when a session ends, kept as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot import messages
from bot.assessment import CREDITED, PENALISED, REPLY_MARKS, SessionAssessment
from bot.content.scenario import Scenario
from bot.roleplay.expectations import Judged
from bot.roleplay.live import TurnRecord

MAX_QUOTES = 3


def _quotes_by_mark(turns: Sequence[TurnRecord]) -> dict[str, list[str]]:
    quotes: dict[str, list[str]] = {}
    for turn in turns:
        if turn.speaker != "learner":
            continue
        for mark in turn.marks:
            words = turn.evidence.get(mark) or turn.text
            quotes.setdefault(mark, []).append(words)
    return quotes


@dataclass(frozen=True)
class Ending:
    """The session row's part of the report: which session, how it ended, and when."""

    session_id: int
    outcome: str
    started_at: datetime
    ended_at: datetime


def build_report(
    scenario: Scenario,
    row: Ending,
    turns: Sequence[TurnRecord],
    assessment: SessionAssessment,
    serious_failures: Sequence[str],
    expectations: Sequence[Judged] = (),
) -> dict[str, Any]:
    """Everything a learner or mentor sees about a finished session, as plain data."""
    quotes = _quotes_by_mark(turns)

    def reply_marks(group: frozenset[str]) -> list[dict[str, Any]]:
        return [
            {"mark": m, "label": messages.MARK_LABELS[m], "count": len(quotes[m]),
             "quotes": quotes[m][:MAX_QUOTES]}
            for m in REPLY_MARKS if m in group and m in quotes
        ]

    credited_ids = {"listened_first", "followed_model", "within_authority", "escalated_well",
                    "confirmed_resolution"}
    session_marks = [
        {"mark": m, "label": messages.MARK_LABELS[m], "reason": assessment.reasons.get(m, ""),
         "credited": m in credited_ids}
        for m in assessment.marks
    ]
    penalised_ids = [m for m in REPLY_MARKS if m in PENALISED and m in quotes] + [
        s["mark"] for s in session_marks if not s["credited"]
    ]
    failures = {f.id: f for f in scenario.serious_failures}
    learner_turns = [t for t in turns if t.speaker == "learner" and t.kind != "end"]
    duration = (row.ended_at - row.started_at).total_seconds()
    return {
        "session_id": row.session_id,
        "scenario": scenario.id,
        "title": scenario.title,
        "persona": scenario.persona.name,
        "outcome": row.outcome,
        "outcome_text": messages.OUTCOME_TEXT.get(row.outcome, row.outcome),
        "learner_turns": sum(1 for t in learner_turns if t.kind != "silence"),  # replies, not silences
        "silences": sum(1 for t in learner_turns if t.kind == "silence"),
        "missed_deadlines": sum(1 for t in learner_turns if t.kind == "silence" or t.late),
        "duration_seconds": duration,
        "credited": reply_marks(CREDITED),
        "penalised": reply_marks(PENALISED),
        "session_marks": session_marks,
        "models": [
            {"model": c.model, "steps": list(c.steps), "covered": list(c.covered), "in_order": c.in_order}
            for c in assessment.coverage
        ],
        "mood_curve": [[t.position, t.mood] for t in turns if t.speaker == "customer" and t.mood is not None],
        "serious_failures": [{"id": f, "description": failures[f].description if f in failures else f}
                             for f in serious_failures],
        "expectations": [{"text": e.text, "met": e.met} for e in expectations],
        # what went wrong first (a serious failure), then what was left undone, then habits to drop
        "tips": list(dict.fromkeys(
            [failures[f].tip for f in serious_failures if f in failures]
            + [e.tip for e in expectations if not e.met]
            + [messages.TIPS[m] for m in dict.fromkeys(penalised_ids) if m in messages.TIPS])),
        "offers": sorted({str(Decimal(a)) for t in learner_turns for a in t.offered}, key=Decimal),
    }


def render_text(report: dict[str, Any]) -> str:
    """The report for a terminal: plain lines, quotes in double quotes."""
    out = [
        f"Feedback: {report['title']} (with {report['persona']})",
        f"Outcome: {report['outcome_text']}",
        f"Your replies: {report['learner_turns']}; silences: {report.get('silences', 0)}; "
        f"missed deadlines: {report['missed_deadlines']}",
    ]
    for failure in report["serious_failures"]:
        out.append(f"!! {messages.SERIOUS_FAILURE}: {failure['description']}")
    for title, key in (("What earned credit", "credited"), ("What lost credit", "penalised")):
        if report[key]:
            out.append(f"\n{title}:")
            for item in report[key]:
                quotes = "; ".join(f'"{q}"' for q in item["quotes"])
                out.append(f"  - {item['label']} x{item['count']}: {quotes}")
    if report["session_marks"]:
        out.append("\nOver the whole conversation:")
        for item in report["session_marks"]:
            sign = "+" if item["credited"] else "-"
            out.append(f"  {sign} {item['label']}: {item['reason']}")
    if report.get("expectations"):
        out.append("\nWhat the examiner looks for:")
        for item in report["expectations"]:
            out.append(f"  [{'x' if item['met'] else ' '}] {item['text']}")
    if report["models"]:
        out.append("\nModels:")
        for m in report["models"]:
            complete = len(m["covered"]) == len(m["steps"])
            order = ("; in order" if m["in_order"] else "; out of order") if complete else ""
            out.append(f"  {m['model']}: {len(m['covered'])}/{len(m['steps'])} steps "
                       f"({', '.join(m['covered']) or 'none'}{order})")
    if report["tips"]:
        out.append("\nNext time:")
        out.extend(f"  * {tip}" for tip in report["tips"])
    return "\n".join(out)
