"""The trained reply classifier: one logistic regression per mark over the shared feature space.

Trained by `python -m bot train-assessor` (bot/assessment/training.py) and committed as a small
file loaded once. Prediction multiplies one sparse row by one weight matrix, so a reply costs
the same whatever the number of marks.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from bot.assessment.features import Example, FeatureSpace, Reading, Vectoriser, read
from bot.assessment.marks import REPLY_MARKS

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

MODEL_PATH = Path(__file__).resolve().parent / "model" / "assessor.joblib"
SEED = 0
CUSTOMER_MESSAGES_KEPT = 4096
C = 16.0  # inverse regularisation: best of 1, 4, 16 by grouped cross-validation on the training corpus


@dataclass
class MarkModel:
    """Feature space, weights (features x marks), biases and one decision threshold per mark."""

    space: FeatureSpace
    weights: np.ndarray
    bias: np.ndarray
    thresholds: np.ndarray
    marks: tuple[str, ...] = REPLY_MARKS

    @classmethod
    def fit(cls, examples: list[Example], labels: list[set[str]], readings: list[Reading] | None = None,
            vectors: tuple[np.ndarray, np.ndarray] | None = None, thresholds: np.ndarray | None = None) -> MarkModel:
        """Fit every mark's regression; thresholds default to 0.5 until tuned."""
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        readings = readings if readings is not None else [read(e) for e in examples]
        space = FeatureSpace.fit(examples, readings)
        x = space.transform(examples, readings, *(vectors or (None, None)))
        weights = np.zeros((x.shape[1], len(REPLY_MARKS)), dtype=np.float32)
        bias = np.zeros(len(REPLY_MARKS), dtype=np.float32)

        # An offer beyond the limit is an over-promise by the facts (marking.apply_facts), not by its
        # words: those replies would teach the words "I'll refund £X today" to mean over-promising.
        by_facts = np.array([r.beyond_limit for r in readings])

        def fit_mark(j: int) -> None:
            y = np.array([REPLY_MARKS[j] in lab for lab in labels], dtype=np.int8)
            if y.min() == y.max():  # a mark never (or always) seen: a constant
                bias[j] = 10.0 if y[0] else -10.0
                return
            weight = np.where(by_facts, 0.0, 1.0) if REPLY_MARKS[j] == "over_promise" else None
            reg = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", random_state=SEED,
                                     max_iter=1000)
            reg.fit(x, y, sample_weight=weight)
            weights[:, j] = reg.coef_[0]
            bias[j] = reg.intercept_[0]

        # liblinear releases the GIL: the marks are independent fits, so threads use every core
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(fit_mark, range(len(REPLY_MARKS))))
        cut = thresholds if thresholds is not None else np.full(len(REPLY_MARKS), 0.5, dtype=np.float32)
        return cls(space, weights, bias, cut.astype(np.float32))

    def probabilities(self, x: csr_matrix) -> np.ndarray:
        """Per row, the probability of each mark."""
        import numpy as np

        logits: np.ndarray = np.asarray(x @ self.weights) + self.bias
        odds: np.ndarray = 1.0 / (1.0 + np.exp(-logits))
        return odds

    def features(self, examples: list[Example], readings: list[Reading]) -> csr_matrix:
        return self.space.transform(examples, readings)

    def score(self, examples: list[Example], readings: list[Reading]) -> np.ndarray:
        """The same probabilities as `probabilities(features(...))`, computed straight from the
        fitted vocabularies and weights: no sparse matrices, no per-call validation, so one reply
        costs well under a millisecond."""
        import numpy as np

        from bot.assessment.embedding import embed
        from bot.assessment.features import with_negation

        lean = self._lean()
        replies = embed([e.reply for e in examples])
        out = np.empty((len(examples), len(self.marks)))
        for row, (example, reading) in enumerate(zip(examples, readings, strict=True)):
            logits = self.bias.astype(np.float64).copy()
            for block, text in ((lean.words, with_negation(reading.text)), (lean.chars, reading.text)):
                rows, values = block.weights_of(text)
                if len(rows):
                    logits += values @ self.weights[rows]
            by_words, by_meaning = self._customer_terms(lean, example.customer)
            logits += by_words
            logits += replies[row] @ self.weights[lean.reply_at:lean.reply_at + replies.shape[1]]
            logits += by_meaning
            facts = np.asarray(reading.facts, dtype=np.float32)
            logits += facts @ self.weights[lean.facts_at:lean.facts_at + len(facts)]
            out[row] = 1.0 / (1.0 + np.exp(-logits))
        return out

    def _customer_terms(self, lean: _LeanSpace, customer: str) -> tuple[np.ndarray, np.ndarray]:
        """The customer message's two parts of the logits (its words, its meaning), each added where
        `score` always added it, so the sums are the same to the bit. Kept per message: the customer's
        messages are the scenario's lines, said again in every session of it."""
        import numpy as np

        from bot.assessment.embedding import embed
        from bot.assessment.features import tidy

        kept = lean.customer_terms.get(customer)
        if kept is None:
            rows, values = lean.customer_words.weights_of(tidy(customer))
            by_words = 0.5 * (values @ self.weights[rows]) if len(rows) else np.zeros(len(self.marks))
            meaning = embed([customer])[0]
            by_meaning = 0.5 * (meaning @ self.weights[lean.customer_at:lean.customer_at + len(meaning)])
            if len(lean.customer_terms) >= CUSTOMER_MESSAGES_KEPT:
                lean.customer_terms.clear()
            kept = lean.customer_terms[customer] = (by_words, by_meaning)
        return kept

    def word_scores(self, texts: list[str], marks: list[str]) -> np.ndarray:
        """How strongly each text's own words and characters point to each mark: the n-gram part of
        the logit, without the embedding or the reply's facts, which sentences of one reply share.
        Cheap enough to rank every sentence of a long reply when choosing evidence."""
        import numpy as np

        from bot.assessment.features import with_negation

        lean = self._lean()
        columns = self.weights[:, [self.marks.index(m) for m in marks]]
        out = np.zeros((len(texts), len(marks)))
        # every text's n-grams in one pass per block, summed per text: no numpy call per sentence
        for block, words in ((lean.words, [with_negation(t) for t in texts]), (lean.chars, texts)):
            text, rows, values = block.weights_of_each(words)
            contributions = values[:, None] * columns[rows]
            for j in range(len(marks)):
                out[:, j] += np.bincount(text, weights=contributions[:, j], minlength=len(texts))
        return out

    def _lean(self) -> _LeanSpace:
        lean = self.__dict__.get("_lean_space")
        if lean is None:
            lean = self.__dict__["_lean_space"] = _LeanSpace.of(self.space)
        return lean

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_lean_space"}

    def save(self, path: Path = MODEL_PATH) -> None:
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)

    @staticmethod
    def load(path: Path = MODEL_PATH) -> MarkModel:
        import joblib

        model = joblib.load(path)
        if not isinstance(model, MarkModel) or tuple(model.marks) != REPLY_MARKS:
            raise ValueError(f"{path} is not a reply-mark model for these marks; run: ./composure train-assessor")
        return model


@dataclass(frozen=True)
class TfidfBlock:
    """One fitted TF-IDF vectorizer reduced to what scoring needs, at a row offset of the weights.

    Also the persona's sentence matcher's way to vectorise one sentence (bot.roleplay.understanding)."""

    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int
    sublinear: bool
    per_word: bool  # char_wb n-grams never cross a word boundary, so a word's grams can be kept
    known: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, vectorizer: Vectoriser, offset: int) -> TfidfBlock:
        return cls(vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_,
                   offset, vectorizer.sublinear_tf, vectorizer.analyzer == "char_wb")

    def _grams_of(self, word: str) -> tuple[int, ...]:
        """A word's known n-grams as vocabulary columns, computed once per word: learners reuse
        words, so a long reply costs its distinct words, not its characters."""
        grams = self.known.get(word)
        if grams is None:
            if len(self.known) > 200_000:
                self.known.clear()
            vocabulary = self.vocabulary
            grams = self.known[word] = tuple(j for g in self.analyzer(word) if (j := vocabulary.get(g)) is not None)
        return grams

    def _counts(self, text: str) -> dict[int, int]:
        if self.per_word:
            words = text.split()
            by_word = Counter(words)
            if len(by_word) * 2 > len(words):  # mostly distinct words: C's counting of every n-gram is quicker
                columns: list[int] = []
                for word, times in by_word.items():
                    columns.extend(self._grams_of(word) * times)
                return Counter(columns)
            counts: dict[int, int] = {}  # each repeated word's n-grams counted once, times its count
            for word, times in by_word.items():
                for column in self._grams_of(word):
                    counts[column] = counts.get(column, 0) + times
            return counts
        vocabulary = self.vocabulary
        return Counter(j for g in self.analyzer(text) if (j := vocabulary.get(g)) is not None)

    def weights_of(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Weight rows and TF-IDF values (l2-normalised) of the text's known n-grams."""
        import numpy as np

        counts = self._counts(text)
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            tf = 1.0 + np.log(tf)
        values = tf * self.idf[idx]
        values /= np.linalg.norm(values)
        return idx + self.offset, values

    def weights_of_each(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`weights_of` for many texts in one set of array operations, not a set per text: which
        text, weight row and value of each known n-gram (texts with none have no entries)."""
        import numpy as np

        counts = [self._counts(text) for text in texts]
        sizes = [len(c) for c in counts]
        total = sum(sizes)
        idx = np.fromiter(chain.from_iterable(counts), dtype=np.int64, count=total)
        tf = np.fromiter(chain.from_iterable(c.values() for c in counts), dtype=np.float64, count=total)
        if self.sublinear:
            tf = 1.0 + np.log(tf)
        which = np.repeat(np.arange(len(texts)), sizes)
        values = tf * self.idf[idx]
        norms = np.sqrt(np.bincount(which, weights=values * values, minlength=len(texts)))
        return which, idx + self.offset, values / norms[which]


@dataclass(frozen=True)
class _LeanSpace:
    words: TfidfBlock
    chars: TfidfBlock
    customer_words: TfidfBlock
    reply_at: int
    customer_at: int
    facts_at: int
    customer_terms: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, space: FeatureSpace) -> _LeanSpace:
        from bot.assessment.embedding import DIMENSIONS

        words = TfidfBlock.of(space.words, 0)
        chars = TfidfBlock.of(space.chars, len(words.vocabulary))
        reply_at = chars.offset + len(chars.vocabulary)
        customer_at = reply_at + DIMENSIONS
        customer_words = TfidfBlock.of(space.customer_words, customer_at + DIMENSIONS)
        facts_at = customer_words.offset + len(customer_words.vocabulary)
        return cls(words, chars, customer_words, reply_at, customer_at, facts_at)


@cache
def shipped_model() -> MarkModel | None:
    """The committed model, loaded once; None when no model has been trained yet."""
    return MarkModel.load() if MODEL_PATH.exists() else None
