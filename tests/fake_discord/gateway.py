"""The fake gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME, dispatch.

Frames go out as uncompressed JSON text, which discord.py accepts even though it asks for
`compress=zlib-stream`. Each websocket is one session; dispatch goes to every identified one
(normally just the bot under test). A session that IDENTIFYs with `shard: [id, count]` is
served as Discord serves a shard: READY and GUILD_CREATE for its own guilds only
(`(guild_id >> 22) % count == id`), only those guilds' events, and DMs on shard 0 alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads
from .audit import Audit

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, REQUEST_MEMBERS = 0, 1, 2, 6, 8
RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 7, 9, 10, 11
MESSAGE_CONTENT_INTENT = 1 << 15
DISALLOWED_INTENTS, INVALID_SHARD = 4014, 4010
HEARTBEAT_INTERVAL_MS = 41250


@dataclass
class Session:
    """One gateway connection and its sequence counter."""

    ws: web.WebSocketResponse
    audit: Audit
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    seq: int = 0
    identified: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    sent: list[tuple[int, str, Any]] = field(default_factory=list)  # (s, t, d) dispatched, for RESUME
    dropped: bool = False  # closed by Discord with a resumable code
    intents: int = 0
    shard: tuple[int, int] | None = None  # (id, count) from IDENTIFY; None: unsharded, every guild

    def serves(self, guild_id: int | str | None) -> bool:
        """Whether Discord sends this guild's events (None: a DM) on this session's connection."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else (int(guild_id) >> 22) % count == shard_id

    def remember(self, event: str, data: Any) -> int:
        """Number an event for this session without sending it (the bot is away); replayed on RESUME."""
        self.seq += 1
        self.sent.append((self.seq, event, data))
        return self.seq

    async def send(self, op: int, data: Any, event: str | None = None) -> None:
        async with self.lock:  # keeps `s` in the order frames are written
            frame: dict[str, Any] = {"op": op, "d": data, "s": None, "t": event}
            if op == DISPATCH:
                self.seq += 1
                frame["s"] = self.seq
                self.sent.append((self.seq, event, data))
            if self.ws.closed:
                return
            self.audit.gw_send(frame)
            try:
                await self.ws.send_str(json.dumps(frame))
            except (ConnectionResetError, RuntimeError) as exc:  # the bot hung up meanwhile
                log.debug("fake gateway could not send %s: %r", event or op, exc)


class Gateway:
    """Accepts bot connections and sends them events taken from the world."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: list[Session] = []
        self.identifies: list[dict[str, Any]] = []  # IDENTIFY payloads (token redacted)
        self.resumes = 0
        self.replayed = 0  # events sent again on RESUME
        self.reconnects_sent = 0  # op 7 frames
        self._old_sessions: dict[str, Session] = {}  # closed, resumable sessions by id
        self.open = asyncio.Event()  # cleared while "Discord's gateway is down": no handshakes
        self.open.set()

    @property
    def live(self) -> list[Session]:
        return [s for s in self.sessions if s.identified and not s.ws.closed]

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        await self.open.wait()
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        session = Session(ws, self.fake.audit)
        self.sessions.append(session)
        try:
            await session.send(HELLO, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS,
                                       "_trace": ["fake-discord"]})
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    frame = json.loads(msg.data)
                    self.fake.audit.gw_recv(frame)
                    await self._on_frame(session, frame)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self.sessions.remove(session)
            if session.identified and (session.dropped or ws.close_code != 1000):  # 1000: logged out
                self._old_sessions[session.session_id] = session
            self.fake._changed.set()
        return ws

    async def _on_frame(self, session: Session, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            await session.send(HEARTBEAT_ACK, None)
        elif op == IDENTIFY:
            self.identifies.append({**data, "token": "<redacted>"})
            session.intents = int(data.get("intents") or 0)
            if session.intents & MESSAGE_CONTENT_INTENT and not self.fake.message_content_enabled:
                await session.ws.close(code=DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
                return
            if "shard" in data:
                shard_id, count = (int(n) for n in data["shard"])
                if not 0 <= shard_id < count:
                    await session.ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
                    return
                session.shard = (shard_id, count)
            self.fake.session_starts_used += 1
            await self._ready(session)
        elif op == RESUME:
            await self._resume(session, data)
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(session, data)
        else:
            log.debug("fake gateway ignores op %s", op)

    async def _ready(self, session: Session) -> None:
        world = self.fake.world
        guilds = [gid for gid in world.guilds if session.serves(gid)]
        ready = payloads.ready(world, session.session_id, self.fake.gateway_url, guilds, session.shard)
        await session.send(DISPATCH, ready, "READY")
        for gid in guilds:
            await session.send(DISPATCH, payloads.guild_create(world, gid), "GUILD_CREATE")
        session.identified = True
        self.fake._changed.set()

    async def _resume(self, session: Session, data: dict[str, Any]) -> None:
        """Replay what the bot missed after the `seq` it saw, then RESUMED; INVALID_SESSION (not
        resumable) for a session Discord no longer keeps."""
        old = self._old_sessions.pop(data.get("session_id", ""), None)
        if old is None:
            await session.send(INVALID_SESSION, False)
            return
        session.session_id, session.intents, session.shard = old.session_id, old.intents, old.shard
        missed = [(s, t, d) for s, t, d in old.sent if s > int(data.get("seq") or 0)]
        session.seq = int(data.get("seq") or 0)
        session.sent = [entry for entry in old.sent if entry[0] <= session.seq]
        for _s, event, payload in missed:
            await session.send(DISPATCH, payload, event)
        self.replayed += len(missed)
        session.identified = True
        self.resumes += 1
        await session.send(DISPATCH, {"_trace": ["fake-discord"]}, "RESUMED")
        self.fake._changed.set()

    def forget_sessions(self) -> None:
        """Discord drops the closed sessions: a RESUME now gets INVALID_SESSION (d=false)."""
        self._old_sessions.clear()

    async def reconnect(self) -> None:
        """Send RECONNECT (op 7) to every live session: the bot closes and RESUMEs."""
        for session in self.live:
            await session.send(RECONNECT, None)
            self.reconnects_sent += 1

    async def _members_chunk(self, session: Session, data: dict[str, Any]) -> None:
        world = self.fake.world
        gid = int(data["guild_id"])
        wanted = data.get("user_ids")
        query = (data.get("query") or "").lower()
        members = [payloads.member(world, gid, uid) for uid in world.guilds[gid].members
                   if (wanted is None or str(uid) in map(str, wanted))
                   and world.users[uid]["username"].lower().startswith(query)]
        limit = data.get("limit") or 0
        await session.send(DISPATCH, {
            "guild_id": str(gid), "members": members[:limit] if limit else members,
            "chunk_index": 0, "chunk_count": 1, "nonce": data.get("nonce"), "not_found": [],
        }, "GUILD_MEMBERS_CHUNK")

    async def dispatch(self, event: str, data: dict[str, Any], *, required: bool = True) -> int:
        """Send an event to every identified session serving its guild; returns how many got it."""
        guild_id = data.get("guild_id")
        targets = [s for s in self.live if s.serves(guild_id)]
        away = [s for s in self._old_sessions.values() if s.serves(guild_id)]
        if not targets and away:  # the bot is away but can RESUME: keep it for then
            for old in away:
                old.remember(event, data)
            return 0
        if not targets and required:
            raise RuntimeError(f"cannot send {event}: no bot is logged in to the fake gateway")
        for session in targets:
            blank = event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not session.intents & MESSAGE_CONTENT_INTENT
            await session.send(DISPATCH, self.as_seen(data) if blank else data, event)
        return len(targets)

    def content_intent(self) -> bool:
        """Whether the bot (its last IDENTIFY) asked for message content; REST reads follow it too."""
        return not self.identifies or bool(int(self.identifies[-1].get("intents") or 0) & MESSAGE_CONTENT_INTENT)

    def as_seen(self, data: dict[str, Any]) -> dict[str, Any]:
        """A message as a bot without the message content intent gets it: blank in a guild, unless
        the bot wrote it or is mentioned in it (Discord's rule)."""
        if not data.get("guild_id"):
            return data
        me = str(self.fake.app_id)
        if data.get("author", {}).get("id") == me or any(u.get("id") == me for u in data.get("mentions") or []):
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    async def close_all(self, code: int = 1000) -> None:
        """Close every connection (a bot still running would try to reconnect)."""
        for session in list(self.sessions):
            session.dropped = code != 1000
            await session.ws.close(code=code, message=b"fake discord closing")
