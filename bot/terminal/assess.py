"""`python -m bot assess`: JSON lines in, marks and evidence out, one line per line.

A bad line gets an `error` object in its place (and a note on stderr) so that every other
line is still marked and the output stays aligned with the input.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any, TextIO

from bot.assessment import ReplyContext, assess_reply
from bot.content.catalogue import Catalogue
from bot.roleplay.engine import scenario_context

MAX_LINE_CHARS = 1_000_000


_FACT_FIELDS = ("authority_limit_gbp", "goodwill_gbp", "customer_abusive")


class BadFacts(ValueError):
    """A fact field of the wrong type."""


def _money(record: dict[str, Any], name: str) -> Decimal | None:
    value = record[name]
    if value is None:
        return Decimal(0)  # null: no money may be offered at all
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadFacts(f"field {name!r} must be a number of pounds (0 or more) or null")
    return Decimal(str(value))


def _context(record: dict[str, Any], catalogue: Catalogue) -> tuple[ReplyContext | None, str | None]:
    """The scenario's facts, with any fact fields on the line replacing (or supplying) them."""
    scenario_id = record.get("scenario")
    context, warning = None, None
    if scenario_id is not None:
        if not isinstance(scenario_id, str) or scenario_id not in catalogue.scenarios:
            warning = f"unknown scenario {scenario_id!r}; marked without scenario facts"
        else:
            context = scenario_context(catalogue.get(scenario_id))
    if not any(name in record for name in _FACT_FIELDS):
        return context, warning
    base = context or ReplyContext()
    changes: dict[str, Any] = {}
    if "authority_limit_gbp" in record:
        changes["authority_limit"] = _money(record, "authority_limit_gbp")
    if "goodwill_gbp" in record:
        changes["goodwill_limit"] = _money(record, "goodwill_gbp")
    if "customer_abusive" in record:
        if not isinstance(record["customer_abusive"], bool):
            raise BadFacts("field 'customer_abusive' must be true or false")
        changes["customer_abusive"] = record["customer_abusive"]
    return replace(base, **changes), warning


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
    try:
        context, warning = _context(record, catalogue)
    except BadFacts as exc:
        return {"id": rid, "error": str(exc)}, "bad facts"
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
