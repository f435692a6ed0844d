"""The prefilter may skip a family's search only when the search would fail: no mark can change."""

from __future__ import annotations

import random
import re

import pytest

from bot.assessment import patterns as p
from bot.assessment import replies
from bot.assessment.prefilter import Haystack, needles
from bot.assessment.text import normalise
from bot.assessment.training import load_corpus

FAMILIES = {name: value for name, value in vars(p).items() if isinstance(value, re.Pattern)}
LONG = ("I'm really sorry about the delay, I can see how frustrating this has been for you. "
        "I'll rebook the delivery for Saturday morning and log a complaint. ") * 27


def _long_replies() -> list[str]:
    """Corpus replies joined into long ones, with no spaces or with new lines between some."""
    rows = load_corpus()
    rng = random.Random(5)
    out = []
    for _ in range(60):
        picked = [rng.choice(rows).example.reply for _ in range(rng.randrange(20, 60))]
        out.append(rng.choice([" ", ".", "\n", "; "]).join(picked))
    return out


@pytest.mark.parametrize(("pattern", "text", "can"), [
    (r"\bcalm down\b", "please calm down now", True),
    (r"\bcalm down\b", "calm, and down we go", False),
    (r"\b(?:end|close) (?:the|this) (?:call|chat)\b", "i will close this chat", True),
    (r"\b(?:end|close) (?:the|this) (?:call|chat)\b", "the end of the call", False),
    (r"\bi(?:'?ll| will) (?:refund|credit)", "ill refund it", True),
    (r"\bi(?:'?ll| will) (?:refund|credit)", "i'll send a refund", False),
    (r"\bx+yz", "xxxyz", True),  # a repeat: the needle is what must follow it
    (r"(?i)calm down", "CALM DOWN", True),  # a flag: its needles are not read, so it is always searched
])
def test_a_family_is_ruled_out_only_when_it_cannot_match(pattern: str, text: str, can: bool) -> None:
    compiled = re.compile(pattern)
    assert Haystack(text).may_match(compiled) is can
    assert (compiled.search(text) is not None) is can


def test_every_match_holds_a_needle_and_no_skipped_search_would_have_found_one():
    texts = [normalise(t) for t in [r.example.reply for r in load_corpus()] + _long_replies() + [LONG]]
    skipped = 0
    for text in texts:
        haystack = Haystack(text)
        for name, family in FAMILIES.items():
            found = needles(family)
            assert found, f"{name}: no needles read, so it would always be searched"
            for match in family.finditer(text):
                # a match of a zero-width or lookaround-bounded part still contains the needle itself
                assert any(n in text[match.start():match.end()] for n in found), (name, match.group(0))
            if not haystack.may_match(family):
                skipped += 1
                assert family.search(text) is None, (name, text[:80])
    assert skipped > len(texts) * 5  # and it does skip: most families are absent from most replies


def test_long_replies_get_the_same_reading_with_and_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [*_long_replies(), LONG, LONG.upper(), LONG.replace("'", "\u2019")]
    assert all(len(t) >= replies.PREFILTER_FROM for t in texts)
    filtered = [replies.rule_assessment(t, "You lot are useless!") for t in texts]
    monkeypatch.setattr(replies, "PREFILTER_FROM", 10**9)
    assert [replies.rule_assessment(t, "You lot are useless!") for t in texts] == filtered


def test_a_long_reply_with_few_moves_skips_most_families():
    haystack = Haystack(normalise(LONG))
    ruled_out = [name for name, family in FAMILIES.items() if not haystack.may_match(family)]
    assert len(ruled_out) >= len(FAMILIES) // 2, ruled_out
