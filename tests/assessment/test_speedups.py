"""Speed-ups that must not change a single mark: the tokenizer split at word starts, each distinct
sentence of a long reply scored once when choosing evidence, and all of them weighed in one pass."""

from __future__ import annotations

import random
from collections import Counter
from importlib.resources import files

import numpy as np
from tokenizers import Tokenizer

from bot.assessment.classifier import shipped_model
from bot.assessment.embedding import _TOKENIZER, _model, embed
from bot.assessment.features import Example, read, tidy, with_negation
from bot.assessment.marking import _evidence, _sentence_spans, decide
from bot.assessment.training import load_corpus

ODD = ["", " ", "  two  spaces  ", "tab\there\nand a new line", "<s> special </s> <unk>", "émoji 😀 ünïcode ™ ½",
       "▁already▁metaspace▁▁twice", "a" * 5000, "   leading and trailing   ", "£25.50, £1,240 and 200 quid!!"]


def test_the_split_tokenizer_gives_the_ids_of_the_shipped_one():
    shipped = Tokenizer.from_file(str(files("wordllama").joinpath(_TOKENIZER)))
    split = _model().tokenizer
    rows = load_corpus()
    texts = [t for r in rows for t in (r.example.reply, r.example.customer)] + ODD
    texts.append(" ".join(r.example.reply for r in rows[:60]))  # a long reply
    differ = [t for t in texts if split.encode(t, add_special_tokens=False).ids
              != shipped.encode(t, add_special_tokens=False).ids]
    assert not differ, f"{len(differ)} texts tokenised differently, e.g. {differ[0]!r}"
    assert embed(ODD).shape == (len(ODD), 256)


def test_the_embedding_is_the_models_own_bit_for_bit():
    model = _model()
    rows = load_corpus()
    texts = [t for r in rows for t in (r.example.reply, r.example.customer)] + ODD
    texts.append(" ".join(r.example.reply for r in rows[:60]))
    by_the_model = model.embed([t if t.strip() else "." for t in texts])
    norms = np.linalg.norm(by_the_model, axis=1, keepdims=True)
    want = np.divide(by_the_model, norms, out=np.zeros_like(by_the_model), where=norms > 0)
    want[[not t.strip() for t in texts]] = 0.0
    got = embed(texts)
    differ = [t for t, a, b in zip(texts, got, want, strict=True) if not np.array_equal(a, b)]
    assert not differ, f"{len(differ)} texts embedded differently, e.g. {differ[0]!r}"
    assert np.array_equal(embed(texts[:1]), want[:1])  # one at a time as in a batch
    assert embed([]).shape == (0, 256)


def _evidence_sentence_by_sentence(model, example: Example, marks: set[str], reading) -> dict[str, str]:
    """The evidence as it was chosen before: every sentence scored, repeated or not."""
    evidence = {m: reading.rules.evidence[m] for m in marks if m in reading.rules.evidence}
    missing = [m for m in marks if m not in evidence]
    spans = _sentence_spans(example.reply)
    if not missing or len(spans) <= 1:
        return _evidence(model, example, marks, reading)
    parts = [example.reply[s:e] for s, e in spans]
    scores = model.word_scores([tidy(p) for p in parts], missing)
    return {**evidence, **{m: parts[int(scores[:, j].argmax())].strip()[:240] for j, m in enumerate(missing)}}


def test_long_replies_with_repeated_sentences_get_the_same_evidence():
    model = shipped_model()
    rows = load_corpus()
    rng = random.Random(3)
    checked = 0
    for _ in range(40):
        picked = [rng.choice(rows).example.reply for _ in range(rng.randint(2, 6))]
        reply = " ".join(rng.choice(picked) for _ in range(rng.randint(6, 30)))
        example = Example(reply, rows[0].example.customer, rows[0].example.context)
        reading = read(example)
        marks = decide(model, model.score([example], [reading])[0], reading)
        want = _evidence_sentence_by_sentence(model, example, marks, reading)
        assert _evidence(model, example, marks, reading) == want
        checked += len(want)
    assert checked > 40
    assert np.isfinite(model.word_scores(["a"], ["apology"])).all()


def _plain_weights(block, text: str) -> tuple[np.ndarray, np.ndarray]:
    """TF-IDF rows and values as first written: a Counter of every known n-gram, in the order met."""
    grams = [g for word in text.split() for g in block.analyzer(word)] if block.per_word else block.analyzer(text)
    counts = Counter(j for g in grams if (j := block.vocabulary.get(g)) is not None)
    if not counts:
        return np.empty(0, dtype=np.int64), np.empty(0)
    idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    tf = 1.0 + np.log(tf) if block.sublinear else tf
    values = tf * block.idf[idx]
    values /= np.linalg.norm(values)
    return idx + block.offset, values


def _texts() -> list[str]:
    rows = load_corpus()
    replies = [tidy(r.example.reply) for r in rows[:400]]
    repeated = " ".join(replies[:3] * 40)  # mostly repeated words: counted word by word, not n-gram by n-gram
    return [*replies, *(tidy(t) for t in ODD), " ".join(replies[:80]), "ok ok ok. ok!", repeated]


def test_the_counted_ngrams_are_a_plain_counts_to_the_last_bit():
    lean = shipped_model()._lean()
    for block, prepare in ((lean.words, with_negation), (lean.chars, str)):
        for text in _texts():
            want_rows, want_values = _plain_weights(block, prepare(text))
            rows, values = block.weights_of(prepare(text))
            assert np.array_equal(rows, want_rows), text
            assert np.array_equal(values, want_values), text  # same order of summing: the same bits


def test_many_texts_at_once_weigh_as_each_alone():
    lean = shipped_model()._lean()
    texts = _texts()
    for block, prepare in ((lean.words, with_negation), (lean.chars, str)):
        which, rows, values = block.weights_of_each([prepare(t) for t in texts])
        for i, text in enumerate(texts):
            want_rows, want_values = block.weights_of(prepare(text))
            mine = dict(zip(rows[which == i].tolist(), values[which == i], strict=True))
            assert sorted(mine) == sorted(want_rows.tolist()), text
            assert np.allclose([mine[r] for r in want_rows.tolist()], want_values, rtol=1e-12, atol=0), text
