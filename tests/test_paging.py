"""Cutting long text into pieces: every piece fits, and joined back they are the text."""

from __future__ import annotations

import pytest

from bot.paging import pack_lines, split_line, split_text


@pytest.mark.parametrize("limit", [5, 17, 100])
def test_pieces_fit_and_lose_nothing(limit):
    text = "\n".join(f"line {i}: " + "word " * (i * 3) + "x" * i for i in range(30))
    pieces = split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    # only the cut points differ: a newline or the space cut at
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_lines_are_packed_in_order_and_cut_at_line_breaks_first():
    assert pack_lines(["aaa", "bbb", "ccc"], 7) == ["aaa\nbbb", "ccc"]
    assert split_text("", 10) == []


def test_a_long_line_is_cut_at_spaces_and_a_long_word_mid_word():
    assert split_line("the quick brown fox", 10) == ["the quick", "brown fox"]
    assert split_line("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
