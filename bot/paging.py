"""Cutting long text into pieces that each fit a length limit, losing nothing.

Chat platforms cap how much one message or box may hold. Clipping there hides the end of a
report from its reader, so long text is cut into several pieces instead: at line breaks where
it can, at spaces inside an over-long line, and mid-word only when a single word is too long.
"""

from __future__ import annotations

from collections.abc import Iterable


def split_line(line: str, limit: int) -> list[str]:
    """One line cut at spaces into pieces of at most `limit` characters (a longer word is cut)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    pieces: list[str] = []
    rest = line
    while len(rest) > limit:
        cut = rest.rfind(" ", 1, limit + 1)
        if cut <= 0:
            pieces.append(rest[:limit])
            rest = rest[limit:]
        else:
            pieces.append(rest[:cut])
            rest = rest[cut + 1:]
    pieces.append(rest)
    return pieces


def pack_lines(lines: Iterable[str], limit: int) -> list[str]:
    """Lines joined with newlines into as few pieces of at most `limit` characters as fit, in order."""
    pieces: list[str] = []
    current: str | None = None
    for line in lines:
        for part in split_line(line, limit):
            if current is None:
                current = part
            elif len(current) + 1 + len(part) <= limit:
                current = f"{current}\n{part}"
            else:
                pieces.append(current)
                current = part
    if current is not None:
        pieces.append(current)
    return pieces


def split_text(text: str, limit: int) -> list[str]:
    """Text cut into pieces of at most `limit` characters, at line breaks where it can."""
    return pack_lines(text.split("\n"), limit) if text else []
