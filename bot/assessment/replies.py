"""Reply-level marks: which of the examiner's moves a learner's reply makes, with the words.

Deterministic rules over phrase families (bot/assessment/patterns.py), read together with the
customer message the reply answers and, when known, the scenario's facts (authority limit,
an abusive customer). Marks interact the way an assessor reads them: a warning to a customer
who is not abusive is dismissive rather than a boundary; an apology that only prefaces a
refusal to help is not sincere; an offer beyond authority is an over-promise, not an action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from bot.assessment import patterns as p
from bot.assessment.marks import CREDITED, CREDITED_ORDER, PENALISED, PENALISED_ORDER, REPLY_MARKS  # noqa: F401
from bot.assessment.prefilter import Haystack
from bot.assessment.text import MAX_CHARS, amount_spans, content_words, normalise, sentence_at, sentences

PREFILTER_FROM = 1000  # characters
GENEROUS_GOODWILL = Decimal(50)  # with no known limit, compensation above this is an over-promise
Found = re.Match[str] | tuple[int, int] | None  # where in the reply a rule matched, if it did


@dataclass(frozen=True, kw_only=True)
class ReplyContext:
    """What the scenario tells the assessment; all optional."""

    authority_limit: Decimal | None = None
    customer_abusive: bool | None = None  # None: judged from the customer's message
    goodwill_limit: Decimal | None = None
    scenario_id: str | None = None


@dataclass(frozen=True)
class Assessment:
    """One reply's marks, the words that earned each, and the amounts it offered."""

    marks: tuple[str, ...]
    evidence: dict[str, str] = field(default_factory=dict)
    offered_amounts: tuple[Decimal, ...] = ()
    money_over: bool = False  # an amount offered beyond the authority or goodwill limit: a fact, not wording
    warns: bool = False  # a warning about the customer's behaviour (a boundary only if they are abusive)


class _Reader:
    """One reply, normalised once, with helpers that record the evidence of each mark."""

    def __init__(self, reply: str) -> None:
        self.original = reply[:MAX_CHARS]
        self.norm = normalise(self.original)
        self.sentences = sentences(self.norm)
        self.evidence: dict[str, str] = {}
        # a long reply is searched only for the families it may hold; a short one's searches cost less
        # than looking (benchmarks/assess_reply.py: the two meet at about 1,000 characters)
        self._haystack = Haystack(self.norm) if len(self.norm) >= PREFILTER_FROM else None
        self._may: dict[int, bool] = {}  # by id: hashing a compiled pattern hashes all of its code

    def may(self, pattern: re.Pattern[str]) -> bool:
        """False when the pattern cannot match anywhere in the reply, so no part of it need be searched."""
        if self._haystack is None:
            return True
        known = self._may.get(id(pattern))
        if known is None:
            known = self._may[id(pattern)] = self._haystack.may_match(pattern)
        return known

    def quote(self, start: int, end: int) -> str:
        s, e = sentence_at(self.norm, start)
        s, e = min(s, start), max(e, end)
        text = self.original[s:e].strip()
        return text if len(text) <= 240 else self.original[start:end].strip()

    def find(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        return pattern.search(self.norm) if self.may(pattern) else None

    def find_all(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Every match in the reply, in order (none searched for when the pattern cannot match)."""
        return pattern.finditer(self.norm) if self.may(pattern) else iter(())

    def mark(self, name: str, match: Found) -> bool:
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


def is_abusive(context: ReplyContext, customer: str) -> bool:
    """The known fact when there is one, otherwise what the customer's message shows."""
    return customer_is_abusive(customer) if context.customer_abusive is None else context.customer_abusive


def _offers(reader: _Reader) -> list[tuple[int, Decimal, str]]:
    """Amounts the learner offers, each with its position and its own clause: the offer verb must
    stand in that clause, so in "I can give you £25, and I've passed your £200 claim to my team
    leader" only £25 is offered."""
    offered = []
    for start, end, value in amount_spans(reader.original):
        s, e = sentence_at(reader.norm, start)
        cuts = [s, *(m.end() for m in _CLAUSE_BREAK.finditer(reader.norm, s, e)), e]
        left = max((c for c in cuts if c <= start), default=start)
        right = min((c for c in cuts if c >= end), default=end)  # "£25.50": the point splits the sentence
        clause = reader.norm[left:right]
        # "I'll refund the £89 and give you £20": the second clause borrows the first one's "I'll"
        offering = p.OFFER_VERB.search(clause) or (
            _BARE_OFFER.match(clause) and p.OFFER_VERB.search(reader.norm[s:left]))
        instalment = _INSTALMENT.match(reader.norm, end)  # "£26 a month" is what the customer pays
        if offering and not instalment and not re.search(r"\b(?:over|above|more than)\s*£", clause):
            offered.append((start, value, clause))
    return offered


_BARE_OFFER = re.compile(r"\s*(?:and\s+)?(?:also\s+|then\s+)?(?:give|offer|refund|pay|credit|add|send|waive|put|"
                         r"throw in|arrange|cover|compensate)\w*\b")
_INSTALMENT = re.compile(r"\s*(?:a|per|each|every)\s+(?:month|week|fortnight|quarter)\b|\s*(?:monthly|weekly)\b"
                         r"|\s*(?:/|p)\s?(?:m|mth|month|w|wk)\b")
_COMPENSATION = re.compile(r"\b(?:for (?:your|the) (?:trouble|hassle|stress|inconvenience|wait)|on top|as well|plus|"
                          r"compensation|goodwill|gesture|voucher|to make up|to say sorry|extra)\b")


_CLAUSE_BREAK = re.compile(r"\s(?:and|but|while|whereas|although)\s|;")


def _statement(r: _Reader, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The first match outside a question: "what are you worried about?" shows no empathy, and
    "can you tell me where the refund will go?" commits to nothing. Questions starting "I" count."""
    for m in r.find_all(pattern):
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


def _policy(r: _Reader, *, escalated: bool) -> re.Match[str] | None:
    """A rule stated as the basis for what happens; not one used to blame the customer in the same
    sentence ("you should have read the delivery terms"), and the limit of the learner's remit only
    when no escalation gives it as its reason."""
    patterns = (p.POLICY,) if escalated else (p.POLICY, p.REMIT_LIMIT)
    for pattern in patterns:
        for m in r.find_all(pattern):
            s, e = sentence_at(r.norm, m.start())
            if not (r.may(p.DEFENSIVE) and p.DEFENSIVE.search(r.norm, s, e)):
                return m
    return None


def _sincere_apology(r: _Reader) -> re.Match[str] | None:
    """An apology, but not a bare "Sorry, what was the name?" (a pardon before a question)."""
    for m in r.find_all(p.APOLOGY):
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
    # each sentence is part of the reply: a family that cannot match the reply matches none of them
    rhetorical, starts, invites = r.may(p.RHETORICAL), r.may(p.OPEN_START), r.may(p.OPEN_INVITE)
    closed = r.may(p.CLOSED_ASK)
    for s, e, text in r.sentence_texts():
        if rhetorical and p.RHETORICAL.search(text):
            continue
        m = p.OPEN_START.search(text) if starts else None
        if m and not (closed and p.CLOSED_ASK.search(text[m.start():])) and (
                text.endswith("?") or len(text.split()) <= 14):
            return (s, e)
        if starts and text.endswith("?"):  # "Sorry to hear that - what happened?": the question after a dash or comma
            last = re.split(r"\s[-:]\s|,\s", text)[-1]
            if last != text and p.OPEN_START.search(last) and not (closed and p.CLOSED_ASK.search(last)):
                return (s, e)
        m = p.OPEN_INVITE.search(text) if invites else None
        if m:
            return (s + m.start(), s + m.end())
    return None


def _paraphrase(r: _Reader, customer_words: set[str]) -> tuple[int, int] | None:
    may_tag, may_start = r.may(p.PARAPHRASE_TAG), r.may(p.PARAPHRASE_START)
    if not may_tag and not may_start:
        return None
    for s, e, text in r.sentence_texts():
        tagged = p.PARAPHRASE_TAG.search(text) if may_tag else None
        starts = p.PARAPHRASE_START.search(text) if may_start else None
        overlap = len(content_words(text) & customer_words)
        if tagged and (overlap >= 1 or starts or not customer_words) and len(text.split()) >= 6:
            return (s, e)
        if starts and overlap >= 2 and len(text.split()) >= 7:
            return (s, e)
    return None


def rule_assessment(reply: str, customer: str = "", context: ReplyContext | None = None) -> Assessment:
    """Mark one learner reply by the phrase rules alone; evidence quotes the reply's own words."""
    context = context or ReplyContext()
    r = _Reader(reply or "")
    if not r.norm.strip():
        return Assessment((), {}, ())
    cust_norm = normalise(customer or "")
    abusive = is_abusive(context, customer or "")
    marks: set[str] = set()

    def give(name: str, match: Found) -> None:
        if r.mark(name, match):
            marks.add(name)

    # penalised first: they change how some credited moves are read
    give("defensive", r.find(p.DEFENSIVE))
    give("dismissive", r.find(p.DISMISSIVE))
    give("unprofessional", r.find(p.UNPROFESSIONAL))
    give("admits_fault", r.find(p.ADMITS_FAULT))
    offers = _offers(r)
    offered = tuple(v for _, v, _ in offers)
    money_over = False
    limit = context.authority_limit
    over: Found = r.find(p.OVER_PROMISE)
    if over is None and offers:
        goodwill = context.goodwill_limit if context.goodwill_limit is not None else (
            GENEROUS_GOODWILL if limit is None else None)
        # beyond the authority limit, or compensation (in its own clause) beyond the goodwill limit:
        # "a refund of £89 and a £10 goodwill voucher" measures only the £10 against goodwill
        too_much = [start for start, value, clause in offers
                    if (limit is not None and value > limit)
                    or (goodwill is not None and value > goodwill and _COMPENSATION.search(clause))]
        if not too_much and limit is None and _caves_to_demand(offered, customer or ""):
            too_much = [offers[0][0]]
        if too_much:
            over = (too_much[0], too_much[0] + 1)
            money_over = True
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
    escalation = r.find(p.ESCALATION)
    if escalation and not r.find(p.ESCALATION_NOT):
        give("escalation", escalation)
    if "policy_wall" not in marks:
        give("policy", _policy(r, escalated="escalation" in marks))
    give("check", r.find(p.CHECK))
    if not r.find(p.THANKS_NOT):
        give("thanks", r.find(p.THANKS))
    give("record", r.find(p.RECORD))
    give("verify", r.find(p.VERIFY))

    ordered = tuple(m for m in REPLY_MARKS if m in marks)
    return Assessment(ordered, {m: r.evidence[m] for m in ordered}, offered, money_over, boundary is not None)
