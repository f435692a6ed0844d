r"""A cheap test that a phrase family cannot match a long reply, to skip its regular-expression search.

A family is a long alternation, and Python's matcher tries every alternative at every word of a
reply, so searching 4,000 characters that hold none of them costs up to a millisecond a family.
Every match of a family contains at least one of a few plain strings (its "needles"), read from
the pattern by the standard library's own parser: "calm down" for `\bcalm down\b`, one of "call",
"chat", "conversation" for `(?:end|close) (?:the|this) (?:call|chat|conversation)`. A needle can be
in a text only if each of its three-letter pieces is, so a reply's pieces are collected once and a
family none of whose needles can be there is not searched: the search would fail. Otherwise it runs
as before, so no mark changes; a pattern whose needles cannot be read is always searched.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from functools import cache
from typing import cast

# the standard library's own parser of patterns (the one `re.compile` uses; `sre_parse` before 3.11)
_PARSER = importlib.import_module("re._parser")

Needles = frozenset[str]
_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")  # consume nothing: literals either side stay adjacent
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
_MOST = 64  # a finite set of strings larger than this is not spelled out
_EMPTY: Needles = frozenset([""])


def _best(candidates: Iterable[Needles]) -> Needles | None:
    """The cheapest selective set: needles of four characters or more, then the fewest needles."""
    return max(candidates, key=lambda s: (min(4, *map(len, s)), -len(s)), default=None)


def _pairs(items: object) -> Iterable[tuple[str, object]]:
    """(opcode name, argument) of a parsed sequence (its list, as indexing a SubPattern is slow)."""
    return ((str(op), av) for op, av in cast(Iterable[tuple[object, object]], getattr(items, "data", items)))


def _plain_group(op: str, av: object) -> object | None:
    """The inside of a group that sets no flags (a flag such as (?i) changes what its letters match)."""
    if op != "SUBPATTERN":
        return None
    _group, add_flags, del_flags, inner = cast(tuple[object, int, int, object], av)
    return None if add_flags or del_flags else inner


def _product(parts: list[Needles]) -> set[str] | None:
    strings = {""}
    for part in parts:
        strings = {a + b for a in strings for b in part}
        if len(strings) > _MOST:
            return None
    return strings


class _Reading:
    """One pattern's parse, read once per sub-sequence (groups nest, and each is asked twice)."""

    def __init__(self) -> None:
        self.done: dict[int, tuple[Needles | None, Needles | None]] = {}
        self.keep: list[object] = []  # the parsed sequences whose ids key `done`

    def exactly(self, op: str, av: object) -> Needles | None:
        """Every string one item matches, when they are few ("'?" -> "", "'"; "[*u]" -> "*", "u")."""
        if op == "LITERAL":
            return frozenset([chr(cast(int, av))])
        if op in _ZERO_WIDTH:
            return _EMPTY
        if op == "IN":
            members = cast(list[tuple[object, int]], av)
            if len(members) <= 8 and all(str(kind) == "LITERAL" for kind, _ in members):
                return frozenset(chr(code) for _, code in members)
        if (inner := _plain_group(op, av)) is not None:
            return self.sequence(inner)[0]
        if op == "BRANCH":
            alternatives = [self.sequence(alt)[0] for alt in cast(tuple[None, list[object]], av)[1]]
            if all(alternatives) and sum(len(a) for a in alternatives if a) <= _MOST:
                return frozenset(s for a in alternatives if a for s in a)
        if op in _REPEATS:
            low, high, repeated = cast(tuple[int, int, object], av)
            once = self.sequence(repeated)[0] if high <= 2 else None  # "x?", "x{1,2}"; not "x*", "x+"
            if once is not None:
                strings = {""} if low == 0 else set()
                for times in range(max(low, 1), high + 1):
                    strings |= _product([once] * times) or set()
                return frozenset(strings) if len(strings) <= _MOST else None
        return None

    def needles_of(self, op: str, av: object) -> Needles | None:
        """Strings one of which every match of an item contains (for items with no exact strings)."""
        if (inner := _plain_group(op, av)) is not None:
            return self.sequence(inner)[1]
        if op == "BRANCH":
            branches = [self.sequence(alt)[1] for alt in cast(tuple[None, list[object]], av)[1]]
            return frozenset(s for b in branches if b for s in b) if all(branches) else None
        if op in _REPEATS:
            low, _high, repeated = cast(tuple[int, int, object], av)
            return self.sequence(repeated)[1] if low >= 1 else None
        if op == "ATOMIC_GROUP":
            return self.sequence(av)[1]
        return None

    def sequence(self, items: object) -> tuple[Needles | None, Needles | None]:
        """A parsed sequence's exact strings (when few) and its needles (None: unknown)."""
        known = self.done.get(id(items))
        if known is None:
            self.keep.append(items)
            known = self.done[id(items)] = self._sequence(items)
        return known

    def _sequence(self, items: object) -> tuple[Needles | None, Needles | None]:
        candidates: list[Needles] = []
        run: Needles = _EMPTY  # the exact strings of the items since the last one that has none
        whole = True  # the run is still all of the sequence
        for op, av in _pairs(items):
            exact = self.exactly(op, av)
            joined = _product([run, exact]) if exact is not None else None
            if joined is not None:
                run = frozenset(joined)
                continue
            whole = False
            if "" not in run:
                candidates.append(run)
            run = exact if exact is not None else _EMPTY
            found = self.needles_of(op, av) if exact is None else None
            if found and "" not in found:
                candidates.append(found)
        if "" not in run:
            candidates.append(run)
        return (run if whole else None), _best(candidates)


@cache
def needles(pattern: re.Pattern[str]) -> Needles | None:
    """The pattern's needles (see the module's docstring); None when it must always be searched."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    try:
        return _Reading().sequence(_PARSER.parse(pattern.pattern, pattern.flags))[1]
    except Exception:  # an unexpected shape of the parser's output: search it, never skip it
        return None


# English letters from the most to the least common: a needle is keyed by its rarest piece
_COMMON = " etaoinshrdlcumwfgypbvkjxqz"


Piece = tuple[str, str, str]


def _pieces(text: str) -> frozenset[Piece]:
    """The text's three-letter pieces."""
    return frozenset(zip(text, text[1:], text[2:], strict=False))


def _rarity(piece: str) -> int:
    return sum(_COMMON.find(ch) if ch in _COMMON else len(_COMMON) for ch in piece)


def _key(needle: str) -> Piece:
    """The needle's rarest three-letter piece."""
    return max(_pieces(needle), key=lambda piece: _rarity("".join(piece)))


# the key pieces, and for each, the pieces of every needle it keys
Keyed = tuple[frozenset[Piece], dict[Piece, tuple[frozenset[Piece], ...]]]

# by the pattern's id, kept alive beside it: hashing a compiled pattern hashes all of its code
_KEYED: dict[int, tuple[re.Pattern[str], Keyed | None]] = {}


def _keyed(pattern: re.Pattern[str]) -> Keyed | None:
    """The needles by their key piece. None: search always (the pattern's needles are unknown, or
    one is shorter than three letters and so has no piece)."""
    known = _KEYED.get(id(pattern))
    if known is None:
        found = needles(pattern)
        keyed: dict[Piece, list[frozenset[Piece]]] = {}
        if found is not None and min(map(len, found)) >= 3:
            for needle in sorted(found):
                keyed.setdefault(_key(needle), []).append(_pieces(needle))
        arranged = (frozenset(keyed), {k: tuple(v) for k, v in keyed.items()}) if keyed else None
        known = _KEYED[id(pattern)] = (pattern, arranged)
    return known[1]


class Haystack:
    """A text to test many patterns against. Its three-letter pieces are collected once; a needle can
    be in the text only if all of its pieces are, which is tested for the needles whose rarest piece is."""

    def __init__(self, text: str) -> None:
        self.pieces = _pieces(text)

    def may_match(self, pattern: re.Pattern[str]) -> bool:
        """False only when the pattern cannot match anywhere in the text (nor in any part of it)."""
        keyed = _keyed(pattern)
        if keyed is None:
            return True
        keys, by_key = keyed
        pieces = self.pieces
        return any(grams <= pieces for key in keys & pieces for grams in by_key[key])

