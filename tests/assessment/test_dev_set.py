"""Per-mark precision, recall and F1 on the labelled development set (../shared/eval), with a floor.

Run with `-s` to see the table. The held-out set is larger and written independently, so the
floor guards against regressions; it is not a target to tune sentences to.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.assessment import REPLY_MARKS, assess_reply
from bot.roleplay.engine import scenario_context

DEV_SET = Path(__file__).resolve().parents[3] / "shared" / "eval" / "replies-dev.jsonl"
# Ratchets: what the assessment has reached on this set. Raise them when it rises; never lower them.
MACRO_F1_FLOOR = 0.922
MARK_F1_FLOORS = {
    "open_question": 1.00, "paraphrase": 1.00, "empathy": 0.79, "apology": 1.00, "action": 0.81, "policy": 1.00,
    "escalation": 0.91, "check": 1.00, "thanks": 1.00, "boundary": 1.00, "record": 0.94, "verify": 0.94,
    "defensive": 0.79, "dismissive": 0.66, "policy_wall": 0.88, "over_promise": 0.92, "admits_fault": 1.00,
    "unprofessional": 0.88,
}


def _scores(catalogue) -> tuple[dict[str, tuple[float, float, float]], float]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        sc = catalogue.scenarios.get(row.get("scenario"))
        ctx = scenario_context(sc) if sc else None
        got, want = set(assess_reply(row["reply"], row["customer"], ctx).marks), set(row["marks"])
        for m in got & want:
            tp[m] += 1
        for m in got - want:
            fp[m] += 1
        for m in want - got:
            fn[m] += 1
    table = {}
    for m in REPLY_MARKS:
        p = tp[m] / (tp[m] + fp[m]) if tp[m] + fp[m] else 0.0
        r = tp[m] / (tp[m] + fn[m]) if tp[m] + fn[m] else 0.0
        table[m] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return table, sum(f for _, _, f in table.values()) / len(table)


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"no development set at {DEV_SET}")
def test_macro_f1_floor_on_the_dev_set(catalogue):
    table, macro = _scores(catalogue)
    print(f"\n{'mark':16} {'P':>5} {'R':>5} {'F1':>5}")
    for mark, (p, r, f) in table.items():
        print(f"{mark:16} {p:5.2f} {r:5.2f} {f:5.2f}")
    print(f"macro-F1 {macro:.3f}")
    assert macro >= MACRO_F1_FLOOR
    below = {m: round(f, 3) for m, (_, _, f) in table.items() if f < MARK_F1_FLOORS[m]}
    assert not below, f"marks below their floor: {below}"
