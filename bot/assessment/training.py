"""Train the reply classifier from the committed corpus: `python -m bot train-assessor`.

Deterministic (fixed seeds, fixed folds): the same corpus gives the same model file, which a
test checks. Decision thresholds are tuned per mark on out-of-fold predictions where whole
businesses are held out, so they reward what carries over to a business never seen.
The development set (../shared/eval/replies-dev.jsonl) is never read here.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from bot.assessment.classifier import MODEL_PATH, MarkModel
from bot.assessment.features import Example, Reading, read
from bot.assessment.marking import decide
from bot.assessment.marks import REPLY_MARKS
from bot.assessment.replies import ReplyContext

if TYPE_CHECKING:
    import numpy as np

CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "training"
FIELDS = {"id", "business", "context", "authority_limit_gbp", "goodwill_gbp", "customer_abusive", "customer",
          "reply", "marks"}
THRESHOLD_FOLDS = 5


class CorpusError(ValueError):
    """A corpus line that cannot be used, named by file and line."""


@dataclass(frozen=True)
class Labelled:
    """One training example with the marks its author gave it."""

    example: Example
    marks: frozenset[str]
    business: str
    source: str  # the file it came from: one writer


def _money(value: object) -> Decimal:
    """Null means no money at all may be offered, as in the assess command's contract."""
    return Decimal(0) if value is None else Decimal(str(value))


def load_corpus(directory: Path = CORPUS_DIR) -> list[Labelled]:
    """Every labelled reply under `directory`, checked field by field."""
    rows: list[Labelled] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: not JSON ({exc.msg})") from None
            if set(row) != FIELDS:
                raise CorpusError(f"{where}: fields must be {sorted(FIELDS)}, got {sorted(row)}")
            unknown = set(row["marks"]) - set(REPLY_MARKS)
            if unknown:
                raise CorpusError(f"{where}: unknown marks {sorted(unknown)}")
            if row["id"] in seen:
                raise CorpusError(f"{where}: duplicate id {row['id']}")
            seen.add(row["id"])
            context = ReplyContext(authority_limit=_money(row["authority_limit_gbp"]),
                                   goodwill_limit=_money(row["goodwill_gbp"]),
                                   customer_abusive=bool(row["customer_abusive"]))
            rows.append(Labelled(Example(row["reply"], row["customer"], context), frozenset(row["marks"]),
                                 row["business"], path.stem))
    if not rows:
        raise CorpusError(f"no labelled replies in {directory}")
    return rows


@dataclass
class Prepared:
    """The corpus read once: rule readings and embeddings, shared by every fold."""

    rows: list[Labelled]
    readings: list[Reading]
    reply_vectors: np.ndarray
    customer_vectors: np.ndarray

    @classmethod
    def of(cls, rows: list[Labelled]) -> Prepared:
        from bot.assessment.embedding import embed

        examples = [r.example for r in rows]
        return cls(rows, [read(e) for e in examples], embed([e.reply for e in examples]),
                   embed([e.customer for e in examples]))

    def fit(self, index: list[int], thresholds: np.ndarray | None = None) -> MarkModel:
        return MarkModel.fit([self.rows[i].example for i in index], [set(self.rows[i].marks) for i in index],
                             [self.readings[i] for i in index],
                             (self.reply_vectors[index], self.customer_vectors[index]), thresholds)

    def probabilities(self, model: MarkModel, index: list[int]) -> np.ndarray:
        x = model.space.transform([self.rows[i].example for i in index], [self.readings[i] for i in index],
                                  self.reply_vectors[index], self.customer_vectors[index])
        return model.probabilities(x)


def _folds(rows: list[Labelled], k: int) -> list[list[int]]:
    """Whole businesses per fold, biggest first onto the smallest fold: the same folds every run."""
    sizes = Counter(r.business for r in rows)
    folds: list[list[str]] = [[] for _ in range(k)]
    load = [0] * k
    for business, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        j = load.index(min(load))
        folds[j].append(business)
        load[j] += size
    return [[i for i, r in enumerate(rows) if r.business in set(f)] for f in folds]


def _best_threshold(probs: np.ndarray, truth: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for cut in [x / 100 for x in range(20, 91, 2)]:
        pred = probs >= cut
        tp = int((pred & truth).sum())
        f1 = 2 * tp / (int(pred.sum()) + int(truth.sum())) if pred.sum() + truth.sum() else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = cut, f1
    return best


def tune_thresholds(prepared: Prepared) -> np.ndarray:
    """Per mark, the cut that maximises F1 on predictions for businesses held out of training."""
    import numpy as np

    n = len(prepared.rows)
    oof = np.zeros((n, len(REPLY_MARKS)))
    for test in _folds(prepared.rows, THRESHOLD_FOLDS):
        held = set(test)
        model = prepared.fit([i for i in range(n) if i not in held])
        oof[test] = prepared.probabilities(model, test)
    truth = np.array([[m in r.marks for m in REPLY_MARKS] for r in prepared.rows])
    return np.array([_best_threshold(oof[:, j], truth[:, j]) for j in range(len(REPLY_MARKS))], dtype=np.float32)


def train(directory: Path = CORPUS_DIR) -> MarkModel:
    """The model the committed corpus gives: thresholds tuned, then fitted on everything."""
    prepared = Prepared.of(load_corpus(directory))
    thresholds = tune_thresholds(prepared)
    return prepared.fit(list(range(len(prepared.rows))), thresholds)


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 per mark, as the evaluation prints them."""

    table: dict[str, tuple[float, float, float, int]]  # mark: precision, recall, F1, positives

    @property
    def macro_f1(self) -> float:
        return sum(f for _, _, f, _ in self.table.values()) / len(self.table)

    def render(self) -> str:
        lines = [f"{'mark':16} {'P':>5} {'R':>5} {'F1':>5} {'n':>5}"]
        lines += [f"{m:16} {p:5.2f} {r:5.2f} {f:5.2f} {n:5d}" for m, (p, r, f, n) in self.table.items()]
        return "\n".join([*lines, f"macro-F1 {self.macro_f1:.3f}"])


def score(predicted: list[set[str]], truth: list[frozenset[str]] | list[set[str]]) -> Scores:
    """Per-mark precision, recall and F1 of predicted mark sets against the true ones."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for got, want in zip(predicted, truth, strict=True):
        tp.update(got & want)
        fp.update(got - want)
        fn.update(want - got)
    table = {}
    for m in REPLY_MARKS:
        p = tp[m] / (tp[m] + fp[m]) if tp[m] + fp[m] else 0.0
        r = tp[m] / (tp[m] + fn[m]) if tp[m] + fn[m] else 0.0
        table[m] = (p, r, 2 * p * r / (p + r) if p + r else 0.0, tp[m] + fn[m])
    return Scores(table)


def leave_one_business_out(prepared: Prepared, thresholds: np.ndarray) -> tuple[Scores, dict[str, float]]:
    """Train without each business in turn and mark its replies: pooled scores, and macro-F1 per business."""
    n = len(prepared.rows)
    predicted: list[set[str]] = [set() for _ in range(n)]
    businesses = sorted({r.business for r in prepared.rows})
    for business in businesses:
        test = [i for i, r in enumerate(prepared.rows) if r.business == business]
        model = prepared.fit([i for i, r in enumerate(prepared.rows) if r.business != business], thresholds)
        for i, probs in zip(test, prepared.probabilities(model, test), strict=True):
            predicted[i] = decide(model, probs, prepared.readings[i])
    per_business = {}
    for business in businesses:
        idx = [i for i, r in enumerate(prepared.rows) if r.business == business]
        per_business[business] = score([predicted[i] for i in idx], [prepared.rows[i].marks for i in idx]).macro_f1
    return score(predicted, [r.marks for r in prepared.rows]), per_business


def main(out: Path = MODEL_PATH, directory: Path = CORPUS_DIR, evaluate: bool = False) -> int:
    """Train, write the model file, and with `evaluate` print the leave-one-business-out table."""
    rows = load_corpus(directory)
    prepared = Prepared.of(rows)
    thresholds = tune_thresholds(prepared)
    model = prepared.fit(list(range(len(rows))), thresholds)
    model.save(out)
    counts = Counter(m for r in rows for m in r.marks)
    print(f"trained on {len(rows)} replies from {len({r.business for r in rows})} businesses "
          f"({len({r.source for r in rows})} writers); wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    print("positives: " + ", ".join(f"{m} {counts[m]}" for m in REPLY_MARKS))
    print("thresholds: " + ", ".join(f"{m} {t:.2f}" for m, t in zip(REPLY_MARKS, thresholds, strict=True)))
    if evaluate:
        pooled, per_business = leave_one_business_out(prepared, thresholds)
        print("\nleave-one-business-out (pooled over every held-out business):")
        print(pooled.render())
        print("\nmacro-F1 per held-out business:")
        for business, f1 in sorted(per_business.items(), key=lambda kv: kv[1]):
            print(f"  {f1:.3f}  {business}")
    return 0
