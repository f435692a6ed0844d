"""A mentor's view of a cohort (one server) over a period: marks per learner, the weakest marking
points with anonymised quotes, quiz participation and the most-missed cards, and missing paperwork."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot.assessment import REPLY_MARKS
from bot.content.catalogue import Catalogue
from bot.progress.history import SessionTally, finished_sessions
from bot.progress.suggest import Weakness, weaknesses
from bot.progress.wording import WORDING
from bot.quiz.cards import Deck
from bot.storage.models import CardReview, CohortAnswer, CohortQuiz, PracticeSession, Reflection, Turn

WEAKEST_SHOWN, QUOTES_PER_MARK, CARDS_SHOWN = 5, 2, 5
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_LONG_NUMBER = re.compile(r"\d[\d ]{4,}\d")


@dataclass(frozen=True)
class LearnerRow:
    """One learner's line in the cohort report: sessions and mark rates."""

    learner_id: str
    name: str
    sessions: int
    replies: int
    rates: dict[str, float]  # reply mark -> share of the learner's replies in the period


@dataclass(frozen=True)
class WeakPoint:
    """A mark the cohort is weak on, with anonymised quotes."""

    weakness: Weakness
    quotes: tuple[str, ...]  # the mistake made, or the credit earned by a peer; no name, e-mail or long number

    def describe(self) -> str:
        return self.weakness.describe(("cohort_penalised", "cohort_credited"))


@dataclass(frozen=True)
class MissedCard:
    """A quiz card the cohort often got wrong."""

    card_id: str
    prompt: str
    wrong: int
    answered: int


@dataclass(frozen=True)
class Paperwork:
    """A learner's reflective logs and sign-offs still outstanding."""

    learner_id: str
    name: str
    unsigned: int
    no_log: int


@dataclass(frozen=True)
class CohortReport:
    """Everything the cohort report shows for one period."""

    since: datetime
    until: datetime
    learners: list[LearnerRow]
    marks: list[str]  # heat-map columns: reply marks seen in the period, credited then penalised
    weakest: list[WeakPoint]
    quiz_learners: int  # learners (of those who practised or answered) with at least one answer
    all_learners: int
    reviews: int
    cohort_answers: int
    missed_cards: list[MissedCard]
    paperwork: list[Paperwork]


def anonymise(text: str, names: set[str]) -> str:
    """Take out what identifies a learner or customer: names, e-mail addresses, long numbers."""
    text = _EMAIL.sub("[e-mail]", text)
    text = _LONG_NUMBER.sub("[number]", text)
    for name in sorted((n for n in names if len(n) > 1), key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "[name]", text, flags=re.IGNORECASE)
    return text


def _learner_rows(tallies: list[SessionTally]) -> list[LearnerRow]:
    grouped: dict[str, list[SessionTally]] = {}
    for t in tallies:
        grouped.setdefault(t.learner_id, []).append(t)
    rows = []
    for learner_id, own in grouped.items():
        replies = sum(t.replies for t in own)
        counts: Counter[str] = Counter()
        for t in own:
            counts.update(t.reply_marks)
        rows.append(LearnerRow(learner_id, own[-1].learner_name or learner_id, len(own), replies,
                               {m: counts[m] / replies if replies else 0.0 for m in REPLY_MARKS}))
    return sorted(rows, key=lambda r: r.name.lower())


def _quotes(session: DbSession, tallies: list[SessionTally], marks: list[str], names: set[str]) -> dict[str, list[str]]:
    wanted = set(marks)
    found: dict[str, list[str]] = {m: [] for m in marks}
    turns = session.exec(select(Turn).where(col(Turn.session_id).in_([t.session_id for t in tallies]),
                                            Turn.speaker == "learner", Turn.kind == "line")
                         .order_by(col(Turn.session_id), col(Turn.position)))
    for turn in turns:
        for mark in wanted & set(turn.marks):
            quote = anonymise(turn.evidence.get(mark) or turn.text, names)
            if len(found[mark]) < QUOTES_PER_MARK and quote not in found[mark]:
                found[mark].append(quote)
    return found


def _missed_cards(session: DbSession, deck: Deck, learner_ids: set[str], guild_id: str, since: datetime,
                  until: datetime) -> tuple[list[MissedCard], Counter[str], int, int]:
    answered: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    per_learner: Counter[str] = Counter()
    reviews = session.exec(select(CardReview.learner_id, CardReview.card_id, CardReview.correct).where(
        col(CardReview.learner_id).in_(list(learner_ids)), col(CardReview.reviewed_at) >= since,
        col(CardReview.reviewed_at) < until)).all() if learner_ids else []
    cohort = session.exec(select(CohortAnswer.learner_id, CohortAnswer.card_id, CohortAnswer.correct)
                          .join(CohortQuiz, col(CohortQuiz.id) == col(CohortAnswer.quiz_id))
                          .where(CohortQuiz.guild_id == guild_id, col(CohortAnswer.answered_at) >= since,
                                 col(CohortAnswer.answered_at) < until)).all()
    for learner_id, card_id, correct in [*reviews, *cohort]:
        answered[card_id] += 1
        wrong[card_id] += 0 if correct else 1
        per_learner[learner_id] += 1
    ranked = sorted((c for c in wrong if wrong[c]), key=lambda c: (-wrong[c], -wrong[c] / answered[c], c))
    missed = [MissedCard(c, card.prompt if (card := deck.get(c)) else c, wrong[c], answered[c])
              for c in ranked[:CARDS_SHOWN]]
    return missed, per_learner, len(reviews), len(cohort)


def _paperwork(session: DbSession, tallies: list[SessionTally]) -> list[Paperwork]:
    ids = [t.session_id for t in tallies]
    logged = set(session.exec(select(Reflection.session_id).where(col(Reflection.session_id).in_(ids))))
    waived = set(session.exec(select(PracticeSession.id).where(col(PracticeSession.id).in_(ids),
                                                              col(PracticeSession.reflection_waived))))
    unsigned: Counter[str] = Counter(t.learner_id for t in tallies if not t.signed_off)
    no_log: Counter[str] = Counter(t.learner_id for t in tallies
                                   if t.session_id not in logged and t.session_id not in waived)
    names = {t.learner_id: t.learner_name or t.learner_id for t in tallies}
    return sorted((Paperwork(lid, names[lid], unsigned[lid], no_log[lid]) for lid in names
                   if unsigned[lid] or no_log[lid]), key=lambda p: p.name.lower())


def cohort_report(session: DbSession, *, guild_id: str, since: datetime, until: datetime, catalogue: Catalogue,
                  deck: Deck) -> CohortReport:
    """The report over [since, until) for one server's learners."""
    tallies = finished_sessions(session, guild_id=guild_id, since=since, until=until)
    rows = _learner_rows(tallies)
    seen = {m for r in rows for m in REPLY_MARKS if r.rates[m] > 0}
    weak = weaknesses(tallies, catalogue, recent=len(tallies))[:WEAKEST_SHOWN] if tallies else []
    names = {r.name for r in rows} | {catalogue.get(s).persona.name for s in catalogue.ids()}
    names |= {part for name in set(names) for part in name.split()}
    # a mistake is quoted as made; a missing credit by a peer's reply that earned it, as a model
    quotes = _quotes(session, tallies, [w.mark for w in weak], names) if tallies else {}
    learner_ids = {r.learner_id for r in rows}
    missed, per_learner, reviews, cohort_answers = _missed_cards(session, deck, learner_ids, guild_id, since, until)
    everyone = learner_ids | set(per_learner)
    return CohortReport(since, until, rows, [m for m in REPLY_MARKS if m in seen],
                        [WeakPoint(w, tuple(quotes.get(w.mark, ()))) for w in weak],
                        sum(1 for lid in everyone if per_learner[lid]), len(everyone), reviews, cohort_answers,
                        missed, _paperwork(session, tallies))


def report_sections(report: CohortReport) -> dict[str, list[str]]:
    """The report as titled lists of lines, for an embed or the terminal."""
    weakest = []
    for point in report.weakest:
        weakest.append(point.describe())
        key = "cohort_quote_mistake" if point.weakness.penalised else "cohort_quote_model"
        weakest += [WORDING[key].format(quote=q) for q in point.quotes]
    participation = [WORDING["cohort_participation"].format(
        active=report.quiz_learners, learners=report.all_learners, reviews=report.reviews,
        cohort=report.cohort_answers)]
    missed = [WORDING["cohort_missed_card"].format(prompt=c.prompt, wrong=c.wrong, answered=c.answered)
              for c in report.missed_cards]
    paperwork = [WORDING["cohort_paperwork"].format(name=p.name, unsigned=p.unsigned, no_log=p.no_log)
                 for p in report.paperwork]
    return {
        "Five weakest marking points": weakest or [WORDING["cohort_no_sessions"]],
        "Quiz participation": participation,
        "Most-missed cards": missed or ["None missed."],
        "Unsigned sessions or missing logs": paperwork or [WORDING["cohort_all_signed"]],
    }


def heatmap_rows(report: CohortReport) -> tuple[list[str], list[list[float]]]:
    """Row names and rates in the heat-map's column order."""
    return [r.name for r in report.learners], [[r.rates[m] for m in report.marks] for r in report.learners]
