"""How phrase families are compiled: parts that start at a word share one boundary, nothing else changes."""

from __future__ import annotations

import pytest

from bot.assessment.patterns import _has_top_level_bar, rx


@pytest.mark.parametrize(("pattern", "bar"), [
    ("a|b", True), ("(a)|b", True), ("[a]|b", True),
    ("a(?:b|c)", False), ("[|]", False), (r"\|", False), (r"[\]|]", False), ("abc", False),
    (r"\||b", True),  # an escape hides one character, not two
    ("[a|b]", False), ("[ab]|c", True),  # a class ends at its "]" and not before
    ("((a))|b", True), ("((a)|b)", False),  # groups nest
])
def test_a_bar_at_the_top_level(pattern: str, bar: bool) -> None:
    assert _has_top_level_bar(pattern) is bar


def test_parts_at_a_word_boundary_share_it_and_keep_their_order():
    assert rx(r"\bab", r"\bcd").pattern == r"\b(?:(?:ab)|(?:cd))"
    assert rx("x", r"\by", r"\bz", "w").pattern == r"(?:x)|\b(?:(?:y)|(?:z))|(?:w)"


def test_a_part_with_its_own_alternatives_keeps_its_boundary_to_itself():
    """`\\ba|b` binds the boundary to `a` alone, so it must not be folded into a shared one."""
    pattern = rx(r"\ba|b", r"\bc")
    assert pattern.pattern == r"(?:\ba|b)|\b(?:(?:c))"
    assert pattern.search("xb") and not pattern.search("xc")


def test_apostrophes_are_optional():
    pattern = rx(r"\bi'm sorry\b")
    assert pattern.search("im sorry") and pattern.search("i'm sorry")
