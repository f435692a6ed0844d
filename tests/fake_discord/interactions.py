"""INTERACTION_CREATE payloads (slash, autocomplete, component, modal) and their handles.

Option types are taken from the command schema the bot registered with PUT .../commands when
there is one, so a test can pass plain ids for user/role/channel options; without a schema
they are inferred from the Python value (wrap ids in UserRef/RoleRef/ChannelRef).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import payloads
from .world import ALL_PERMISSIONS, THREAD_TYPES, World

# How long a test waits for the bot before it fails. A bound for failure, not a pace: every wait
# returns as soon as what it waits for happens, so a loaded machine only makes a failure slower.
PATIENCE = 60.0

if TYPE_CHECKING:
    from .server import FakeDiscord

SLASH, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
INITIAL_RESPONSE_SECONDS, TOKEN_SECONDS = 3.0, 15 * 60.0
SUB_COMMAND, SUB_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10


@dataclass(frozen=True)
class UserRef:
    """Marks an option value as a user id when the command schema is not known."""

    id: int


@dataclass(frozen=True)
class RoleRef:
    id: int


@dataclass(frozen=True)
class ChannelRef:
    id: int


@dataclass
class FakeInteraction:
    """One interaction sent to the bot, and everything the bot answered to it."""

    fake: FakeDiscord = field(repr=False)
    payload: dict[str, Any] = field(repr=False)
    callback: dict[str, Any] | None = None  # the body POSTed to /callback: {"type", "data"}
    original: dict[str, Any] | None = None  # message made by the callback (type 4/5/7)
    followups: list[dict[str, Any]] = field(default_factory=list)
    origin: FakeInteraction | None = field(default=None, repr=False)  # what showed a modal
    created: float = 0.0  # on the fake's clock: 3 s to answer, 15 min for followups

    def expired(self, now: float, *, followup: bool = False) -> bool:
        return now - self.created > (TOKEN_SECONDS if followup else INITIAL_RESPONSE_SECONDS)

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return self.payload["token"]

    @property
    def channel_id(self) -> int | None:
        return int(self.payload["channel_id"]) if self.payload.get("channel_id") else None

    @property
    def type(self) -> int | None:
        """The callback type the bot chose (4 message, 5 deferred, 6, 7 update, 8, 9 modal)."""
        return self.callback["type"] if self.callback else None

    @property
    def data(self) -> dict[str, Any]:
        """The callback's `data` ({} before the bot answered or for types 5/6 without flags)."""
        return (self.callback or {}).get("data") or {}

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & payloads.EPHEMERAL)

    async def response(self, timeout: float = PATIENCE) -> dict[str, Any]:
        """Wait for the bot's callback body, e.g. {"type": 4, "data": {"content", "flags"}}."""
        return await self.fake.wait_for(lambda: self.callback, timeout,
                                        what=f"a callback to interaction {self.id}")

    async def followup(self, index: int = 0, timeout: float = PATIENCE) -> dict[str, Any]:
        """Wait for the bot's index-th followup message (the first one after a deferred
        response edits the deferred 'thinking' message, as on Discord)."""
        return await self.fake.wait_for(
            lambda: self.followups[index] if len(self.followups) > index else None, timeout,
            what=f"followup #{index} to interaction {self.id}")


def _find_command(world: World, name: str, guild_id: int | None) -> dict[str, Any] | None:
    for scope in ((guild_id, None) if guild_id else (None,)):
        for cmd in world.commands.get(scope, []):
            if cmd["name"] == name and cmd.get("type", 1) == 1:
                return cmd
    return None


def _infer_type(value: Any) -> int:
    if isinstance(value, UserRef):
        return USER
    if isinstance(value, RoleRef):
        return ROLE
    if isinstance(value, ChannelRef):
        return CHANNEL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    return STRING


def _option(world: World, guild_id: int | None, name: str, value: Any, kind: int,
            resolved: dict[str, dict[str, Any]]) -> dict[str, Any]:
    raw = getattr(value, "id", value)
    if kind == MENTIONABLE:
        kind = ROLE if guild_id and int(raw) in world.guilds[guild_id].roles else USER
    if kind == USER:
        uid = int(raw)
        resolved.setdefault("users", {})[str(uid)] = payloads.user(world, uid)
        if guild_id and uid in world.guilds[guild_id].members:
            resolved.setdefault("members", {})[str(uid)] = payloads.member(
                world, guild_id, uid, with_user=False, permissions=True)
        raw = str(uid)
    elif kind == ROLE:
        resolved.setdefault("roles", {})[str(raw)] = dict(world.guilds[guild_id].roles[int(raw)])
        raw = str(raw)
    elif kind == CHANNEL:
        data = payloads.any_channel(world, int(raw))
        data["permissions"] = str(ALL_PERMISSIONS)
        resolved.setdefault("channels", {})[str(raw)] = data
        raw = str(raw)
    elif kind == INTEGER:
        raw = int(raw)
    elif kind == NUMBER:
        raw = float(raw)
    elif kind == BOOLEAN:
        raw = bool(raw)
    return {"name": name, "type": kind, "value": raw}


def command_data(world: World, guild_id: int | None, path: list[str], options: dict[str, Any],
                 focused: str | None = None) -> dict[str, Any]:
    """`data` of a slash/autocomplete interaction for the command path ['demo', 'start']."""
    cmd = _find_command(world, path[0], guild_id)
    data: dict[str, Any] = {"id": cmd["id"] if cmd else str(world.ids.next()), "name": path[0],
                            "type": 1}
    if cmd and cmd.get("guild_id"):
        data["guild_id"] = cmd["guild_id"]
    schema = (cmd or {}).get("options") or []
    resolved: dict[str, dict[str, Any]] = {}
    top: list[dict[str, Any]] = []
    holder = top
    for depth, part in enumerate(path[1:]):
        spec = next((o for o in schema if o["name"] == part), None)
        if cmd and spec is None:
            raise KeyError(f"/{' '.join(path[:depth + 1])} has no subcommand {part!r}")
        kind = spec["type"] if spec else (SUB_GROUP if depth < len(path) - 2 else SUB_COMMAND)
        node = {"name": part, "type": kind, "options": []}
        holder.append(node)
        holder, schema = node["options"], (spec or {}).get("options") or []
    for name, value in options.items():
        spec = next((o for o in schema if o["name"] == name), None)
        if cmd and spec is None:
            raise KeyError(f"/{' '.join(path)} has no option {name!r}")
        option = _option(world, guild_id, name, value,
                         spec["type"] if spec else _infer_type(value), resolved)
        if name == focused:
            option["focused"] = True
            option["value"] = value if isinstance(value, str) else str(value)
        holder.append(option)
    if top:
        data["options"] = top
    if resolved:
        data["resolved"] = resolved
    return data


def envelope(world: World, *, kind: int, user_id: int, channel_id: int | None,
             data: dict[str, Any], message: dict[str, Any] | None = None) -> dict[str, Any]:
    """The common interaction body: member (with permissions) in a guild, user in a DM."""
    iid = world.ids.next()
    guild_id = world.guild_of(channel_id) if channel_id else None
    payload: dict[str, Any] = {
        "id": str(iid), "application_id": str(world.app_id), "type": kind, "data": data,
        "token": f"itok-{iid}", "version": 1, "locale": "en-US", "entitlements": [],
        "app_permissions": str(ALL_PERMISSIONS), "attachment_size_limit": 10 * 1024 * 1024,
        "context": 0 if guild_id else 1,
        "authorizing_integration_owners": {"0": str(guild_id)} if guild_id else {"1": str(user_id)},
    }
    if channel_id:
        payload["channel_id"] = str(channel_id)
        channel = payloads.any_channel(world, channel_id)
        if channel["type"] not in THREAD_TYPES:
            channel.pop("member", None)
        payload["channel"] = channel
    if guild_id:
        payload["guild_id"] = str(guild_id)
        payload["guild_locale"] = "en-US"
        payload["guild"] = {"id": str(guild_id), "locale": "en-US", "features": []}
        if user_id not in world.guilds[guild_id].members:
            raise KeyError(f"user {user_id} is not a member of guild {guild_id}")
        payload["member"] = payloads.member(world, guild_id, user_id, permissions=True)
    else:
        payload["user"] = payloads.user(world, user_id)
    if message is not None:
        payload["message"] = message
    return payload


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    """Depth-first search through rows, containers, sections (accessory) and labels."""
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        nested = list(comp.get("components") or [])
        nested += [comp[k] for k in ("accessory", "component") if isinstance(comp.get(k), dict)]
        found = find_component(nested, custom_id)
        if found:
            return found
    return None


def custom_ids(components: list[dict[str, Any]]) -> list[str]:
    found = []
    for comp in components:
        if comp.get("custom_id"):
            found.append(comp["custom_id"])
        nested = list(comp.get("components") or [])
        nested += [comp[k] for k in ("accessory", "component") if isinstance(comp.get(k), dict)]
        found += custom_ids(nested)
    return found


def modal_components(modal: dict[str, Any] | None, values: dict[str, str]) -> list[dict[str, Any]]:
    """Submitted components: mirror the modal the bot showed (rows or labels) when known."""
    if modal is None:
        return [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in values.items()]

    def submitted(comp: dict[str, Any]) -> dict[str, Any]:
        cid = comp.get("custom_id")
        if comp.get("type") == 4:
            return {"type": 4, "id": comp.get("id"), "custom_id": cid, "value": values.get(cid, "")}
        return {"type": comp.get("type"), "id": comp.get("id"), "custom_id": cid,
                "values": list(values.get(cid) or [])} if cid else {"type": comp.get("type")}

    out = []
    for comp in modal.get("components", []):
        if comp.get("type") == 1:
            out.append({"type": 1, "components": [submitted(c) for c in comp["components"]]})
        elif comp.get("type") == 18:
            out.append({"type": 18, "id": comp.get("id"),
                        "component": submitted(comp["component"])})
        else:
            out.append(submitted(comp))
    unknown = set(values) - set(custom_ids(modal.get("components", [])))
    if unknown:
        raise KeyError(f"modal {modal.get('custom_id')!r} has no inputs {sorted(unknown)}")
    return out
