"""The fake's world: users, guilds, roles, channels, threads, messages and webhooks.

Everything is kept as the JSON-shaped dicts Discord would send, so the gateway and the REST
routes can hand out copies without translating. Snowflakes are real-looking (time based) and
strictly increasing, so discord.py's `created_at` and ordering behave as in production.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = (1 << 51) - 1
# What @everyone has in a fresh server: invite, react, view, send, embed, attach, history,
# external emoji, connect, speak, nickname, app commands, threads (public/private/send in).
DEFAULT_EVERYONE_PERMISSIONS = sum(
    1 << bit for bit in (0, 6, 10, 11, 14, 15, 16, 18, 20, 21, 26, 31, 35, 36, 38))

VIEW_CHANNEL, SEND_MESSAGES, ATTACH_FILES = 1 << 10, 1 << 11, 1 << 15
MANAGE_WEBHOOKS, CREATE_PUBLIC_THREADS, CREATE_PRIVATE_THREADS = 1 << 29, 1 << 35, 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38

TEXT, DM, CATEGORY, PUBLIC_THREAD, PRIVATE_THREAD = 0, 1, 4, 11, 12
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)


def now_iso() -> str:
    """Discord's timestamp format (ISO 8601, UTC)."""
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Increasing, time-based ids: later objects always get bigger ids."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


@dataclass
class GuildState:
    """A guild's own facts; its channels live in `World.channels` with a `guild_id`."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)  # user id -> member (no user)


class World:
    """The state a test builds before (or while) a bot is logged in to the fake."""

    def __init__(self, app_name: str = "Composure") -> None:
        self.ids = Snowflakes()
        self._names = itertools.count(1)
        self.owner_id = self.ids.next()
        self.app_id = self.ids.next()
        self.users: dict[int, dict[str, Any]] = {}
        self.add_user("app-owner", user_id=self.owner_id)
        self.add_user(app_name, user_id=self.app_id, bot=True)
        self.app_name = app_name
        self.guilds: dict[int, GuildState] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.thread_members: dict[int, dict[int, str]] = {}  # thread id -> user id -> joined at
        self.dm_by_user: dict[int, int] = {}
        self.messages: dict[int, dict[str, Any]] = {}  # insertion order is posting order
        self.webhooks: dict[int, dict[str, Any]] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None: global)
        self.files: dict[int, bytes] = {}  # attachment id -> uploaded bytes

    # --- building the world ------------------------------------------------------------------

    def add_user(self, name: str | None = None, *, user_id: int | None = None, bot: bool = False,
                 global_name: str | None = None) -> int:
        """A user (not yet in any guild); returns its id."""
        uid = user_id or self.ids.next()
        self.users[uid] = {
            "id": str(uid), "username": name or f"user{next(self._names)}",
            "global_name": global_name,
            "discriminator": "0", "avatar": None, "bot": bot, "public_flags": 0, "flags": 0,
            "primary_guild": None,
        }
        return uid

    def add_guild(self, name: str = "Test guild", *, owner_id: int | None = None,
                  everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
                  bot_permissions: int = ADMINISTRATOR) -> int:
        """A guild with @everyone, the bot as a member (with its managed role) and an owner."""
        gid = self.ids.next()
        owner = owner_id or self.add_user(f"{name} owner")
        if owner not in self.users:
            self.add_user(user_id=owner)
        self.guilds[gid] = GuildState(gid, name, owner)
        self._role(gid, gid, "@everyone", everyone_permissions, position=0)
        bot_role = self.add_role(gid, self.app_name, permissions=bot_permissions)
        self.guilds[gid].roles[bot_role].update(managed=True, tags={"bot_id": str(self.app_id)})
        self.add_member(gid, self.app_id, roles=[bot_role])
        self.add_member(gid, owner)
        return gid

    def _role(self, gid: int, rid: int, name: str, permissions: int, position: int) -> int:
        self.guilds[gid].roles[rid] = {
            "id": str(rid), "name": name, "permissions": str(permissions), "position": position,
            "color": 0, "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False, "icon": None, "unicode_emoji": None, "managed": False,
            "mentionable": False, "flags": 0,
        }
        return rid

    def add_role(self, guild_id: int, name: str, *, permissions: int = 0,
                 admin: bool = False) -> int:
        """A role above the existing ones; `admin=True` adds the Administrator bit."""
        roles = self.guilds[guild_id].roles
        perms = permissions | (ADMINISTRATOR if admin else 0)
        return self._role(guild_id, self.ids.next(), name, perms, position=len(roles))

    def add_member(self, guild_id: int, user_id: int | None = None, name: str | None = None, *,
                   roles: list[int] | tuple[int, ...] = (), nick: str | None = None) -> int:
        """Put a user (made here if new) in a guild with the given role ids; returns the user id."""
        if user_id is None or user_id not in self.users:
            user_id = self.add_user(name, user_id=user_id)
        elif name is not None:
            self.users[user_id]["username"] = name
        guild = self.guilds[guild_id]
        unknown = [r for r in roles if r not in guild.roles]
        if unknown:
            raise KeyError(f"roles {unknown} are not in guild {guild_id}")
        guild.members[user_id] = {
            "roles": [str(r) for r in roles], "nick": nick, "joined_at": now_iso(), "deaf": False,
            "mute": False, "flags": 0, "pending": False, "premium_since": None, "avatar": None,
            "banner": None, "communication_disabled_until": None,
        }
        return user_id

    def add_category(self, guild_id: int, name: str) -> int:
        """A category channel (type 4) to parent text channels."""
        return self._channel(guild_id, name, CATEGORY, None)

    def add_text_channel(self, guild_id: int, name: str, *, parent_id: int | None = None,
                         topic: str | None = None) -> int:
        """A text channel (type 0) in a guild; returns its id."""
        cid = self._channel(guild_id, name, TEXT, parent_id)
        self.channels[cid].update(topic=topic, rate_limit_per_user=0, last_message_id=None,
                                  default_auto_archive_duration=1440)
        return cid

    def _channel(self, guild_id: int, name: str, type_: int, parent_id: int | None) -> int:
        if guild_id not in self.guilds:
            raise KeyError(f"no guild {guild_id}")
        cid = self.ids.next()
        position = sum(1 for c in self.channels.values() if c.get("guild_id") == str(guild_id))
        self.channels[cid] = {
            "id": str(cid), "type": type_, "guild_id": str(guild_id), "name": name,
            "position": position, "parent_id": str(parent_id) if parent_id else None, "nsfw": False,
            "permission_overwrites": [], "flags": 0,
        }
        return cid

    def add_thread(self, parent_id: int, name: str, *, owner_id: int | None = None,
                   private: bool = True, member_ids: list[int] | tuple[int, ...] = (),
                   invitable: bool = False, auto_archive_duration: int = 1440) -> int:
        """A thread under a text channel (private: type 12); the owner is a member of it."""
        parent = self.channels[parent_id]
        tid = self.ids.next()
        owner = owner_id or self.app_id
        self.channels[tid] = {
            "id": str(tid), "type": PRIVATE_THREAD if private else PUBLIC_THREAD,
            "guild_id": parent["guild_id"], "parent_id": str(parent_id), "owner_id": str(owner),
            "name": name, "last_message_id": None, "rate_limit_per_user": 0, "message_count": 0,
            "member_count": 0, "total_message_sent": 0, "flags": 0, "applied_tags": [],
            "thread_metadata": {
                "archived": False, "auto_archive_duration": auto_archive_duration,
                "archive_timestamp": now_iso(), "locked": False, "invitable": invitable,
                "create_timestamp": now_iso(),
            },
        }
        self.thread_members[tid] = {}
        for uid in (owner, *member_ids):
            self.join_thread(tid, uid)
        return tid

    def join_thread(self, thread_id: int, user_id: int) -> None:
        """Record a thread membership (idempotent) and keep member_count right."""
        members = self.thread_members.setdefault(thread_id, {})
        members.setdefault(user_id, now_iso())
        self.channels[thread_id]["member_count"] = len(members)

    def dm_channel(self, user_id: int) -> int:
        """The bot's DM channel with a user, made on first use."""
        if user_id not in self.dm_by_user:
            cid = self.ids.next()
            self.channels[cid] = {"id": str(cid), "type": DM, "last_message_id": None, "flags": 0,
                                  "recipients": [dict(self.users[user_id])]}
            self.dm_by_user[user_id] = cid
        return self.dm_by_user[user_id]

    def add_webhook(self, channel_id: int, name: str, *, owned: bool = True) -> int:
        """An incoming webhook in a channel; `owned` ones have a token and the app's id."""
        channel = self.channels[channel_id]
        wid = self.ids.next()
        self.webhooks[wid] = {
            "id": str(wid), "type": 1, "guild_id": channel.get("guild_id"),
            "channel_id": str(channel_id), "name": name, "avatar": None,
            "token": f"whtok-{wid}" if owned else None,
            "application_id": str(self.app_id) if owned else None,
            "user": dict(self.users[self.app_id if owned else self.owner_id]),
        }
        return wid

    # --- reading the world ------------------------------------------------------------------------

    def guild_of(self, channel_id: int) -> int | None:
        """The guild id a channel or thread belongs to (None for DMs)."""
        gid = self.channels[channel_id].get("guild_id")
        return int(gid) if gid else None

    def permissions(self, guild_id: int, user_id: int) -> int:
        """Guild-level permissions: @everyone plus roles; owner and Administrator get all."""
        guild = self.guilds[guild_id]
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        perms = int(guild.roles[guild_id]["permissions"])
        for rid in guild.members[user_id]["roles"]:
            perms |= int(guild.roles[int(rid)]["permissions"])
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def channel_permissions(self, channel_id: int, user_id: int) -> int:
        """Discord's computation: guild permissions, then the channel's overwrites for @everyone,
        the member's roles (denies, then allows) and the member; threads use their parent's."""
        channel = self.channels[channel_id]
        gid = self.guild_of(channel_id)
        if gid is None:
            return ALL_PERMISSIONS
        perms = self.permissions(gid, user_id)
        if perms & ADMINISTRATOR or perms == ALL_PERMISSIONS:
            return ALL_PERMISSIONS
        if channel["type"] in THREAD_TYPES:
            channel = self.channels[int(channel["parent_id"])]
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites") or []}
        roles = [int(r) for r in self.guilds[gid].members[user_id]["roles"]]
        layers = [[overwrites.get(gid)], [overwrites.get(r) for r in roles], [overwrites.get(user_id)]]
        for layer in layers:
            allow = deny = 0
            for overwrite in filter(None, layer):
                allow |= int(overwrite["allow"])
                deny |= int(overwrite["deny"])
            perms = (perms & ~deny) | allow
        return perms

    def add_overwrite(self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0) -> None:
        """A permission overwrite on a channel for a role (or the guild id: @everyone) or a member."""
        gid = self.guild_of(channel_id)
        kind = 0 if gid is not None and target_id in self.guilds[gid].roles else 1
        overwrites = self.channels[channel_id].setdefault("permission_overwrites", [])
        overwrites[:] = [o for o in overwrites if int(o["id"]) != target_id]
        overwrites.append({"id": str(target_id), "type": kind, "allow": str(allow), "deny": str(deny)})
