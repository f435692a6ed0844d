"""`python -m bot assess`: JSON lines in, marks and evidence out, one line per line.

A bad line gets an `error` object in its place (and a note on stderr) so that every other
line is still marked and the output stays aligned with the input.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.assessment import ReplyContext, assess_reply
from bot.content.catalogue import Catalogue
from bot.roleplay.engine import scenario_context

MAX_LINE_CHARS = 1_000_000


def _context(record: dict[str, Any], catalogue: Catalogue) -> tuple[ReplyContext | None, str | None]:
    scenario_id = record.get("scenario")
    if scenario_id is None:
        return None, None
    if not isinstance(scenario_id, str) or scenario_id not in catalogue.scenarios:
        return None, f"unknown scenario {scenario_id!r}; marked without scenario facts"
    return scenario_context(catalogue.get(scenario_id)), None


def assess_line(line: str, catalogue: Catalogue) -> tuple[dict[str, Any], str | None]:
    """Mark one input line; returns the output object and a warning or error for stderr."""
    if len(line) > MAX_LINE_CHARS:
        return {"id": None, "error": f"line longer than {MAX_LINE_CHARS:,} characters"}, "too long"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"not JSON: {exc.msg} at column {exc.colno}"}, "not JSON"
    if not isinstance(record, dict):
        return {"id": None, "error": "expected a JSON object"}, "not an object"
    rid = record.get("id")
    reply, customer = record.get("reply"), record.get("customer", "")
    if not isinstance(reply, str):
        return {"id": rid, "error": "field 'reply' must be a string"}, "no reply"
    if customer is None:
        customer = ""
    if not isinstance(customer, str):
        return {"id": rid, "error": "field 'customer' must be a string"}, "bad customer"
    context, warning = _context(record, catalogue)
    result = assess_reply(reply, customer, context)
    return {"id": rid, "marks": list(result.marks), "evidence": dict(result.evidence)}, warning


def assess_stream(stdin: TextIO, stdout: TextIO, stderr: TextIO, catalogue: Catalogue) -> int:
    """Mark every line; exit status 1 when any line was unusable."""
    failed = 0
    for number, raw in enumerate(stdin, 1):
        line = raw.strip()
        if not line:
            continue
        out, note = assess_line(line, catalogue)
        if "error" in out:
            failed += 1
            print(f"line {number}: {out['error']}", file=stderr)
        elif note:
            print(f"line {number}: {note}", file=stderr)
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 1 if failed else 0
