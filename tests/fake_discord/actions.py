"""What a test makes users do: post messages, run slash commands, click, fill modals.

Each call sends one gateway event to the logged-in bot and returns what the bot will see
(a message dict) or a `FakeInteraction` handle to await the bot's answer on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import payloads
from .interactions import (
    AUTOCOMPLETE,
    COMPONENT,
    MODAL_SUBMIT,
    SLASH,
    FakeInteraction,
    command_data,
    custom_ids,
    envelope,
    find_component,
    modal_components,
)
from .routes_messages import store_message
from .world import ALL_PERMISSIONS, World

if TYPE_CHECKING:
    from .gateway import Gateway


class Actions:
    """Mixed into FakeDiscord: the user side of the conversation."""

    world: World
    gateway: Gateway
    interactions: dict[int, FakeInteraction]
    _by_token: dict[str, FakeInteraction]
    modals: dict[str, dict[str, Any]]
    modal_origins: dict[str, FakeInteraction]

    async def send_message(self, channel_id: int, author_id: int, content: str = "", *,
                           embeds: list[dict[str, Any]] | None = None,
                           reply_to: int | None = None, bot_offline: bool = False) -> dict[str, Any]:
        """A user posts in a channel, thread or DM channel: MESSAGE_CREATE (guild_id and
        member inside a guild). Returns the message dict. `bot_offline=True`: no bot need be
        logged in (the message waits in the channel's history, as on Discord)."""
        if channel_id not in self.world.channels:
            raise KeyError(f"no channel {channel_id}")
        gid = self.world.guild_of(channel_id)
        if gid and author_id not in self.world.guilds[gid].members:
            raise KeyError(f"user {author_id} is not a member of guild {gid}")
        body: dict[str, Any] = {"content": content, "embeds": embeds or []}
        if reply_to:
            body["message_reference"] = {"message_id": reply_to}
        return await store_message(self, channel_id, payloads.user(self.world, author_id), body,
                                   bot_offline=bot_offline)

    async def send_dm(self, user_id: int, content: str) -> dict[str, Any]:
        """A user writes to the bot in their DM channel (made on first use)."""
        return await self.send_message(self.world.dm_channel(user_id), user_id, content)

    async def _interact(self, payload: dict[str, Any],
                        origin: FakeInteraction | None = None) -> FakeInteraction:
        inter = FakeInteraction(self, payload, origin=origin, created=self.clock())  # type: ignore[arg-type]
        self.interactions[inter.id] = inter
        self._by_token[inter.token] = inter
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return inter

    def _check_place(self, guild_id: int | None, channel_id: int) -> None:
        if channel_id not in self.world.channels:
            raise KeyError(f"no channel {channel_id}")
        if guild_id is not None and self.world.guild_of(channel_id) != guild_id:
            raise KeyError(f"channel {channel_id} is not in guild {guild_id}")

    @staticmethod
    def _path(name: str, subcommand: str | None) -> list[str]:
        return name.split() + (subcommand.split() if subcommand else [])

    async def invoke_slash(self, guild_id: int | None, channel_id: int, user_id: int, name: str,
                           options: dict[str, Any] | None = None, subcommand: str | None = None,
                           *, admin: bool = False) -> FakeInteraction:
        """Run `/name [subcommand] option:value...` (name may be "demo start", subcommand
        "group sub"). `admin=True` gives the member all permissions for this interaction."""
        self._check_place(guild_id, channel_id)
        data = command_data(self.world, self.world.guild_of(channel_id),
                            self._path(name, subcommand), options or {})
        payload = envelope(self.world, kind=SLASH, user_id=user_id, channel_id=channel_id,
                           data=data)
        if admin and "member" in payload:
            payload["member"]["permissions"] = str(ALL_PERMISSIONS)
        return await self._interact(payload)

    async def autocomplete(self, guild_id: int | None, channel_id: int, user_id: int, name: str,
                           focused: str, value: str = "", options: dict[str, Any] | None = None,
                           subcommand: str | None = None) -> FakeInteraction:
        """The user types `value` into option `focused`; the answer is a type 8 callback
        whose data["choices"] are the suggestions."""
        self._check_place(guild_id, channel_id)
        data = command_data(self.world, self.world.guild_of(channel_id),
                            self._path(name, subcommand), {**(options or {}), focused: value},
                            focused=focused)
        return await self._interact(envelope(self.world, kind=AUTOCOMPLETE, user_id=user_id,
                                             channel_id=channel_id, data=data))

    def _message(self, message: dict[str, Any] | int) -> dict[str, Any]:
        mid = int(message["id"]) if isinstance(message, dict) else int(message)
        if mid not in self.world.messages:
            raise KeyError(f"no message {mid} in the fake")
        return self.world.messages[mid]

    async def click_button(self, message: dict[str, Any] | int, custom_id: str, user_id: int,
                           *, values: list[str] | None = None) -> FakeInteraction:
        """Click a button (or, with `values`, pick in a select) on a message the bot posted;
        the interaction carries that message."""
        msg = self._message(message)
        comp = find_component(msg.get("components") or [], custom_id)
        if comp is None:
            raise KeyError(f"message {msg['id']} has no component {custom_id!r}; it has "
                           f"{custom_ids(msg.get('components') or [])}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"]}
        if values is not None or comp["type"] != 2:
            data["values"] = list(values or [])
        payload = envelope(self.world, kind=COMPONENT, user_id=user_id,
                           channel_id=int(msg["channel_id"]), data=data, message=dict(msg))
        return await self._interact(payload)

    async def select(self, message: dict[str, Any] | int, custom_id: str, values: list[str],
                     user_id: int) -> FakeInteraction:
        """Pick `values` in a select menu on a bot message."""
        return await self.click_button(message, custom_id, user_id, values=values)

    async def submit_modal(self, custom_id: str, values: dict[str, str], user_id: int,
                           channel_id: int, guild_id: int | None = None) -> FakeInteraction:
        """Submit the modal `custom_id` with text inputs {input custom_id: value}; mirrors the
        layout of the modal the bot last showed with that custom_id (rows or labels)."""
        self._check_place(guild_id, channel_id)
        data = {"custom_id": custom_id,
                "components": modal_components(self.modals.get(custom_id), values)}
        return await self._interact(envelope(self.world, kind=MODAL_SUBMIT, user_id=user_id,
                                             channel_id=channel_id, data=data),
                                    origin=self.modal_origins.get(custom_id))
