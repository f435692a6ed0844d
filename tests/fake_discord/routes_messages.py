"""REST routes that make or change messages: channel messages, webhooks, interaction replies.

Every message the bot causes is stored in the world (so `fake.messages_in` sees channel posts,
webhook posts and interaction responses alike) and, unless ephemeral, echoed back over the
gateway as MESSAGE_CREATE the way Discord does.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import payloads
from .interactions import FakeInteraction
from .limits import invalid_form_body, message_errors
from .payloads import EPHEMERAL, LOADING, error
from .routes import Call, Result, Router, missing_permissions, send_permissions

if TYPE_CHECKING:
    from .server import FakeDiscord

EDITABLE = ("content", "embeds", "components", "flags", "poll")
MANAGE_THREADS = 1 << 34


async def thread_gate(fake: FakeDiscord, channel_id: int) -> Result | None:
    """Discord's rules for posting in a thread: an archived one is unarchived by the post (a
    THREAD_UPDATE goes out); a locked one takes posts only from those with Manage Threads:
    others get 400 50083 when it is also archived, else 403 160005."""
    meta = fake.world.channels[channel_id].get("thread_metadata")
    if meta is None or not (meta["archived"] or meta["locked"]):
        return None
    if meta["locked"] and not fake.world.channel_permissions(channel_id, fake.world.app_id) & MANAGE_THREADS:
        return error(400, "Thread is archived", 50083) if meta["archived"] else error(403, "Thread is locked", 160005)
    if meta["archived"]:
        await fake.set_thread_state(channel_id, archived=False, locked=meta["locked"])
    return None


async def store_message(fake: FakeDiscord, channel_id: int, author: dict[str, Any],
                        body: dict[str, Any], files: list[dict[str, Any]] = (), *,
                        webhook_id: int | None = None, extra: dict[str, Any] | None = None,
                        bot_offline: bool = False) -> dict[str, Any]:
    """Create, store and (unless ephemeral) dispatch a message; returns its dict."""
    world = fake.world
    message = payloads.message(
        world, channel_id=channel_id, author=author, body=body, webhook_id=webhook_id,
        attachments=payloads.attachments_from(body, list(files), channel_id), extra=extra)
    world.messages[int(message["id"])] = message
    channel = world.channels[channel_id]
    channel["last_message_id"] = message["id"]
    if "message_count" in channel:
        channel["message_count"] += 1
        channel["total_message_sent"] += 1
    fake._changed.set()
    own = int(author["id"]) == world.app_id or webhook_id is not None
    if not message["flags"] & EPHEMERAL and (fake.echo_own_messages or not own):
        await fake.gateway.dispatch("MESSAGE_CREATE", message, required=not own and not bot_offline)
    return message


async def edit_message(fake: FakeDiscord, message: dict[str, Any], body: dict[str, Any],
                       files: list[dict[str, Any]] = ()) -> dict[str, Any]:
    """Apply an edit in place (content, embeds, components, attachments) and dispatch it."""
    for key in EDITABLE:
        if key in body and body[key] is not None:
            message[key] = copy.deepcopy(body[key])
    payloads.number_components(message.get("components") or [])
    if "attachments" in body or files:
        message["attachments"] = payloads.attachments_from(
            body, list(files), int(message["channel_id"]), message.get("attachments") or [])
    message["edited_timestamp"] = payloads.now_iso()
    fake._changed.set()
    if not int(message.get("flags") or 0) & EPHEMERAL:
        await fake.gateway.dispatch("MESSAGE_UPDATE", dict(message), required=False)
    return message


def install_message_routes(router: Router) -> None:
    fake = router.fake
    world = fake.world
    add = router.add
    bot = lambda: payloads.user(world, world.app_id)  # noqa: E731

    def find(call: Call) -> dict[str, Any] | None:
        msg = world.messages.get(call.params["mid"])
        return msg if msg and msg["channel_id"] == str(call.params["cid"]) else None

    async def post(call: Call) -> Result:
        cid = call.params["cid"]
        if cid not in world.channels:
            return error(404, "Unknown Channel", 10003)
        if refused := missing_permissions(fake, cid, send_permissions(fake, cid, bool(call.files))):
            return refused
        if errors := message_errors(call.body):
            return invalid_form_body(errors)
        if refused := await thread_gate(fake, cid):
            return refused
        return 200, await store_message(fake, cid, bot(), call.body or {}, call.files)

    async def history(call: Call) -> Result:
        cid = call.params["cid"]
        if cid not in world.channels:
            return error(404, "Unknown Channel", 10003)
        found = [m for m in world.messages.values() if m["channel_id"] == str(cid)
                 and not int(m.get("flags") or 0) & EPHEMERAL]
        found.sort(key=lambda m: int(m["id"]))
        limit = int(call.query.get("limit", 50))
        if "before" in call.query:
            found = [m for m in found if int(m["id"]) < int(call.query["before"])]
        if "after" in call.query:  # the oldest `limit` after it, newest first as Discord sends them
            found = [m for m in found if int(m["id"]) > int(call.query["after"])][:limit]
        if not fake.gateway.content_intent():
            found = [fake.gateway.as_seen(m) for m in found]
        return 200, list(reversed(found))[:limit]

    async def one(call: Call) -> Result:
        msg = find(call)
        if msg is None:
            return error(404, "Unknown Message", 10008)
        if call.method == "GET":
            return 200, msg
        if call.method == "PATCH":
            if errors := message_errors(call.body):
                return invalid_form_body(errors)
            return 200, await edit_message(fake, msg, call.body or {}, call.files)
        del world.messages[int(msg["id"])]
        await fake.gateway.dispatch("MESSAGE_DELETE", {
            "id": msg["id"], "channel_id": msg["channel_id"],
            **({"guild_id": msg["guild_id"]} if msg.get("guild_id") else {})}, required=False)
        return 204, None

    async def reaction(call: Call) -> Result:
        return (204, None) if find(call) else error(404, "Unknown Message", 10008)

    async def webhook_post(call: Call) -> Result:
        body = call.body or {}
        if errors := message_errors(body):
            return invalid_form_body(errors)
        inter = fake._by_token.get(str(call.params["token"]))
        if inter is not None and inter.expired(fake.clock(), followup=True):
            return error(401, "Invalid Webhook Token", 50027)
        if inter is not None:
            return await followup(inter, body, call)
        hook = world.webhooks.get(call.params["wid"])
        if hook is None or hook["token"] != str(call.params["token"]):
            return error(404, "Unknown Webhook", 10015)
        cid = int(hook["channel_id"])
        if "thread_id" in call.query:
            tid = int(call.query["thread_id"])
            if world.channels.get(tid, {}).get("parent_id") != hook["channel_id"]:
                return error(404, "Unknown Channel", 10003)
            if refused := await thread_gate(fake, tid):
                return refused
            cid = tid
        body = {**body, "flags": int(body.get("flags") or 0) & ~EPHEMERAL}  # never ephemeral
        msg = await store_message(fake, cid, payloads.webhook_author(world, hook, body), body,
                                  call.files, webhook_id=int(hook["id"]),
                                  extra={"application_id": hook.get("application_id")})
        return (200, msg) if call.flag("wait") else (204, None)

    async def followup(inter: FakeInteraction, body: dict[str, Any], call: Call) -> Result:
        if inter.callback is None:
            return error(404, "Unknown Webhook", 10015)
        original = inter.original
        if original is not None and int(original.get("flags") or 0) & LOADING:
            flags = int(original["flags"]) & ~LOADING  # the deferred message keeps its ephemerality
            msg = await edit_message(fake, original, {**body, "flags": flags}, call.files)
        else:
            msg = await store_message(fake, inter.channel_id, bot(), body, call.files,
                                      extra=_metadata(inter))
        inter.followups.append(msg)
        return 200, msg

    async def webhook_message(call: Call) -> Result:
        inter = fake._by_token.get(str(call.params["token"]))
        if inter is not None and inter.expired(fake.clock(), followup=True):
            return error(401, "Invalid Webhook Token", 50027)
        if inter is None:
            hook = world.webhooks.get(call.params["wid"])
            if hook is None or hook["token"] != str(call.params["token"]):
                return error(404, "Unknown Webhook", 10015)
        if call.params["mid"] == "@original":
            msg = inter.original if inter else None
        else:
            msg = world.messages.get(call.params["mid"])
        if msg is None:
            return error(404, "Unknown Message", 10008)
        if call.method == "GET":
            return 200, msg
        if call.method == "PATCH":
            if errors := message_errors(call.body):
                return invalid_form_body(errors)
            body = dict(call.body or {})
            if int(msg.get("flags") or 0) & LOADING:
                body["flags"] = int(msg["flags"]) & ~LOADING
            return 200, await edit_message(fake, msg, body, call.files)
        world.messages.pop(int(msg["id"]), None)
        return 204, None

    async def callback(call: Call) -> Result:
        inter = fake.interactions.get(call.params["iid"])
        if inter is None or inter.token != str(call.params["token"]) or inter.expired(fake.clock()):
            return error(404, "Unknown interaction", 10062)  # also when not answered within 3 s
        if inter.callback is not None:
            return error(400, "Interaction has already been acknowledged.", 40060)
        body = call.body or {}
        kind, data = int(body["type"]), body.get("data") or {}
        if kind in (4, 7) and (errors := message_errors(data)):
            return invalid_form_body(errors, "data")
        flags = int(data.get("flags") or 0)
        inter.callback = ({**body, "files": [{k: v for k, v in f.items() if k != "index"}
                                             for f in call.files]} if call.files else body)
        msg = None
        if kind == 4:
            msg = await store_message(fake, inter.channel_id, bot(), data, call.files,
                                      extra=_metadata(inter))
        elif kind == 5:
            msg = await store_message(fake, inter.channel_id, bot(),
                                      {"content": "", "flags": LOADING | (flags & EPHEMERAL)},
                                      extra=_metadata(inter))
        elif kind in (6, 7):  # on a component: @original is the message clicked
            target = inter.payload.get("message") or {}
            msg = world.messages.get(int(target.get("id", 0)))
            if msg is not None and kind == 7:
                msg = await edit_message(fake, msg, data, call.files)
        elif kind == 9:
            fake.modals[data["custom_id"]] = data
            fake.modal_origins[data["custom_id"]] = inter
        inter.original = msg
        fake._changed.set()
        answer: dict[str, Any] = {"interaction": {
            "id": str(inter.id), "type": inter.payload["type"],
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(int((msg or {}).get("flags") or 0) & EPHEMERAL),
        }}
        if msg is not None and kind != 6:
            answer["interaction"]["response_message_id"] = msg["id"]
        if msg is not None and kind in (4, 7):  # only a sent or updated message is a resource
            answer["resource"] = {"type": kind, "message": msg}
        return (200, answer) if call.flag("with_response") else (204, None)

    add("POST", "/channels/{cid}/messages", post)
    add("GET", "/channels/{cid}/messages", history)
    for method in ("GET", "PATCH", "DELETE"):
        add(method, "/channels/{cid}/messages/{mid}", one)
        add(method, "/webhooks/{wid}/{token:[^/]+}/messages/{mid:[0-9]+|@original}",
            webhook_message)
    add("PUT", "/channels/{cid}/messages/{mid}/reactions/{emoji:[^/]+}/@me", reaction)  # own only
    add("DELETE", "/channels/{cid}/messages/{mid}/reactions/{emoji:[^/]+}/{who:[^/]+}", reaction)
    add("POST", "/webhooks/{wid}/{token:[^/]+}", webhook_post)
    add("POST", "/interactions/{iid}/{token:[^/]+}/callback", callback)


def _metadata(inter: FakeInteraction) -> dict[str, Any]:
    """What Discord stamps on a message that answers an interaction."""
    return {"application_id": inter.payload["application_id"],
            "interaction_metadata": _interaction_metadata(inter)}


def _interaction_metadata(inter: FakeInteraction) -> dict[str, Any]:
    payload = inter.payload
    who = payload.get("member", {}).get("user") or payload.get("user")
    found = {"id": payload["id"], "type": payload["type"], "user": who,
             "authorizing_integration_owners": payload["authorizing_integration_owners"]}
    if payload["type"] == 3:
        found["interacted_message_id"] = payload["message"]["id"]
    elif payload["type"] == 5 and inter.origin is not None:
        found["triggering_interaction_metadata"] = _interaction_metadata(inter.origin)
    return found
