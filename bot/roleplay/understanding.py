"""What the customer understands of a learner reply, beyond its marks.

The persona reads the words too: which of its facts a question asks for, what was offered (an
amount, a team, a timeline, a reference), whether the learner is ending the call or only warning
that they might, and whether they are closing a finished call. Questions are matched to facts by
the same text features the assessment uses (the sentence embedding and character n-grams), as
the nearest example question above a threshold, not by one pattern per fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from bot.assessment.features import Vectoriser, tidy
from bot.assessment.text import normalise, sentences

if TYPE_CHECKING:
    import numpy as np

    from bot.assessment.classifier import TfidfBlock
    from bot.content.scenario import PersonaFact, Scenario, SeriousFailure, Trap

MATCH_AT = 0.45  # similarity (0..1) to the nearest example question that counts as asking for the fact

_ENDING = re.compile(
    r"\b(?:i'?m|i am|i'?ll|i will|i'?m going to|i am going to|im going to)\s+(?:now\s+|going to\s+|gonna\s+)*"
    r"(?:(?:end|close|terminate|disconnect|finish)\w*\s+(?:this|the|our)\s+(?:call|chat|conversation|contact)"
    r"|hang\w*\s+up)",
)
# "if it continues I'll end the call", "stop swearing or I'll end the call", "any more and I'll end it",
# "one more insult and I'm ending this call", "next time I'll hang up", "I may have to end the call"
_CONDITIONAL = re.compile(
    r"\b(?:if|unless|otherwise|should|any ?more|one more|next time)\b"
    r"|\b(?:or|and)\s+(?:else\s+)?i(?:'ll| will|'m| am)\b"
    r"|\b(?:may|might|would|could|have to|need to|will have to|'ll have to)\s+(?:\w+\s+)?(?:end|close|terminate|hang)",
)
_CLOSING = re.compile(
    r"\b(?:good ?bye|bye(?: now| then)?|have a (?:good|great|nice|lovely) (?:day|evening|afternoon|weekend|night)"
    r"|take care|thanks? (?:you )?for (?:calling|your call|getting in touch|contacting)|all the best)\b",
)
_FILLER = (r"(?:(?:ok(?:ay)?|right|so|and|but|thanks|thank you|great|sure|lovely|perfect|sorry|also|just|first(?:ly)?|"
           r"roughly|quickly|now|then|oh|ah|well|alright|cool|brill|fine)[ ,.:-]+)*")
_WH_START = re.compile(rf"^{_FILLER}(?:what|whats|which|when|where|who|whos|whose|how|why)\b")
_AUX_START = re.compile(rf"^{_FILLER}(?:is|are|was|were|do|does|did|have|has|had|can|could|would|will|may|should)\b")
_AUX_SUBJECT = re.compile(rf"^{_FILLER}(?:is|are|was|were|do|does|did|have|has|had|can|could|would|will|may)\s+"
                          r"(?:you|it|he|she|they|we|i|there|that|this|your|ur|the)\b")  # "..., has it been dropped"
_ELLIPTICAL = re.compile(rf"^{_FILLER}(?:and )?(?:your|ur) \w+(?: \w+){{0,2}}(?: please| pls)?$")  # "and ur postcode"
_ASKING = re.compile(
    r"\b(?:can|could|may) i (?:just |please |quickly )?(?:take|have|get|grab|confirm|check|ask|note|use|send)\b"
    r"|\bi(?:'d| would)? (?:just )?(?:need|want|like|have) to (?:confirm|check|take|ask|get|note)\b"
    r"|\b(?:please|pls) (?:confirm|give|tell|provide|send|spell)\b|\blet me know\b",
)
_FACT_REQUEST = re.compile(
    r"\b(?:your|the) (?:\w+ ){0,2}(?:name|postcode|post code|address|number|date|dob|birth|email|e-mail|reference|"
    r"ref|order|account|booking|receipt|price|amount|branch|store|shop|time|day|phone|mobile)\b"
    r"|^(?:what|whats|which|when|where|who|how (?:much|many|long))\b",
)
_TIMELINE = re.compile(
    r"\b(?:within (?:the next )?\w+(?: working| business)? (?:hours?|days?|weeks?)"
    r"|(?:by|before|on|this|next) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|"
    r"the end of (?:the )?(?:day|week)|\d{1,2}(?::\d\d)?\s?(?:am|pm)|\d{1,2}(?:st|nd|rd|th)?(?: of \w+)?)"
    r"(?: (?:morning|afternoon|evening))?"
    r"(?: between \d{1,2}(?::\d\d)?\s?(?:am|pm)?(?: and | ?- ?)\d{1,2}(?::\d\d)?\s?(?:am|pm)?)?"
    r"|(?:today|tomorrow|tonight)(?: (?:morning|afternoon|evening))?"
    r"|(?:in|within) (?:\d+|one|two|three|five|ten|fourteen|24|48) (?:working |business )?(?:hours?|days?))\b",
)
_REFERENCE = re.compile(r"\b(?:ref(?:erence)?|complaint|case|ticket|incident)(?: number| no\.?| #)?:?\s*"
                        r"([a-z]{0,4}-?\d{3,}[a-z0-9-]*)\b")
_TEAM = re.compile(
    r"\b(?:the |my |our )?(billing team|claims team|complaints team|specialist team|fraud team|"
    r"branch manager|team leader|team manager|duty manager|line manager|supervisor|manager|"
    r"customer relations|head office|[a-z]+ team)\b",
)


def announces_ending(reply: str) -> bool:
    """True when a sentence says the learner is ending the contact now, with no condition or warning."""
    norm = normalise(reply)
    return any(
        _ENDING.search(norm[s:e]) and not _CONDITIONAL.search(norm[s:e]) for s, e in sentences(norm)
    )


def closes_call(reply: str) -> bool:
    """A goodbye: the learner is closing a call whose business is done."""
    return bool(_CLOSING.search(normalise(reply)))


_AND = re.compile(r",? (?:and|&) (?:your |the |also )?|, ")


def questions(reply: str) -> list[str]:
    """The sentences of a reply that ask something."""
    norm = normalise(reply)
    found = []
    for s, e in sentences(norm):
        text = norm[s:e].strip()
        clauses = [c.strip() for c in re.split(r",|\s-\s|:", text) if c.strip()]
        asks = (text.endswith("?") or _ASKING.search(text)
                or any(_WH_START.search(c) or _AUX_SUBJECT.search(c) for c in clauses)
                or (_AUX_START.search(text) and len(text.split()) <= 15) or _ELLIPTICAL.search(text))
        if asks:
            found.append(reply[s:e].strip())
    return found


def question_parts(question: str) -> list[str]:
    """A question and, when it asks for several things ("your name and postcode"), each part."""
    pieces = [p.strip() for p in _AND.split(question) if len(p.strip().split()) >= 2]
    return [question, *(p for p in pieces if p != question)]


def sentences_of(reply: str) -> list[str]:
    """The reply's sentences, as the learner wrote them."""
    norm = normalise(reply)
    return [reply[s:e].strip() for s, e in sentences(norm) if reply[s:e].strip()]


def asks_for_a_fact(question: str) -> bool:
    """A closed or practical question about a detail (not a feeling, not a check)."""
    return bool(_FACT_REQUEST.search(normalise(question).strip()))


@dataclass(frozen=True)
class Offer:
    """What a learner reply put on the table, as the customer heard it."""

    amounts: tuple[Decimal, ...] = ()
    timeline: str | None = None
    reference: str | None = None
    team: str | None = None


def heard_offer(reply: str, offered_amounts: tuple[Decimal, ...]) -> Offer:
    """Amounts come from the assessment (offers only, not amounts merely mentioned); the rest from the words."""
    norm = normalise(reply)
    timeline = _TIMELINE.search(norm)
    reference = _REFERENCE.search(norm)
    team = _TEAM.search(norm)
    return Offer(
        amounts=offered_amounts,
        timeline=reply[timeline.start():timeline.end()] if timeline else None,
        reference=reply[reference.start(1):reference.end(1)].upper() if reference else None,
        team=team.group(1) if team else None,
    )


@dataclass
class ExampleIndex:
    """Example sentences as vectors, each with its label (a fact id), to find what a learner's sentence asks."""

    fact_ids: list[str]
    vectors: np.ndarray  # unit rows: embedding and character n-grams side by side
    chars: Vectoriser | None  # None when there are no examples

    def best(self, question: str) -> tuple[str | None, float]:
        """The fact whose nearest example is closest, and how close (0..1)."""
        import numpy as np

        if not self.fact_ids or self.chars is None:
            return None, 0.0
        sims = self.similarities(question, self.chars)
        i = int(np.argmax(sims))
        return self.fact_ids[i], float(sims[i])

    def similarities(self, question: str, chars: Vectoriser) -> np.ndarray:
        """`vectors @ _vectorise_one(question)` from its parts that are not zero: the embedding
        against the first columns, and the sentence's few known n-grams against theirs alone (of
        thousands; the whole product was most of the persona's time on a reply)."""
        import numpy as np

        from bot.assessment.embedding import DIMENSIONS, embed

        rows, values = _char_block(chars).weights_of(tidy(question))
        semantic = embed([tidy(question)])[0]
        # rounded as `_vectorise_one` rounds: to float32, then divided in float64
        meaning = semantic.astype(np.float32) / np.sqrt(2)
        spelling = values.astype(np.float32) / np.sqrt(2)
        sims: np.ndarray = self.vectors[:, :DIMENSIONS] @ meaning + self.vectors[:, DIMENSIONS + rows] @ spelling
        return sims

    def match(self, question: str) -> str | None:
        fact, score = self.best(question)
        return fact if score >= MATCH_AT else None


def _vectorise(texts: list[str], chars: Vectoriser) -> np.ndarray:
    import numpy as np

    from bot.assessment.embedding import embed

    semantic = embed([tidy(t) for t in texts])
    grams: np.ndarray = chars.transform([tidy(t) for t in texts]).toarray()
    norms = np.linalg.norm(grams, axis=1, keepdims=True)
    grams = np.divide(grams, norms, out=np.zeros_like(grams), where=norms > 0)
    # equal weight to meaning and spelling; the result is unit length when both parts are
    joined: np.ndarray = np.hstack([semantic, grams]).astype(np.float32) / np.sqrt(2)
    return joined


def _vectorise_one(text: str, chars: Vectoriser) -> np.ndarray:
    """`_vectorise` for one learner sentence, without sklearn's per-call matrix and validation cost:
    the classifier's lean TF-IDF block gives the same vector (a test holds the two equal)."""
    import numpy as np

    from bot.assessment.embedding import embed

    block = _char_block(chars)
    rows, values = block.weights_of(tidy(text))
    grams = np.zeros(len(block.idf))
    grams[rows] = values
    semantic = embed([tidy(text)])[0]
    joined: np.ndarray = np.hstack([semantic, grams]).astype(np.float32) / np.sqrt(2)
    return joined


def _char_block(chars: Vectoriser) -> TfidfBlock:
    """The fitted vectoriser's lean scoring block, built once per vectoriser."""
    from bot.assessment.classifier import TfidfBlock

    return derived(chars, "char-block", lambda: TfidfBlock.of(chars, 0))


def _char_space(examples: list[str]) -> Vectoriser:
    """Character n-grams weighted by how rare they are among this scenario's example questions,
    so the words that tell facts apart ("postcode", "born") count more than the frame ("can I take")."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    fitted: Vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit(
        [tidy(e) for e in examples])
    return fitted


T = TypeVar("T")
_DERIVED: dict[tuple[int, str], tuple[object, object]] = {}


def derived(owner: object, what: str, build: Callable[[], T]) -> T:
    """`build()`, worked out once per loaded scenario, trap or failure (kept beside its owner, so
    the owner's id is not reused while the entry lives)."""
    cached = _DERIVED.get((id(owner), what))
    if cached is None:
        cached = _DERIVED[(id(owner), what)] = (owner, build())
    return cached[1]  # type: ignore[return-value]


def fact_index(scenario: Scenario) -> ExampleIndex:
    """The scenario's facts by their example questions."""
    return derived(scenario, "facts", lambda: _build_index([(f.id, q) for f in scenario.facts for q in f.asked_by]))


def trap_index(trap: Trap) -> ExampleIndex:
    """One trap's example sentences (e.g. the ways learners ask "did you drop it?")."""
    return derived(trap, "trap", lambda: _build_index([(trap.id, q) for q in trap.asked_by]))


def failure_index(failure: SeriousFailure) -> ExampleIndex:
    """A serious failure's examples: "said" for sentences that commit it, "near" for those that don't."""
    return derived(failure, "failure", lambda: _build_index(
        [("said", q) for q in failure.said_by] + [("near", q) for q in failure.not_by]))


def _build_index(pairs: list[tuple[str, str]]) -> ExampleIndex:
    import numpy as np

    if not pairs:
        return ExampleIndex([], np.zeros((0, 1), dtype=np.float32), None)
    chars = _char_space([q for _, q in pairs])
    return ExampleIndex([f for f, _ in pairs], _vectorise([q for _, q in pairs], chars), chars)


def fact_by_id(scenario: Scenario, fact_id: str) -> PersonaFact:
    """The scenario's fact with this id."""
    return next(f for f in scenario.facts if f.id == fact_id)


@dataclass
class Memory:
    """What the customer remembers of the conversation; rebuilt by replay like the rest of the state."""

    facts_given: list[str] = field(default_factory=list)
    lines_used: set[str] = field(default_factory=set)
    amounts: list[Decimal] = field(default_factory=list)
    timeline: str | None = None
    reference: str | None = None
    team: str | None = None
    parts_done: set[str] = field(default_factory=set)
    parts_now: set[str] = field(default_factory=set)  # the parts the reply being answered gave
    marks_seen: set[str] = field(default_factory=set)

    def remember(self, offer: Offer, *, offering: bool) -> None:
        """Amounts and references always; a timeline or team only from a reply that offers a step,
        so a later "today" in passing does not rewrite when the learner said it would happen."""
        self.amounts.extend(offer.amounts)
        self.reference = offer.reference or self.reference
        if offering:
            self.timeline = offer.timeline or self.timeline
            self.team = offer.team or self.team

    def slots(self) -> dict[str, str]:
        """Placeholders a line may use, only for what the learner actually said."""
        known = {"timeline": self.timeline, "reference": self.reference, "team": self.team,
                 "amount": f"£{max(self.amounts):,.2f}".replace(".00", "") if self.amounts else None}
        return {k: v for k, v in known.items() if v}


_SLOT = re.compile(r"\{(\w+)\}")
_CONDITION = re.compile(r"\{(if|unless):(\w+)\}\s*")


def fill(line: str, slots: dict[str, str], seen: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The line with its placeholders filled, or None when it needs something nobody said.

    `{amount}`, `{timeline}`, `{reference}`, `{team}` are what the learner offered; a line that
    starts `{unless:apology}` ("Nobody's even said sorry") is only said while no reply has earned
    that mark, and `{if:record}` only once one has.
    """
    for kind, mark in _CONDITION.findall(line):
        if (mark in seen) != (kind == "if"):
            return None
    line = _CONDITION.sub("", line)
    needed = _SLOT.findall(line)
    if any(n not in slots for n in needed):
        return None
    return _SLOT.sub(lambda m: slots[m.group(1)], line)
