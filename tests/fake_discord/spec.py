"""Discord's own OpenAPI description (API v10), read as JSON Schema to hold the fake to it.

The spec (`../shared/discord-api-spec/openapi.json`, or `DISCORD_API_SPEC`) is loaded once per
process: `oneOf` is read as `anyOf` and `additionalProperties: false` is dropped (the spec's own
conventions: unions overlap, extra fields are allowed). Validators are compiled on first use of
each schema and kept, so a test session pays for each schema once.

The gateway is not in the OpenAPI file; its objects are checked against the REST schemas of the
same objects (GUILD_CREATE's guild is a GuildResponse, its members GuildMemberResponses, ...).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:discord-openapi"
_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "discord-api-spec" / "openapi.json"

# Where the spec is known to be wrong or silent; each entry: (where, JSON path regex, reason).
# `where` (a regex) is "METHOD /spec/path STATUS", "METHOD /spec/path request" or "gw EVENT".
ALLOWED: list[tuple[str, str, str]] = [
    (re.escape("POST /interactions/{interaction_id}/{interaction_token}/callback request"), r"files\[\d+\]",
     "the multipart schema of the interaction callback lists no files[n] parts (README)"),
    (re.escape("POST /webhooks/{webhook_id}/{webhook_token} request"), r"files\[\d+\]",
     "the multipart schema of Execute Webhook (interaction follow-ups) lists no files[n] parts either, "
     "though Discord's docs take them as on any message"),
    (r".* 400", r"^\$\.errors\..*\['_errors'\]\[\d+\]\.code$",
     "field errors of 50035 carry string codes (BASE_TYPE_MAX_LENGTH, as Discord's docs show); the "
     "spec types every Error.code as an integer"),
]


# Requests only: discord.py sends some snowflakes as JSON integers (recipient_id, message_reference
# ids, an upload's attachments[].id index); Discord reads them as the same snowflakes. The audit
# turns integer values of `id`/`*_id` keys into strings before checking a request body.
INTEGER_SNOWFLAKES = "discord.py sends some snowflakes in request bodies as integers; Discord accepts them"


def spec_path() -> Path:
    return Path(os.environ.get("DISCORD_API_SPEC") or _DEFAULT)


def _relax(node: Any) -> Any:
    """oneOf -> anyOf, drop additionalProperties: false (extra fields are allowed)."""
    if isinstance(node, list):
        return [_relax(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "additionalProperties" and value is False:
            continue
        out["anyOf" if key == "oneOf" else key] = _relax(value)
    return out


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    regex: re.Pattern[str]
    literal_segments: int
    spec: dict[str, Any]


class Spec:
    """The parsed spec: operations by path, and cached validators by schema."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = _relax(document)
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(SPEC_URI, resource)
        self.operations: list[Operation] = []
        for template, item in self.doc["paths"].items():
            regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            literal = sum(1 for seg in template.split("/") if seg and "{" not in seg)
            for method, op in item.items():
                if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    self.operations.append(Operation(method.upper(), template, regex, literal, op))
        self.operations.sort(key=lambda o: -o.literal_segments)  # /users/@me before /users/{id}

    def operation(self, method: str, path: str) -> Operation | None:
        return next((o for o in self.operations if o.method == method and o.regex.match(path)),
                    None)

    def deref(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a local `$ref` (responses, parameters, headers) to the object it names."""
        while "$ref" in node:
            target: Any = self.doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    @functools.cache  # noqa: B019 - one Spec per process, kept for the session
    def validator(self, pointer: str) -> Draft202012Validator:
        """A compiled validator for the schema at a JSON pointer into the spec."""
        return Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry)

    def declared(self, node: dict[str, Any]) -> set[str]:
        """Every property name a schema declares, through $ref, allOf and anyOf."""
        node = self.deref(node)
        names = set(node.get("properties") or {})
        for key in ("allOf", "anyOf"):
            for sub in node.get(key) or []:
                names |= self.declared(sub)
        return names

    def schema_pointer(self, name: str) -> str:
        return f"/components/schemas/{name}"

    def errors(self, pointer: str, instance: Any) -> Iterator[tuple[str, str]]:
        """(JSON path, message) for each place `instance` breaks the schema at `pointer`."""
        for err in self.validator(pointer).iter_errors(instance):
            for leaf in _leaves(err):
                text = leaf.message
                yield leaf.json_path, text if len(text) <= 300 else f"{text[:140]} … {text[-140:]}"


def _leaves(err: ValidationError) -> Iterator[ValidationError]:
    """The errors worth showing: inside an anyOf, those of the branch meant (the one whose
    `type`/enum discriminators match, then the one that got furthest, then the fewest errors)."""
    if err.validator != "anyOf" or not err.context:
        yield err
        return
    branches: dict[Any, list[ValidationError]] = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def score(errors: list[ValidationError]) -> tuple[int, int, int]:
        wrong_kind = sum(e.validator in ("enum", "const")
                         or (e.validator == "type" and not e.relative_path) for e in errors)
        got_furthest = max(len(e.absolute_path) for e in errors)
        return wrong_kind, -got_furthest, len(errors)

    for sub in min(branches.values(), key=score):
        yield from _leaves(sub)


@functools.cache
def load_spec() -> Spec:
    """The spec, parsed once per process."""
    with spec_path().open(encoding="utf-8") as fh:
        return Spec(json.load(fh))
