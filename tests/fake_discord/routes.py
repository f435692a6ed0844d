"""REST side: one catch-all handler that records, injects failures and dispatches by regex.

A single handler (rather than aiohttp's router) lets every call be recorded the same way and
unknown routes answer a Discord-style 404 that tests can assert on via `fake.unhandled`.
JSON is sent with exactly `Content-Type: application/json`: discord.py reads a body with
`; charset=utf-8` as text and then fails.
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads
from .limits import invalid_form_body, thread_errors
from .payloads import error
from .world import (
    ATTACH_FILES,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    MANAGE_WEBHOOKS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    THREAD_TYPES,
    VIEW_CHANNEL,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)
Result = tuple[int, Any]


class RecordedRequest(tuple):
    """(method, path, body, at) so it unpacks as a 4-tuple; `.query` holds the query string.

    `body` is the JSON body, or for multipart the `payload_json` dict plus a "files" list of
    {"field", "filename", "size", "content_type", "id"}; None when there is no body."""

    query: dict[str, str]

    def __new__(cls, method: str, path: str, body: Any, at: float, query: dict[str, str]):
        self = super().__new__(cls, (method, path, body, at))
        self.query = query
        return self

    method = property(lambda self: self[0])
    path = property(lambda self: self[1])
    body = property(lambda self: self[2])
    at = property(lambda self: self[3])

    def __repr__(self) -> str:
        q = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""
        return f"<{self.method} {self.path}{q} {self.body!r:.200}>"


@dataclass
class Call:
    """What a route handler gets: path params (digits become ints), query, body, uploads."""

    method: str
    path: str
    params: dict[str, Any]
    query: dict[str, str]
    body: Any
    files: list[dict[str, Any]] = field(default_factory=list)

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true")


Handler = Callable[[Call], Awaitable[Result]]


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> web.Response:
    if status == 204 or data is None:
        return web.Response(status=204, headers=headers)
    return web.Response(status=status, body=json.dumps(data).encode(),
                        headers={**(headers or {}), "Content-Type": "application/json"})


class Router:
    """The REST API under /api/v{n}/: record, maybe fail on purpose, route, answer."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.table: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """`{name}` matches a snowflake; `{name:regex}` anything else (e.g. tokens, @me)."""
        regex = re.sub(r"\{(\w+)(?::([^}]+))?\}",
                       lambda m: f"(?P<{m[1]}>{m[2] or r'[0-9]+'})", pattern)
        self.table.append((method, re.compile(regex + "$"), handler))

    async def _parse(self, request: web.Request) -> tuple[Any, list[dict[str, Any]], dict[str, Any]]:
        """(body, uploads, what was sent as the recording shows it)."""
        sent: dict[str, Any] = {"content_type": request.content_type, "headers": {
            k: v for k, v in request.headers.items() if k.lower() != "authorization"}}
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            body: dict[str, Any] = {}
            files = []
            for name, value in form.items():
                if name == "payload_json":
                    body.update(json.loads(value))
                elif hasattr(value, "file"):
                    data = value.file.read()
                    m = re.match(r"files\[(\d+)\]", name)
                    index = int(m.group(1)) if m else len(files)
                    fid = self.fake.world.ids.next()
                    self.fake.world.files[fid] = data
                    files.append({"field": name, "index": index, "filename": value.filename,
                                  "size": len(data), "content_type": value.content_type, "id": fid})
            sent.update(payload_json=body, files=[
                {k: f[k] for k in ("field", "filename", "size", "content_type")} for f in files])
            return body, files, sent
        if request.content_type == "application/x-www-form-urlencoded":
            form = dict(await request.post())
            sent["form"] = form
            return form, [], sent
        text = await request.text()
        body = json.loads(text) if text else None
        if body is not None:
            sent["json"] = body
        return body, [], sent

    async def handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files, sent = await self._parse(request)
        query = dict(request.query)
        status, data, headers = await self._answer(request.method, path, query, body, files)
        self.fake.audit.rest(request.method, path, query, sent, status, headers, data)
        return json_response(status, data, headers)

    async def _answer(self, method: str, path: str, query: dict[str, str], body: Any,
                      files: list[dict[str, Any]]) -> tuple[int, Any, dict[str, str]]:
        fake = self.fake
        recorded = body
        if files:
            recorded = {**body, "files": [{k: v for k, v in f.items() if k != "index"}
                                          for f in files]}
        fake.requests.append(RecordedRequest(method, path, recorded, time.monotonic(), query))
        fake._changed.set()
        await fake._held(method, path)
        advance = getattr(fake.clock, "advance", None)
        if fake.seconds_per_request and advance is not None:  # a slow Discord, on the injected clock
            advance(fake.seconds_per_request)
        failure = fake._take_failure(method, path)
        if failure is not None:
            return failure
        for route_method, regex, handler in self.table:
            match = regex.match(path)
            if route_method == method and match:
                params = {k: int(v) if v.isdigit() else v for k, v in match.groupdict().items()}
                call = Call(method, path, params, query, body, files)
                try:
                    result = await handler(call)
                except Exception as exc:  # a fake bug, or a payload the fake cannot read
                    fake.errors.append((method, path, traceback.format_exc()))
                    log.exception("fake discord failed on %s %s", method, path)
                    result = error(400, f"fake discord could not handle this: {exc!r}")
                fake._changed.set()
                return (*result, rate_limit_headers(method, path))
        fake.unhandled.append((method, path, recorded))
        log.warning("fake discord has no route for %s %s", method, path)
        return (*error(404, "404: Not Found"), {})


def missing_permissions(fake: FakeDiscord, channel_id: int, needed: int) -> Result | None:
    """403 Missing Permissions (50013) when the bot lacks any of `needed` in the channel."""
    have = fake.world.channel_permissions(channel_id, fake.world.app_id)
    return None if have & needed == needed else error(403, "Missing Permissions", 50013)


def send_permissions(fake: FakeDiscord, channel_id: int, uploads: bool) -> int:
    """What posting needs: view and send (in threads: send in threads), attach for files."""
    in_thread = fake.world.channels[channel_id]["type"] in THREAD_TYPES
    return (VIEW_CHANNEL | (SEND_MESSAGES_IN_THREADS if in_thread else SEND_MESSAGES)
            | (ATTACH_FILES if uploads else 0))


ROUTE_LIMIT = 50  # generous: discord.py waits out a bucket whose Remaining reaches 0
SESSION_STARTS_PER_DAY = 1000  # Discord's daily IDENTIFY allowance for a bot


def rate_limit_headers(method: str, path: str, *, remaining: int = ROUTE_LIMIT - 1,
                       reset_after: float = 1.0) -> dict[str, str]:
    """The X-RateLimit-* headers Discord puts on every answer, for the route's bucket."""
    route = re.sub(r"(?<=/)\d+", ":id", path)
    bucket = f"{zlib.crc32(f'{method} {route}'.encode()):08x}"
    return {"X-RateLimit-Limit": str(ROUTE_LIMIT), "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}", "X-RateLimit-Bucket": bucket}


def install_base_routes(router: Router) -> None:
    """Users, application, commands, channels, threads, guilds and webhook management."""
    fake = router.fake
    world = fake.world
    add = router.add

    async def gateway(call: Call) -> Result:
        return 200, {"url": fake.gateway_url}

    async def bot_gateway(call: Call) -> Result:
        """Discord's advice: one shard per 1,000 guilds (or `fake.recommended_shards`), and what is
        left of the day's 1,000 session starts (each IDENTIFY uses one)."""
        used = fake.session_starts_used
        return 200, {"url": fake.gateway_url, "shards": fake.shards_to_recommend(), "session_start_limit": {
            "total": SESSION_STARTS_PER_DAY, "remaining": max(0, SESSION_STARTS_PER_DAY - used),
            "reset_after": 24 * 3600 * 1000, "max_concurrency": 1}}

    async def me(call: Call) -> Result:
        return 200, payloads.own_user(world)

    async def get_user(call: Call) -> Result:
        uid = call.params["uid"]
        if uid not in world.users:
            return error(404, "Unknown User", 10013)
        return 200, payloads.user(world, uid)

    async def app_info(call: Call) -> Result:
        return 200, payloads.application(world)

    async def open_dm(call: Call) -> Result:
        uid = int(call.body["recipient_id"])
        if uid not in world.users:
            return error(404, "Unknown User", 10013)
        return 200, payloads.channel(world, world.dm_channel(uid))

    def scope(call: Call) -> int | None:
        return call.params.get("gid")

    async def get_commands(call: Call) -> Result:
        return 200, world.commands.get(scope(call), [])

    async def put_commands(call: Call) -> Result:
        gid = scope(call)
        old = {c["name"]: c for c in world.commands.get(gid, [])}
        saved = []
        for cmd in call.body:
            keep = old.get(cmd["name"])
            saved.append({"type": 1, "description": "", "options": [], "nsfw": False,
                          "dm_permission": True, **cmd, **payloads.command_defaults(cmd),
                          "id": keep["id"] if keep else str(world.ids.next()),
                          "application_id": str(world.app_id), "version": str(world.ids.next()),
                          **({"guild_id": str(gid)} if gid else {})})
        world.commands[gid] = saved
        return 200, saved

    def known_channel(call: Call) -> int | None:
        cid = call.params["cid"]
        return cid if cid in world.channels else None

    async def get_channel(call: Call) -> Result:
        cid = known_channel(call)
        if cid is None:
            return error(404, "Unknown Channel", 10003)
        return 200, payloads.any_channel(world, cid)

    async def edit_channel(call: Call) -> Result:
        cid = known_channel(call)
        if cid is None:
            return error(404, "Unknown Channel", 10003)
        channel = world.channels[cid]
        for key, value in call.body.items():
            if key in ("archived", "locked", "auto_archive_duration", "invitable"):
                channel["thread_metadata"][key] = value
            else:
                channel[key] = value
        data = payloads.any_channel(world, cid)
        threadish = channel["type"] in THREAD_TYPES
        await fake.gateway.dispatch("THREAD_UPDATE" if threadish else "CHANNEL_UPDATE", data,
                                    required=False)
        return 200, data

    async def delete_channel(call: Call) -> Result:
        cid = known_channel(call)
        if cid is None:
            return error(404, "Unknown Channel", 10003)
        data = payloads.any_channel(world, cid)
        del world.channels[cid]
        if data["type"] in THREAD_TYPES:
            await fake.gateway.dispatch("THREAD_DELETE", {
                "id": data["id"], "guild_id": data["guild_id"], "parent_id": data["parent_id"],
                "type": data["type"]}, required=False)
        else:
            await fake.gateway.dispatch("CHANNEL_DELETE", data, required=False)
        return 200, data

    async def create_thread(call: Call) -> Result:
        cid = known_channel(call)
        if cid is None or world.channels[cid]["type"] != 0:
            return error(404, "Unknown Channel", 10003)
        body = call.body or {}
        private = int(body.get("type") or 11) == 12
        needed = VIEW_CHANNEL | (CREATE_PRIVATE_THREADS if private else CREATE_PUBLIC_THREADS)
        if refused := missing_permissions(fake, cid, needed):
            return refused
        if errors := thread_errors(body):
            return invalid_form_body(errors)
        tid = world.add_thread(cid, body["name"], private=private,
                               invitable=body.get("invitable", True),
                               auto_archive_duration=body.get("auto_archive_duration") or 1440)
        world.channels[tid]["rate_limit_per_user"] = body.get("rate_limit_per_user") or 0
        data = payloads.thread(world, tid)
        await fake.gateway.dispatch("THREAD_CREATE", {**data, "newly_created": True},
                                    required=False)
        return 201, data

    async def thread_member(call: Call) -> Result:
        tid = known_channel(call)
        if tid is None or world.channels[tid]["type"] not in THREAD_TYPES:
            return error(404, "Unknown Channel", 10003)
        uid = world.app_id if call.params["uid"] == "@me" else call.params["uid"]
        gid = world.guild_of(tid)
        if uid not in world.guilds[gid].members:
            return error(404, "Unknown Member", 10007)
        change: dict[str, Any] = {"id": str(tid), "guild_id": str(gid)}
        if call.method == "PUT":
            world.join_thread(tid, uid)
            joined = world.thread_members[tid][uid]
            change["added_members"] = [{**payloads.thread_member(tid, uid, joined),
                                        "member": payloads.member(world, gid, uid)}]
        else:
            world.thread_members.get(tid, {}).pop(uid, None)
            world.channels[tid]["member_count"] = len(world.thread_members.get(tid, {}))
            change["removed_member_ids"] = [str(uid)]
        change["member_count"] = world.channels[tid]["member_count"]
        await fake.gateway.dispatch("THREAD_MEMBERS_UPDATE", change, required=False)
        return 204, None

    async def typing(call: Call) -> Result:
        return (204, None) if known_channel(call) else error(404, "Unknown Channel", 10003)

    async def channel_webhooks(call: Call) -> Result:
        cid = known_channel(call)
        if cid is None:
            return error(404, "Unknown Channel", 10003)
        if refused := missing_permissions(fake, cid, VIEW_CHANNEL | MANAGE_WEBHOOKS):
            return refused
        if call.method == "POST":
            wid = world.add_webhook(cid, call.body["name"])
            return 200, dict(world.webhooks[wid])
        return 200, [dict(h) for h in world.webhooks.values() if h["channel_id"] == str(cid)]

    async def delete_webhook(call: Call) -> Result:
        if world.webhooks.pop(call.params["wid"], None) is None:
            return error(404, "Unknown Webhook", 10015)
        return 204, None

    async def get_guild(call: Call) -> Result:
        gid = call.params["gid"]
        if gid not in world.guilds:
            return error(404, "Unknown Guild", 10004)
        data = payloads.guild_create(world, gid)
        for key in ("members", "channels", "threads", "presences", "voice_states"):
            data.pop(key)
        return 200, data

    async def get_member(call: Call) -> Result:
        gid, uid = call.params["gid"], call.params["uid"]
        if gid not in world.guilds:
            return error(404, "Unknown Guild", 10004)
        if uid not in world.guilds[gid].members:
            return error(404, "Unknown Member", 10007)
        return 200, payloads.member(world, gid, uid)

    async def guild_channels(call: Call) -> Result:
        gid = call.params["gid"]
        if gid not in world.guilds:
            return error(404, "Unknown Guild", 10004)
        return 200, payloads.guild_create(world, gid)["channels"]

    add("GET", "/gateway", gateway)
    add("GET", "/gateway/bot", bot_gateway)
    add("GET", "/users/@me", me)
    add("POST", "/users/@me/channels", open_dm)
    add("GET", "/users/{uid}", get_user)
    add("GET", "/oauth2/applications/@me", app_info)
    add("GET", "/applications/@me", app_info)
    for method, handler in (("GET", get_commands), ("PUT", put_commands)):
        add(method, "/applications/{app}/commands", handler)
        add(method, "/applications/{app}/guilds/{gid}/commands", handler)
    add("GET", "/channels/{cid}", get_channel)
    add("PATCH", "/channels/{cid}", edit_channel)
    add("DELETE", "/channels/{cid}", delete_channel)
    add("POST", "/channels/{cid}/threads", create_thread)
    add("PUT", "/channels/{cid}/thread-members/{uid:[0-9]+|@me}", thread_member)
    add("DELETE", "/channels/{cid}/thread-members/{uid:[0-9]+|@me}", thread_member)
    add("POST", "/channels/{cid}/typing", typing)
    add("GET", "/channels/{cid}/webhooks", channel_webhooks)
    add("POST", "/channels/{cid}/webhooks", channel_webhooks)
    add("DELETE", "/webhooks/{wid}", delete_webhook)
    add("GET", "/guilds/{gid}", get_guild)
    add("GET", "/guilds/{gid}/channels", guild_channels)
    add("GET", "/guilds/{gid}/members/{uid}", get_member)
