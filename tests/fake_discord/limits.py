"""Discord's length limits, answered as Discord does: 400 Invalid Form Body (50035) with an
`errors` tree naming each field, e.g. {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
"message": "Must be 2000 or fewer in length."}]}}."""

from __future__ import annotations

from typing import Any

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
EMBED_FIELDS = 25
EMBED_TEXT = {"title": 256, "description": 4096}
FIELD_TEXT = {"name": 256, "value": 1024}
THREAD_NAME = 100
ACTION_ROWS = 5
BUTTON_LABEL = 80

Errors = dict[str, Any]


def _too_long(limit: int) -> Errors:
    return {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}]}


def _put(tree: Errors, path: list[str], leaf: Errors) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree[path[-1]] = leaf


def message_errors(body: dict[str, Any] | None) -> Errors:
    """The field errors of a message body (channel post, webhook post, edit, interaction reply)."""
    body = body or {}
    errors: Errors = {}
    if len(body.get("content") or "") > CONTENT:
        _put(errors, ["content"], _too_long(CONTENT))
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS:
        _put(errors, ["embeds"], _too_long(EMBEDS))
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in EMBED_TEXT.items():
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > limit:
                _put(errors, ["embeds", str(i), key], _too_long(limit))
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS:
            _put(errors, ["embeds", str(i), "fields"], _too_long(EMBED_FIELDS))
        for j, field in enumerate(fields):
            for key, limit in FIELD_TEXT.items():
                text = str(field.get(key) or "")
                total += len(text)
                if len(text) > limit:
                    _put(errors, ["embeds", str(i), "fields", str(j), key], _too_long(limit))
        for part, key in (("footer", "text"), ("author", "name")):
            total += len((embed.get(part) or {}).get(key) or "")
    if total > EMBED_TOTAL:
        _put(errors, ["embeds"], {"_errors": [{"code": "MAX_EMBED_SIZE_EXCEEDED",
                                               "message": "Embed size exceeds maximum size of 6000"}]})
    rows = body.get("components") or []
    if len(rows) > ACTION_ROWS:
        _put(errors, ["components"], _too_long(ACTION_ROWS))
    for i, row in enumerate(rows):
        for j, comp in enumerate(row.get("components") or []):
            if len(comp.get("label") or "") > BUTTON_LABEL:
                _put(errors, ["components", str(i), "components", str(j), "label"], _too_long(BUTTON_LABEL))
    return errors


def thread_errors(body: dict[str, Any] | None) -> Errors:
    name = (body or {}).get("name") or ""
    if not 1 <= len(name) <= THREAD_NAME:
        return {"name": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH",
                                      "message": f"Must be between 1 and {THREAD_NAME} in length."}]}}
    return {}


def invalid_form_body(errors: Errors, prefix: str | None = None) -> tuple[int, dict[str, Any]]:
    """Discord's 400 answer for field errors (under `prefix`, e.g. "data" for a callback)."""
    return 400, {"message": "Invalid Form Body", "code": 50035,
                 "errors": {prefix: errors} if prefix else errors}
