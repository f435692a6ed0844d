"""Snapshot of every mark the assessment gives, to prove a speed change kept them identical.

    .venv/bin/python benchmarks/assess_snapshot.py OUT.json            write a snapshot
    .venv/bin/python benchmarks/assess_snapshot.py OUT.json --against OLD.json   and compare

Reads the training corpus, ../shared/eval (dev and train) and long replies built from the corpus
(4,000 characters of distinct sentences, and of repeated ones). Records each reply's marks,
evidence and offered amounts. Prints the number of replies and of differences.
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
