"""The text helpers the rules quote from: same-length normalising, sentences, amounts, content words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.assessment.text import MAX_CHARS, amount_spans, content_words, normalise, read_amounts, sentence_at, sentences


def test_normalise_keeps_one_character_for_one():
    raw = "I\u2019m \u201cSORRY\u201d \u2014 it\u2019s `fixed`\u00a0now\u200b\tok\r\nyes"
    norm = normalise(raw)
    assert norm == "i'm \"sorry\" - it's 'fixed' now  ok  yes"
    assert len(norm) == len(raw)


def test_normalise_keeps_a_character_whose_lower_case_is_longer():
    # "İ".lower() is two characters; it stays as it is so positions still match the original
    raw = "İstanbul OFFICE"
    assert normalise(raw) == "İstanbul office"


def test_normalise_blanks_what_cannot_be_printed_and_caps_the_length():
    assert normalise("ok\x00\x07done") == "ok  done"
    assert len(normalise("a" * (MAX_CHARS + 10))) == MAX_CHARS


def test_sentences_split_on_stops_and_skip_leading_spaces():
    norm = normalise("Hi there.  What happened?! OK; fine")
    assert [norm[s:e] for s, e in sentences(norm)] == ["hi there.", "what happened?!", "ok;", "fine"]


def test_sentence_at_finds_the_sentence_or_the_whole_text():
    norm = normalise("Hi there. What happened?")
    assert sentence_at(norm, 0) == (0, 9)
    assert sentence_at(norm, 8) == (0, 9)
    assert sentence_at(norm, 10) == (10, 24)
    assert sentence_at(norm, 23) == (10, 24)
    assert sentence_at(norm, 9) == (0, 24)  # the space between sentences belongs to none
    assert sentence_at(norm, 99) == (0, 24)


@pytest.mark.parametrize(("text", "spans"), [
    ("£25.5 back", [(0, 5, Decimal("25.50"))]),
    ("a £ 7.05 fee", [(2, 8, Decimal("7.05"))]),
    ("£1,000 or 30 quid", [(0, 6, Decimal(1000)), (10, 17, Decimal(30))]),
    ("5 GBP and 2 pound", [(0, 5, Decimal(5)), (10, 17, Decimal(2))]),
    ("£12.345", [(0, 6, Decimal("12.34"))]),
    ("30 pounds, 40 pence, 50", [(0, 9, Decimal(30))]),
])
def test_amount_spans(text: str, spans: list[tuple[int, int, Decimal]]) -> None:
    assert amount_spans(text) == spans
    assert read_amounts(text) == tuple(value for _, _, value in spans)


def test_content_words_drop_short_and_stop_words():
    norm = normalise("The kettle broke and I'm really upset, it cost £30 to fix, my TV too")
    assert content_words(norm) == {"kettle", "broke", "upset", "cost", "£30", "fix"}
