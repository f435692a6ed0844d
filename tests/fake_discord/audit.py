"""Checks every exchange with the fake against Discord's spec, counts them, and records them.

Each REST request body, response body and gateway object the fake sends is validated (see
`spec.py`); a break outside the allow-list is a violation, and a strict `FakeDiscord` fails
the test on exit with the list. `FAKE_DISCORD_RECORD=FILE` appends every exchange as JSON lines:
    {"kind": "rest", "method", "path", "query", "request": {...}, "response": {...}}
    {"kind": "gw_send" | "gw_recv", "op", "t", "s", "d"}
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

from .spec import ALLOWED, Spec, load_spec

# Gateway events -> (path inside `d`, schema): "[]" is each list item, "*" each dict value.
GATEWAY_SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "READY": [("user", "UserPIIResponse")],
    "GUILD_CREATE": [("", "GuildResponse"), ("members[]", "GuildMemberResponse"),
                     ("channels[]", "GuildChannelResponse"), ("threads[]", "ThreadResponse")],
    "MESSAGE_CREATE": [("", "MessageResponse")],
    "MESSAGE_UPDATE": [("", "MessageResponse")],
    "THREAD_CREATE": [("", "ThreadResponse")],
    "THREAD_UPDATE": [("", "ThreadResponse")],
    "CHANNEL_UPDATE": [("", "GuildChannelResponse")],
    "CHANNEL_DELETE": [("", "GuildChannelResponse")],
    "THREAD_MEMBERS_UPDATE": [("added_members[]", "ThreadMemberResponse"),
                              ("added_members[].member", "GuildMemberResponse")],
    "GUILD_MEMBERS_CHUNK": [("members[]", "GuildMemberResponse")],
    "INTERACTION_CREATE": [("member", "GuildMemberResponse"), ("user", "UserResponse"),
                           ("message", "MessageResponse"),
                           ("data.resolved.users.*", "UserResponse"),
                           ("data.resolved.roles.*", "GuildRoleResponse")],
}
_record_lock = threading.Lock()


def _walk(data: Any, path: str, where: str = "$") -> Iterator[tuple[str, Any]]:
    """The objects at `path` inside `data`, with their JSON paths."""
    if not path:
        yield where, data
        return
    head, _, rest = path.partition(".")
    many = head.endswith("[]")
    key = head.removesuffix("[]")
    if key == "*":
        for k, v in (data or {}).items() if isinstance(data, dict) else ():
            yield from _walk(v, rest, f"{where}.{k}")
        return
    if not isinstance(data, dict) or data.get(key) is None:
        return
    value = data[key]
    if many:
        for i, item in enumerate(value):
            yield from _walk(item, rest, f"{where}.{key}[{i}]")
    else:
        yield from _walk(value, rest, f"{where}.{key}")


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def _string_snowflakes(body: Any) -> tuple[Any, int]:
    """The body with integer `id`/`*_id` values as strings (see spec.INTEGER_SNOWFLAKES), and
    how many were changed."""
    if isinstance(body, list):
        items = [_string_snowflakes(b) for b in body]
        return [b for b, _ in items], sum(n for _, n in items)
    if not isinstance(body, dict):
        return body, 0
    out, changed = {}, 0
    for key, value in body.items():
        if (key == "id" or key.endswith("_id")) and isinstance(value, int) \
                and not isinstance(value, bool):
            out[key], changed = str(value), changed + 1
        else:
            out[key], n = _string_snowflakes(value)
            changed += n
    return out, changed


def _allowed(where: str, json_path: str) -> bool:
    return any(re.fullmatch(w, where) and re.search(pattern, json_path) for w, pattern, _ in ALLOWED)


class Audit:
    """Validation counts and violations for one FakeDiscord, plus the optional recording."""

    def __init__(self, *, validate: bool = True) -> None:
        self.spec: Spec | None = load_spec() if validate else None
        self.counts: Counter[str] = Counter()
        self.violations: list[str] = []
        self.record_path = os.environ.get("FAKE_DISCORD_RECORD") or None

    # --- recording -------------------------------------------------------------------------

    def _record(self, entry: dict[str, Any]) -> None:
        if not self.record_path:
            return
        line = json.dumps(entry, default=str)
        with _record_lock, open(self.record_path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    # --- checking --------------------------------------------------------------------------

    def _check(self, where: str, pointer: str, instance: Any) -> None:
        assert self.spec is not None
        for json_path, message in self.spec.errors(pointer, instance):
            if _allowed(where, json_path):
                self.counts["allowed"] += 1
            else:
                self.violations.append(f"{where}: {json_path}: {message}")

    def rest(self, method: str, path: str, query: dict[str, str], request: dict[str, Any],
             status: int, headers: dict[str, str], body: Any) -> None:
        """Validate one REST exchange (request body, query names, response body) and record it."""
        self._record({"kind": "rest", "method": method, "path": path, "query": query,
                      "request": request,
                      "response": {"status": status, "headers": headers, "json": body}})
        if self.spec is None:
            return
        op = self.spec.operation(method, path)
        if op is None:
            self.violations.append(f"{method} {path}: no such route in the spec")
            return
        base = _pointer("paths", op.template, op.method.lower())
        self.counts["requests"] += 1
        known = {self.spec.deref(p)["name"] for p in op.spec.get("parameters", [])
                 if self.spec.deref(p).get("in") == "query"}
        for name in query:
            if name not in known:
                self.violations.append(f"{method} {op.template}: unknown query parameter {name!r}")
        content = (op.spec.get("requestBody") or {}).get("content") or {}
        sent = request.get("json", request.get("payload_json"))
        kind = "multipart/form-data" if "payload_json" in request else "application/json"
        if sent is not None and kind in content:
            sent, changed = _string_snowflakes(sent)
            self.counts["allowed"] += changed
            self._check(f"{method} {op.template} request",
                        base + _pointer("requestBody", "content", kind, "schema"), sent)
        if "files" in request and kind in content:
            parts = self.spec.declared(content[kind]["schema"])
            where = f"{method} {op.template} request"
            for upload in request["files"]:
                if upload["field"] in parts:
                    continue
                if _allowed(where, upload["field"]):
                    self.counts["allowed"] += 1
                else:
                    self.violations.append(f"{where}: undeclared multipart part {upload['field']!r}")
        responses = op.spec.get("responses") or {}
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        self.counts["responses"] += 1
        if key not in responses:
            if status >= 400:
                return  # e.g. 5xx: the spec describes no server error bodies
            self.violations.append(f"{method} {op.template}: status {status} is not in the spec")
            return
        answer = self.spec.deref(responses[key])
        if "application/json" in (answer.get("content") or {}):
            pointer = (base + _pointer("responses", key, "content", "application/json", "schema")
                       if "$ref" not in responses[key] else
                       responses[key]["$ref"].removeprefix("#")
                       + _pointer("content", "application/json", "schema"))
            self._check(f"{method} {op.template} {status}", pointer, body)
        elif body is not None:
            self.violations.append(f"{method} {op.template} {status}: a body where none is described")

    def gw_send(self, frame: dict[str, Any]) -> None:
        self._record({"kind": "gw_send", **frame})
        if self.spec is None or frame.get("op") != 0:
            return
        event = frame.get("t") or ""
        self.counts["events"] += 1
        for inner, schema in GATEWAY_SCHEMAS.get(event, []):
            for json_path, obj in _walk(frame.get("d"), inner):
                self.counts["gateway_objects"] += 1
                for err_path, message in self.spec.errors(self.spec.schema_pointer(schema), obj):
                    full = json_path + err_path.removeprefix("$")
                    if _allowed(f"gw {event}", full):
                        self.counts["allowed"] += 1
                    else:
                        self.violations.append(f"gw {event} {schema}: {full}: {message}")

    def gw_recv(self, frame: dict[str, Any]) -> None:
        data = frame.get("d")
        if frame.get("op") == 2 and isinstance(data, dict):
            frame = {**frame, "d": {**data, "token": "<redacted>"}}
        self._record({"kind": "gw_recv", **frame})

    def summary(self) -> str:
        c = self.counts
        return (f"{c['requests']} requests, {c['responses']} responses, {c['events']} events "
                f"({c['gateway_objects']} objects) validated; {len(self.violations)} violations, "
                f"{c['allowed']} allowed")


def replay(path: str) -> Audit:
    """Validate a recording made with FAKE_DISCORD_RECORD again (to audit or count it)."""
    audit = Audit()
    audit.record_path = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            entry = json.loads(line)
            if entry["kind"] == "rest":
                res = entry["response"]
                audit.rest(entry["method"], entry["path"], entry["query"], entry["request"],
                           res["status"], res["headers"], res["json"])
            elif entry["kind"] == "gw_send":
                audit.gw_send({k: v for k, v in entry.items() if k != "kind"})
    return audit


if __name__ == "__main__":  # python -m fake_discord.audit FILE (from tests/)
    import sys

    found = replay(sys.argv[1])
    for violation, n in Counter(found.violations).most_common():
        print(f"{n:5}  {violation}")
    print(found.summary())
