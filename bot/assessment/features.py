"""What the trained reply classifier sees: the learner's words, the customer's, and the rules' reading.

One `Example` is a reply read with the customer message it answers and the scenario's facts. Its
features are word and character n-grams of the normalised reply, a sentence embedding of the
reply and of the customer's message, the customer's own words, and the rule-based marks with
the money facts behind them (an amount offered within or beyond the authority limit). Stacking
on the rules lets the model learn when to trust a phrase family and when to overrule it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from bot.assessment.marks import REPLY_MARKS
from bot.assessment.replies import Assessment, ReplyContext, is_abusive, rule_assessment
from bot.assessment.text import normalise, sentences

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix



class Vectoriser(Protocol):
    """What the code reads from a fitted scikit-learn `TfidfVectorizer` (sklearn ships no types)."""

    vocabulary_: dict[str, int]
    idf_: np.ndarray
    sublinear_tf: bool
    analyzer: str | Callable[[str], list[str]]

    def transform(self, raw_documents: list[str]) -> csr_matrix:
        """The documents' TF-IDF rows."""

    def build_analyzer(self) -> Callable[[str], list[str]]:
        """The callable that splits a document into its terms."""


FACT_NAMES: tuple[str, ...] = (
    *(f"rule:{m}" for m in REPLY_MARKS),
    "customer_abusive", "customer_asks", "reply_asks", "reply_length", "offers_money", "offer_within_limit",
    "offer_beyond_limit", "no_money_allowed", "limit_known", "sentences",
)


@dataclass(frozen=True)
class Example:
    """A learner reply as the assessor reads it."""

    reply: str
    customer: str = ""
    context: ReplyContext = field(default_factory=ReplyContext)


@dataclass(frozen=True)
class Reading:
    """The rule-based reading of one example, kept beside the features built from it."""

    text: str  # normalised reply, for n-grams
    rules: Assessment
    facts: tuple[float, ...]
    abusive: bool
    beyond_limit: bool
    denies_fault: bool = False
    offer_within_limit: bool = False


def tidy(text: str) -> str:
    """Normalised text without apostrophes, so "im" and "i'm" are one token."""
    return normalise(text).replace("'", "")


_NEGATION = re.compile(r"\b(?:not|no|never|nothing|cant|cannot|dont|doesnt|didnt|isnt|arent|wasnt|werent|wont|"
                       r"wouldnt|couldnt|shouldnt|havent|hasnt|without)\b")
_WORD_OR_STOP = re.compile(r"[\w£]+|[.!?,;:]")


_FAULT_WORD = re.compile(r"(?:not_)?(?:fault|faults|mistake|mistakes|wrong|error|errors|blame|messed|screwed)")
_FAULT_STEM = re.compile(r"fault|mistake|wrong|error|blame|messed|screwed")  # what any fault word contains


def only_denies_fault(tidy_text: str) -> bool:
    """Every word of fault in the reply is negated ("our system doesnt make mistakes", "its not our
    fault"): a denial, which bags of n-grams and embeddings cannot tell from an admission."""
    if not _FAULT_STEM.search(tidy_text):
        return False  # no word of fault at all (most replies), so none to read word by word
    hits = [t for t in with_negation(tidy_text).split() if _FAULT_WORD.fullmatch(t)]
    return bool(hits) and all(t.startswith("not_") for t in hits)


@lru_cache(maxsize=64)
def with_negation(tidy_text: str) -> str:
    """Words in a negation's scope (up to three, or to the next punctuation) marked "not_", so
    "our system doesnt make mistakes" reads differently from "our system made a mistake".
    Cached: the fault-denial rule and the scorer read the same reply."""
    out: list[str] = []
    scope = 0
    for token in _WORD_OR_STOP.findall(tidy_text):
        if not token[0].isalnum() and token[0] != "£":
            scope = 0
            out.append(token)
        elif _NEGATION.fullmatch(token):
            scope = 3
            out.append(token)
        elif scope:
            scope -= 1
            out.append(f"not_{token}")
        else:
            out.append(token)
    return " ".join(out)


def read(example: Example) -> Reading:
    """Run the rules once and collect the facts the classifier and the fact rules both need."""
    ctx = example.context
    rules = rule_assessment(example.reply, example.customer, ctx)
    abusive = is_abusive(ctx, example.customer)
    limit = ctx.authority_limit
    offered = rules.offered_amounts
    beyond = rules.money_over or (bool(offered) and limit is not None and max(offered) > limit)
    within = bool(offered) and not beyond and limit is not None
    words = len(example.reply.split())
    facts = (
        *(1.0 if m in rules.marks else 0.0 for m in REPLY_MARKS),
        float(abusive), float("?" in example.customer), float("?" in example.reply),
        math.log1p(words) / 5, float(bool(offered)), float(within), float(beyond),
        # the corpus writes "no money at all" as a limit of 0 and has no unknown limit, so a context
        # without a limit is read the same way: an unseen "limit unknown" value skews every mark
        float(limit is None or limit == Decimal(0)), 1.0,
        min(len(sentences(normalise(example.reply))), 8) / 8,
    )
    text = tidy(example.reply)
    return Reading(text, rules, facts, abusive, beyond, only_denies_fault(text), within)


@dataclass
class FeatureSpace:
    """The fitted vectorizers that turn readings into one sparse matrix."""

    words: Vectoriser
    chars: Vectoriser
    customer_words: Vectoriser

    @classmethod
    def fit(cls, examples: list[Example], readings: list[Reading]) -> FeatureSpace:
        from sklearn.feature_extraction.text import TfidfVectorizer

        token = r"(?u)\b\w[\w']*\b|[?!£]"
        words = TfidfVectorizer(ngram_range=(1, 3), min_df=2, max_features=40000, sublinear_tf=True,
                                token_pattern=token, lowercase=False, dtype=_float32())
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=40000,
                                sublinear_tf=True, lowercase=False, dtype=_float32())
        customer_words = TfidfVectorizer(min_df=2, max_features=5000, sublinear_tf=True, token_pattern=token,
                                         lowercase=False, dtype=_float32())
        texts = [r.text for r in readings]
        words.fit([with_negation(t) for t in texts])
        chars.fit(texts)
        customer_words.fit([tidy(e.customer) for e in examples])
        return cls(words, chars, customer_words)

    def transform(self, examples: list[Example], readings: list[Reading],
                  reply_vectors: np.ndarray | None = None, customer_vectors: np.ndarray | None = None) -> csr_matrix:
        """One row per example: n-grams, embeddings, the customer's words and the rule facts."""
        import numpy as np
        from scipy.sparse import csr_matrix, hstack

        from bot.assessment.embedding import embed

        texts = [r.text for r in readings]
        if reply_vectors is None:
            reply_vectors = embed([e.reply for e in examples])
        if customer_vectors is None:
            customer_vectors = embed([e.customer for e in examples])
        facts = np.array([r.facts for r in readings], dtype=np.float32)
        blocks = [
            self.words.transform([with_negation(t) for t in texts]),
            self.chars.transform(texts),
            csr_matrix(reply_vectors),
            csr_matrix(customer_vectors * 0.5),
            self.customer_words.transform([tidy(e.customer) for e in examples]) * 0.5,
            csr_matrix(facts),
        ]
        matrix: csr_matrix = hstack(blocks, format="csr", dtype=np.float32)
        return matrix


def _float32() -> type:
    import numpy as np

    return np.float32
