"""Reply-level marks: which of the examiner's moves a learner's reply makes, with the words.

Deterministic rules over phrase families (bot/assessment/patterns.py), read together with the
customer message the reply answers and, when known, the scenario's facts (authority limit,
an abusive customer). Marks interact the way an assessor reads them: a warning to a customer
who is not abusive is dismissive rather than a boundary; an apology that only prefaces a
refusal to help is not sincere; an offer beyond authority is an over-promise, not an action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from bot.assessment import patterns as p
from bot.assessment.text import MAX_CHARS, amount_spans, content_words, normalise, sentence_at, sentences

CREDITED_ORDER = ("open_question", "paraphrase", "empathy", "apology", "action", "policy", "escalation",
                  "check", "thanks", "boundary", "record", "verify")
PENALISED_ORDER = ("defensive", "dismissive", "policy_wall", "over_promise", "admits_fault", "unprofessional")
REPLY_MARKS: tuple[str, ...] = CREDITED_ORDER + PENALISED_ORDER
CREDITED: frozenset[str] = frozenset(CREDITED_ORDER)
PENALISED: frozenset[str] = frozenset(PENALISED_ORDER)
GENEROUS_GOODWILL = Decimal(50)  # with no known limit, compensation above this is an over-promise


@dataclass(frozen=True, kw_only=True)
class ReplyContext:
    """What the scenario tells the assessment; all optional."""

    authority_limit: Decimal | None = None
    customer_abusive: bool = False
    goodwill_limit: Decimal | None = None
    scenario_id: str | None = None


@dataclass(frozen=True)
class Assessment:
    marks: tuple[str, ...]
    evidence: dict[str, str] = field(default_factory=dict)
    offered_amounts: tuple[Decimal, ...] = ()


class _Reader:
    """One reply, normalised once, with helpers that record the evidence of each mark."""

    def __init__(self, reply: str) -> None:
        self.original = reply[:MAX_CHARS]
        self.norm = normalise(self.original)
        self.sentences = sentences(self.norm)
        self.evidence: dict[str, str] = {}

    def quote(self, start: int, end: int) -> str:
        s, e = sentence_at(self.norm, start)
        s, e = min(s, start), max(e, end)
        text = self.original[s:e].strip()
        return text if len(text) <= 240 else self.original[start:end].strip()

    def find(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        return pattern.search(self.norm)

    def mark(self, name: str, match: re.Match[str] | tuple[int, int] | None) -> bool:
        if match is None:
            return False
        start, end = (match.start(), match.end()) if isinstance(match, re.Match) else match
        self.evidence[name] = self.quote(start, end) or self.original.strip()
        return True

    def sentence_texts(self) -> list[tuple[int, int, str]]:
        return [(s, e, self.norm[s:e].strip()) for s, e in self.sentences]


def customer_is_abusive(customer: str) -> bool:
    """Insults, swearing (also asterisked) or 'shut up' aimed at the learner."""
    return bool(p.ABUSE.search(normalise(customer or "")))


def _offered_amounts(reader: _Reader) -> tuple[Decimal, ...]:
    offered = []
    for start, _end, value in amount_spans(reader.original):
        s, e = sentence_at(reader.norm, start)
        clause = reader.norm[s:e]
        if p.OFFER_VERB.search(clause) and not re.search(r"\b(?:over|above|more than)\s*£", clause):
            offered.append(value)
    return tuple(offered)


def _statement(r: _Reader, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The first match outside a question: "what are you worried about?" shows no empathy, and
    "can you tell me where the refund will go?" commits to nothing. Questions starting "I" count."""
    for m in pattern.finditer(r.norm):
        s, e = sentence_at(r.norm, m.start())
        sentence = r.norm[s:e].strip()
        if not sentence.endswith("?") or sentence.startswith("i "):
            return m
    return None


_BARE_RULE = re.compile(r"(?:because i can'?t\.?\s*)?(?:it'?s |that'?s |its |thats )?(?:(?:company|our|the) )?"
                        r"(?:policy|data protection|procedure|gdpr|rules|the rules)[.!]*")


def _bare_rule(r: _Reader) -> tuple[int, int] | None:
    """A sentence that is nothing but the name of a rule: "Our policy." "Data protection."."""
    for s, e, text in r.sentence_texts():
        if _BARE_RULE.fullmatch(text):
            return (s, e)
    return None


def _sincere_apology(r: _Reader) -> re.Match[str] | None:
    """An apology, but not a bare "Sorry, what was the name?" (a pardon before a question)."""
    for m in p.APOLOGY.finditer(r.norm):
        s, e = sentence_at(r.norm, m.start())
        sentence = r.norm[s:e].strip()
        pardon = sentence.startswith("sorry") and sentence.endswith("?")
        if not pardon:
            return m
    return None


def _caves_to_demand(offered: tuple[Decimal, ...], customer: str) -> bool:
    """With no known limit: agreeing on the spot to a large sum the customer named."""
    demanded = {v for _, _, v in amount_spans(customer)}
    return any(a in demanded and a > GENEROUS_GOODWILL for a in offered)


def _open_question(r: _Reader) -> re.Match[str] | tuple[int, int] | None:
    for s, e, text in r.sentence_texts():
        if p.RHETORICAL.search(text):
            continue
        m = p.OPEN_START.search(text)
        if m and (text.endswith("?") or len(text.split()) <= 14):
            return (s, e)
        if text.endswith("?"):  # "Sorry to hear that - what happened?": the question after a dash or comma
            clauses = re.split(r"\s[-:]\s|,\s", text)
            if len(clauses) > 1 and p.OPEN_START.search(clauses[-1]):
                return (s, e)
        m = p.OPEN_INVITE.search(text)
        if m:
            return (s + m.start(), s + m.end())
    return None


def _paraphrase(r: _Reader, customer_words: set[str]) -> tuple[int, int] | None:
    for s, e, text in r.sentence_texts():
        tagged = p.PARAPHRASE_TAG.search(text)
        starts = p.PARAPHRASE_START.search(text)
        overlap = len(content_words(text) & customer_words)
        if tagged and (overlap >= 1 or starts or not customer_words) and len(text.split()) >= 6:
            return (s, e)
        if starts and overlap >= 2 and len(text.split()) >= 7:
            return (s, e)
    return None


def assess_reply(reply: str, customer: str = "", context: ReplyContext | None = None) -> Assessment:
    """Mark one learner reply; evidence quotes the reply's own words."""
    context = context or ReplyContext()
    r = _Reader(reply or "")
    if not r.norm.strip():
        return Assessment((), {}, ())
    cust_norm = normalise(customer or "")
    abusive = context.customer_abusive or customer_is_abusive(customer or "")
    marks: set[str] = set()

    def give(name: str, match) -> None:
        if r.mark(name, match):
            marks.add(name)

    # penalised first: they change how some credited moves are read
    give("defensive", r.find(p.DEFENSIVE))
    give("dismissive", r.find(p.DISMISSIVE))
    give("unprofessional", r.find(p.UNPROFESSIONAL))
    give("admits_fault", r.find(p.ADMITS_FAULT))
    offered = _offered_amounts(r)
    limit = context.authority_limit
    over = r.find(p.OVER_PROMISE)
    if over is None and offered:
        beyond = [a for a in offered if (limit is not None and a > limit)]
        goodwill = context.goodwill_limit if context.goodwill_limit is not None else (
            GENEROUS_GOODWILL if limit is None else None)
        compensation = re.search(r"\b(?:for your trouble|on top|as well|compensation|goodwill|gesture|voucher)\b",
                                 r.norm)
        generous = bool(compensation and goodwill is not None and max(offered) > goodwill) or (
            limit is None and _caves_to_demand(offered, customer or ""))
        if beyond or generous:
            start = next(s for s, _, v in amount_spans(r.original) if v in (beyond or offered))
            over = (start, start + 1)
    give("over_promise", over)

    boundary = r.find(p.BOUNDARY)
    if boundary is not None:
        if abusive:
            give("boundary", boundary)
        else:
            give("dismissive", boundary)  # a warning to a customer who is passionate, not abusive

    wall = r.find(p.POLICY_WALL) or _bare_rule(r)
    empathic = r.find(p.EMPATHY) and not r.find(p.EMPATHY_NOT)
    if wall is not None and not empathic:
        give("policy_wall", wall)

    give("open_question", _open_question(r))
    give("paraphrase", _paraphrase(r, content_words(cust_norm)))
    if empathic and "unprofessional" not in marks:
        give("empathy", _statement(r, p.EMPATHY))
    apology = _sincere_apology(r)
    if apology and not r.find(p.APOLOGY_NOT):
        bare = not re.search(r"\b(?:i'm|i am|im|we're|we are|i|we)\b[^.?!]{0,20}\b(?:sorry|apologi)", r.norm)
        if not (bare and marks & {"dismissive", "policy_wall"}):
            give("apology", apology)
    if "over_promise" not in marks and not r.find(p.ACTION_NOT):
        give("action", _statement(r, p.ACTION))
    if "policy_wall" not in marks:
        give("policy", r.find(p.POLICY))
    escalation = r.find(p.ESCALATION)
    if escalation and not r.find(p.ESCALATION_NOT):
        give("escalation", escalation)
    give("check", r.find(p.CHECK))
    if not r.find(p.THANKS_NOT):
        give("thanks", r.find(p.THANKS))
    give("record", r.find(p.RECORD))
    give("verify", r.find(p.VERIFY))

    ordered = tuple(m for m in REPLY_MARKS if m in marks)
    return Assessment(ordered, {m: r.evidence[m] for m in ordered}, offered)
