"""Snapshot of every mark the assessment gives, to prove a speed change kept them identical.

    .venv/bin/python benchmarks/assess_snapshot.py OUT.json            write a snapshot
    .venv/bin/python benchmarks/assess_snapshot.py OUT.json --against OLD.json   and compare

Reads the training corpus, ../shared/eval (dev and train), long replies built from the corpus
(4,000 characters of distinct sentences, and of repeated ones; 1,000, 2,000 and 8,000 of distinct
ones), corpus replies joined oddly (no spaces, new lines, curly quotes, capitals) and a few
degenerate texts. Records each reply's marks, evidence and offered amounts. Prints the number of
replies and of differences.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from bot.assessment import assess_reply
from bot.assessment.replies import ReplyContext
from bot.assessment.training import load_corpus
from bot.content.catalogue import Catalogue
from bot.roleplay.engine import scenario_context

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"


def cases() -> list[tuple[str, str, ReplyContext | None]]:
    """(reply, customer, context) for every reply the snapshot covers, in a fixed order."""
    out: list[tuple[str, str, ReplyContext | None]] = []
    rows = load_corpus()
    out += [(r.example.reply, r.example.customer, r.example.context) for r in rows]
    catalogue = Catalogue.load([ROOT / "scenarios"])
    for name in ("replies-dev.jsonl", "replies-train.jsonl"):
        path = EVAL / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            sc = catalogue.scenarios.get(row.get("scenario"))
            out.append((row["reply"], row["customer"], scenario_context(sc) if sc else None))
    rng = random.Random(9)
    replies = [r.example.reply for r in rows]
    for _ in range(60):  # long replies: distinct corpus sentences joined to about 4,000 characters
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < 4000:
            parts.append(rng.choice(replies))
        ex = rows[rng.randrange(len(rows))].example
        out.append((" ".join(parts)[:4000], ex.customer, ex.context))
    for _ in range(20):  # and one corpus reply repeated
        reply = rng.choice(replies)
        ex = rows[rng.randrange(len(rows))].example
        out.append((((reply + " ") * (4000 // (len(reply) + 1) + 1))[:4000], ex.customer, ex.context))
    more = random.Random(11)
    for length in (1000, 2000, 8000):  # other lengths, 8,000 beyond what the text module reads
        for _ in range(20):
            parts = []
            while sum(len(p) + 1 for p in parts) < length:
                parts.append(more.choice(replies))
            ex = rows[more.randrange(len(rows))].example
            out.append((" ".join(parts)[:length], ex.customer, ex.context))
    for _ in range(40):  # odd writing: no spaces after stops, new lines, curly quotes, shouting, one long sentence
        picked = [more.choice(replies) for _ in range(more.randrange(2, 30))]
        ex = rows[more.randrange(len(rows))].example
        joiner = more.choice([".", "\n", " ; ", "! ", "?", " - ", ", and "])
        text = joiner.join(picked)
        text = text.replace("'", "\u2019") if more.random() < 0.3 else text
        text = text.upper() if more.random() < 0.2 else text
        out.append((text, ex.customer, ex.context))
    ex = rows[0].example
    for text in ("", "   ", "...", "\U0001f621\U0001f621", "ok. " * 1000, "Sorry?" * 700, "I\u0130 " * 900,
                 "£25 £30 £1,240 200 quid. " * 150):
        out.append((text, ex.customer, ex.context))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    got = []
    for reply, customer, context in cases():
        a = assess_reply(reply, customer, context)
        got.append({"marks": list(a.marks), "evidence": a.evidence, "amounts": [str(x) for x in a.offered_amounts]})
    args.out.write_text(json.dumps(got, indent=0), encoding="utf-8")
    print(f"{len(got)} replies assessed")
    if args.against:
        old = json.loads(args.against.read_text(encoding="utf-8"))
        marks = sum(1 for a, b in zip(old, got, strict=True) if a["marks"] != b["marks"])
        other = sum(1 for a, b in zip(old, got, strict=True) if a != b)
        print(f"against {args.against}: {marks} replies with different marks, {other} with any difference")


if __name__ == "__main__":
    main()
