"""Text helpers for the assessment: a same-length normalised copy, sentences, money amounts."""

from __future__ import annotations

import bisect
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

MAX_CHARS = 5000  # enough for any real reply; keeps matching linear and bounded

_ONE_FOR_ONE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u200b": " ", "\u200c": " ", "\u200d": " ", "\u2060": " ", "\ufeff": " ",
    "\t": " ", "\r": " ", "\n": " ",
})


@lru_cache(maxsize=256)
def normalise(text: str) -> str:
    """Lower-case with curly quotes, dashes and invisible spaces made plain, one character for one.

    Keeping the length lets a match on the normalised copy be quoted from the original text.
    Cached: the rules, the features and the evidence all read the same reply.
    """
    text = text[:MAX_CHARS]
    out = text.translate(_ONE_FOR_ONE)
    lowered = out.lower()
    # str.lower can change length for a few characters (e.g. 'İ'); fall back per character then.
    if len(lowered) != len(out):
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in out)
    if lowered.isprintable():
        return lowered
    return "".join(ch if ch.isprintable() or ch == " " else " " for ch in lowered)


_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*")


def sentences(norm: str) -> list[tuple[int, int]]:
    """Spans of the sentences (split on . ! ? ; and new lines) of a normalised text."""
    return list(_sentences(norm))


@lru_cache(maxsize=64)
def _sentences(norm: str) -> tuple[tuple[int, int], ...]:
    """Cached: the rules ask for the sentence around many matches of the same reply."""
    spans = []
    for m in _SENTENCE.finditer(norm):
        start, end = m.start(), m.end()
        while start < end and norm[start] == " ":
            start += 1
        if start < end:
            spans.append((start, end))
    return tuple(spans)


def sentence_at(norm: str, index: int) -> tuple[int, int]:
    """The span of the sentence that holds position `index`."""
    spans = _sentences(norm)
    i = bisect.bisect_right(spans, (index, len(norm) + 1)) - 1
    if i >= 0 and spans[i][0] <= index < spans[i][1]:
        return spans[i]
    return 0, len(norm)


_AMOUNT = re.compile(
    r"£\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?"
    r"|\b(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s?(?:pounds?|quid|gbp)\b",
    re.IGNORECASE,
)


def amount_spans(text: str) -> list[tuple[int, int, Decimal]]:
    """Every money amount: '£25', '£1,240', '£ 25.50', '25 pounds', '200 quid'."""
    found = []
    for m in _AMOUNT.finditer(text[:MAX_CHARS]):
        whole = m.group(1) or m.group(3)
        pence = m.group(2) or m.group(4) or "0"
        try:
            value = Decimal(whole.replace(",", "")) + Decimal(pence.ljust(2, "0")) / 100
        except InvalidOperation:  # pragma: no cover - the regex only admits digits
            continue
        found.append((m.start(), m.end(), value))
    return found


def read_amounts(text: str) -> tuple[Decimal, ...]:
    """All money amounts mentioned in a text, in order."""
    return tuple(value for _, _, value in amount_spans(text))


def content_words(norm: str) -> set[str]:
    """Words that carry meaning (for overlap between a reply and the customer's message)."""
    return {w for w in re.findall(r"[a-z0-9£]+", norm) if len(w) > 2 and w not in _STOP}


_STOP_WORDS = """
the and for you your you're youre are was were has have had this that with not but can cant can't
its it's our out all any now just what when where which who why how did does don't dont i'm im
i've ive i'll ill we're we'll they them their there then than from into onto over about after
before again very really so too also only get got been being will would could should shall may
might must let let's lets yes yeah okay ok right sure is am be do to of in on at by or if as an a
me my mine him her his she he it we us one more most some such own same other each both few any
"""
_STOP = frozenset(_STOP_WORDS.split())
