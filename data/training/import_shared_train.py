"""Copy ../shared/eval/replies-train.jsonl into the corpus with the structured fields the others carry.

The limits are read by hand from each context's words (one line per business below). Run once;
the output, shared-train.jsonl, is committed so training never needs ../shared.
"""

import json
import sys
from pathlib import Path

from bot.assessment.replies import customer_is_abusive

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2] / "shared" / "eval" / "replies-train.jsonl"
LIMITS = {  # context prefix: (business, authority_limit_gbp, goodwill_gbp)
    "Brightwave Broadband": ("Brightwave Broadband", 25, 25),
    "Vox Mobile": ("Vox Mobile", 50, 50),
    "The Harbour Hotel": ("The Harbour Hotel", 40, 40),
    "Olive & Thyme": ("Olive & Thyme restaurant", 60, 60),
    "FitZone gym": ("FitZone gym", 20, None),
    "HomeNest": ("HomeNest", 150, 15),
    "Northgate Bank": ("Northgate Bank", 0, None),
    "Northway Trains": ("Northway Trains", 112, 20),
    "Shieldwell": ("Shieldwell Home Insurance", 75, 75),
    "Ashdown Vale": ("Ashdown Vale Borough Council", 0, None),
}


def main() -> None:
    out = []
    for line in (Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        business, limit, goodwill = next(v for k, v in LIMITS.items() if r["context"].startswith(k))
        out.append(json.dumps({
            "id": r["id"], "business": business, "context": r["context"], "authority_limit_gbp": limit,
            "goodwill_gbp": goodwill, "customer_abusive": customer_is_abusive(r["customer"]),
            "customer": r["customer"], "reply": r["reply"], "marks": r["marks"],
        }, ensure_ascii=False))
    (HERE / "shared-train.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
