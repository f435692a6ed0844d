"""Builders of the JSON payloads discord.py parses, read from the world.

Kept apart from the server so the shapes (which fields discord.py indexes with `data[...]`)
are in one place: members need `flags`/`joined_at`/`roles`, threads need `thread_metadata`,
messages need `type`/`content`/`author`/`attachments`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .world import THREAD_TYPES, World, now_iso

MENTION = re.compile(r"<@!?(\d+)>")
EPHEMERAL, LOADING = 64, 128


def user(world: World, user_id: int) -> dict[str, Any]:
    return dict(world.users[user_id])


def member(world: World, guild_id: int, user_id: int, *, with_user: bool = True,
           permissions: bool = False) -> dict[str, Any]:
    """A guild member; `permissions=True` adds the computed string as interactions carry it."""
    data = copy.deepcopy(world.guilds[guild_id].members[user_id])
    if with_user:
        data["user"] = user(world, user_id)
    if permissions:
        data["permissions"] = str(world.permissions(guild_id, user_id))
    return data


def channel(world: World, channel_id: int) -> dict[str, Any]:
    return copy.deepcopy(world.channels[channel_id])


def thread_member(thread_id: int, user_id: int, joined_at: str) -> dict[str, Any]:
    return {"id": str(thread_id), "user_id": str(user_id), "join_timestamp": joined_at, "flags": 0}


def thread(world: World, thread_id: int, *, with_me: bool = True) -> dict[str, Any]:
    """A thread channel; carries the bot's own thread membership when it has one."""
    data = channel(world, thread_id)
    joined = world.thread_members.get(thread_id, {}).get(world.app_id)
    if with_me and joined:
        data["member"] = thread_member(thread_id, world.app_id, joined)
    return data


def any_channel(world: World, channel_id: int) -> dict[str, Any]:
    if world.channels[channel_id]["type"] in THREAD_TYPES:
        return thread(world, channel_id)
    return channel(world, channel_id)


def guild_create(world: World, guild_id: int) -> dict[str, Any]:
    """The full GUILD_CREATE: member_count equals the members sent, so no chunking is asked."""
    guild = world.guilds[guild_id]
    channels = [channel(world, cid) for cid, c in world.channels.items()
                if c.get("guild_id") == str(guild_id) and c["type"] not in THREAD_TYPES]
    threads = [thread(world, cid) for cid, c in world.channels.items()
               if c.get("guild_id") == str(guild_id) and c["type"] in THREAD_TYPES
               and not c["thread_metadata"]["archived"]]
    return {
        "id": str(guild_id), "name": guild.name, "icon": None, "splash": None, "banner": None,
        "owner_id": str(guild.owner_id), "afk_timeout": 300, "verification_level": 0,
        "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
        "nsfw_level": 0, "premium_tier": 0, "preferred_locale": "en-US", "features": [],
        "home_header": None, "discovery_splash": None, "region": "deprecated",
        "afk_channel_id": None, "widget_enabled": False, "widget_channel_id": None,
        "max_presences": None, "max_members": 250000, "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25, "vanity_url_code": None, "premium_subscription_count": 0,
        "safety_alerts_channel_id": None, "public_updates_channel_id": None,
        "premium_progress_bar_enabled": False, "nsfw": False, "incidents_data": None,
        "system_channel_id": None, "system_channel_flags": 0, "rules_channel_id": None,
        "description": None, "unavailable": False, "large": False, "joined_at": now_iso(),
        "member_count": len(guild.members), "lazy": True, "application_id": None,
        "roles": [copy.deepcopy(r) for r in guild.roles.values()],
        "members": [member(world, guild_id, uid) for uid in guild.members],
        "channels": channels, "threads": threads, "emojis": [], "stickers": [], "presences": [],
        "voice_states": [], "stage_instances": [], "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def ready(world: World, session_id: str, resume_url: str, guild_ids: list[int],
          shard: tuple[int, int] | None = None) -> dict[str, Any]:
    """READY for one connection: its guilds (a shard's own, or all), each to follow as GUILD_CREATE."""
    extra: dict[str, Any] = {} if shard is None else {"shard": list(shard)}
    return {
        **extra, "v": 10, "user": own_user(world),
        "guilds": [{"id": str(gid), "unavailable": True} for gid in guild_ids],
        "session_id": session_id, "resume_gateway_url": resume_url, "private_channels": [],
        "relationships": [], "application": {"id": str(world.app_id), "flags": 0},
        "_trace": ["fake-discord"],
    }


def own_user(world: World) -> dict[str, Any]:
    """The bot's own user as GET /users/@me and READY give it (with its private fields)."""
    return {**user(world, world.app_id), "verified": True, "mfa_enabled": False, "email": None,
            "locale": "en-US"}


def application(world: World) -> dict[str, Any]:
    """GET /oauth2/applications/@me: a private application (what AppInfo reads, and more)."""
    return {
        "id": str(world.app_id), "name": world.app_name, "icon": None, "description": "",
        "type": None, "bot_public": True, "bot_require_code_grant": False,
        "owner": user(world, world.owner_id), "verify_key": "0" * 64, "flags": 0, "flags_new": "0",
        "team": None, "summary": "", "rpc_origins": [], "redirect_uris": [],
        "bot": user(world, world.app_id), "interactions_endpoint_url": None,
        "role_connections_verification_url": None, "approximate_guild_count": len(world.guilds),
        "approximate_user_install_count": 0, "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0, "eligible_oauth2_scopes": ["bot", "applications.commands"],
    }


def command_defaults(cmd: dict[str, Any]) -> dict[str, Any]:
    """What Discord stores for fields a command upload leaves null: permissions as a string,
    installable to guilds, usable in every context."""
    perms = cmd.get("default_member_permissions")
    return {"default_member_permissions": None if perms is None else str(perms),
            "integration_types": cmd.get("integration_types") or [0],
            "contexts": cmd.get("contexts")}


def mentions(world: World, content: str, guild_id: int | None) -> list[dict[str, Any]]:
    """Users mentioned as <@id> in content (with `member` inside a guild)."""
    found = []
    for uid in dict.fromkeys(int(m) for m in MENTION.findall(content or "")):
        if uid not in world.users:
            continue
        data = user(world, uid)
        if guild_id and uid in world.guilds[guild_id].members:
            data["member"] = member(world, guild_id, uid, with_user=False)
        found.append(data)
    return found


def message(world: World, *, channel_id: int, author: dict[str, Any], body: dict[str, Any],
            message_id: int | None = None, webhook_id: int | None = None,
            attachments: list[dict[str, Any]] | None = None, extra: dict[str, Any] | None = None,
            ) -> dict[str, Any]:
    """A message as the REST API returns it and MESSAGE_CREATE carries it."""
    guild_id = world.guild_of(channel_id)
    content = body.get("content") or ""
    data: dict[str, Any] = {
        "id": str(message_id or world.ids.next()), "channel_id": str(channel_id), "type": 0,
        "author": author, "content": content, "timestamp": now_iso(), "edited_timestamp": None,
        "tts": bool(body.get("tts")), "mention_everyone": False,
        "mentions": mentions(world, content, guild_id), "mention_roles": [],
        "attachments": attachments or [], "embeds": body.get("embeds") or [],
        "components": copy.deepcopy(body.get("components") or []),
        "flags": int(body.get("flags") or 0),
        "pinned": False, "reactions": [],
    }
    number_components(data["components"])
    if body.get("nonce") is not None:
        data["nonce"] = body["nonce"]
    if body.get("poll"):
        data["poll"] = body["poll"]
    if guild_id:
        data["guild_id"] = str(guild_id)
        author_id = int(author["id"])
        if webhook_id is None and author_id in world.guilds[guild_id].members:
            data["member"] = member(world, guild_id, author_id, with_user=False)
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    ref = body.get("message_reference")
    if ref and ref.get("message_id"):
        data["type"] = 19
        data["message_reference"] = {"type": 0, "message_id": str(ref["message_id"]),
                                     "channel_id": str(ref.get("channel_id") or channel_id)}
        if guild_id:
            data["message_reference"]["guild_id"] = str(guild_id)
        referenced = world.messages.get(int(ref["message_id"]))
        if referenced is not None:
            data["referenced_message"] = {k: v for k, v in referenced.items()
                                          if k != "referenced_message"}
    data.update(extra or {})
    return data


def number_components(components: list[dict[str, Any]], start: int = 0) -> int:
    """Store components as Discord does: a numeric `id` for each one without (depth first), and
    a unicode emoji without its null `id`. Returns the last id used."""
    for comp in components:
        if comp.get("id") is None:
            start += 1
            comp["id"] = start
        emoji = comp.get("emoji")
        if isinstance(emoji, dict) and emoji.get("id") is None:
            emoji.pop("id", None)
        nested = list(comp.get("components") or [])
        nested += [comp[k] for k in ("accessory", "component") if isinstance(comp.get(k), dict)]
        start = number_components(nested, start)
    return start


def attachments_from(body: dict[str, Any], files: list[dict[str, Any]], channel_id: int,
                     existing: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Attachments for a post or edit: uploads matched by `attachments[].id` = file index, and
    (on edits) kept attachments named by their own id."""
    by_index = {f["index"]: f for f in files}
    kept = {a["id"]: a for a in existing}
    wanted = body.get("attachments")
    if wanted is None:
        wanted = [{"id": f["index"]} for f in files] + [{"id": a["id"]} for a in existing]
    result = []
    for spec in wanted:
        ident = str(spec.get("id", ""))
        upload = by_index.get(int(ident)) if ident.isdigit() else None
        if upload is None:
            if ident in kept:
                result.append(kept[ident])
            continue
        aid, name = upload["id"], spec.get("filename") or upload["filename"]
        url = f"https://cdn.discordapp.com/attachments/{channel_id}/{aid}/{name}"
        found = {"id": str(aid), "filename": name, "size": upload["size"], "url": url,
                 "proxy_url": url, "content_type": upload["content_type"]}
        if spec.get("description") is not None:
            found["description"] = spec["description"]
        result.append(found)
    return result


def webhook_author(world: World, hook: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The author of a webhook post: the hook's id, the username/avatar of that post."""
    return {"id": hook["id"], "username": body.get("username") or hook["name"],
            "avatar": None, "discriminator": "0000", "bot": True, "global_name": None,
            "public_flags": 0, "flags": 0, "primary_guild": None}


def error(status: int, message: str, code: int = 0) -> tuple[int, dict[str, Any]]:
    """A Discord-style error body, e.g. (404, {"message": "Unknown Channel", "code": 10003})."""
    return status, {"message": message, "code": code}
