"""FakeDiscord: the loopback server, its lifecycle, and what tests query and wait on.

It points discord.py at itself by patching `Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY`
while active (restored on exit), so an unmodified bot logs in to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import discord
import yarl
from aiohttp import web

from . import payloads
from .actions import Actions
from .audit import Audit
from .gateway import Gateway
from .interactions import PATIENCE, FakeInteraction
from .payloads import EPHEMERAL
from .routes import RecordedRequest, Router, install_base_routes, rate_limit_headers
from .routes_messages import install_message_routes
from .world import World

T = TypeVar("T")


class FakeClock:
    """Seconds that pass only when told (or per REST call, with `seconds_per_request`)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeDiscord(Actions):
    """A loopback Discord for one test: `async with FakeDiscord() as fake: ...`."""

    def __init__(self, *, app_name: str = "Composure", echo_own_messages: bool = True,
                 fast_ready: bool = True, strict: bool = True) -> None:
        self.world = World(app_name)
        self.strict = strict  # every exchange is checked against Discord's spec; see audit.py
        # Interaction deadlines run on this clock (seconds); tests inject one, and may make each
        # REST call "take" `seconds_per_request` on it, so slowness is modelled, never waited for.
        self.clock: Callable[[], float] | FakeClock = time.monotonic
        self.seconds_per_request = 0.0
        self.message_content_enabled = True  # the privileged intent, as set in the developer portal
        self.recommended_shards: int | None = None  # GET /gateway/bot's `shards`; None: 1 per 1,000 guilds
        self.session_starts_used = 0  # IDENTIFYs so far, against the daily session start limit
        self.audit = Audit()
        self.echo_own_messages = echo_own_messages  # Discord echoes the bot's own posts
        self.fast_ready = fast_ready
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[tuple[str, str, Any]] = []
        self.errors: list[tuple[str, str, str]] = []  # (method, path, traceback) fake crashes
        self.interactions: dict[int, FakeInteraction] = {}
        self._by_token: dict[str, FakeInteraction] = {}
        self.modals: dict[str, dict[str, Any]] = {}  # custom_id -> last modal the bot showed
        self.modal_origins: dict[str, FakeInteraction] = {}  # custom_id -> what showed it
        self._failures: list[dict[str, Any]] = []
        self._holds: list[tuple[str, re.Pattern[str], asyncio.Event]] = []
        self._changed = asyncio.Event()
        self.gateway = Gateway(self)
        self.router = Router(self)
        install_base_routes(self.router)
        install_message_routes(self.router)
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._saved: tuple[str, yarl.URL] | None = None
        self.bot_errors: list[str] = []  # ERROR records discord.py logged (handler exceptions)
        self._log_handler = _ErrorCollector(self.bot_errors)

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gw"

    async def start(self) -> None:
        """Serve on a free 127.0.0.1 port and point discord.py at it."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gw", self.gateway.handle)
        app.router.add_route("*", r"/api/v{version:\d+}/{tail:.*}", self.router.handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        ws_class = discord.gateway.DiscordWebSocket
        self._saved = (discord.http.Route.BASE, ws_class.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.base_url
        ws_class.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        logging.getLogger("discord").addHandler(self._log_handler)

    async def close(self) -> None:
        """Close gateway connections, stop serving, restore discord.py's URLs."""
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None
        logging.getLogger("discord").removeHandler(self._log_handler)
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, exc_type: object, *exc: object) -> None:
        await self.close()
        if self.strict and exc_type is None:
            self.assert_spec_kept()

    def assert_spec_kept(self) -> None:
        """Fail with every exchange that broke Discord's spec (outside `spec.ALLOWED`)."""
        if self.audit.violations:
            shown = "\n  ".join(dict.fromkeys(self.audit.violations))
            raise AssertionError(f"the fake broke Discord's API spec ({self.audit.summary()}):\n  "
                                 f"{shown}")

    async def disconnect(self, code: int = 4000) -> None:
        """Drop every gateway connection (4000: the bot reconnects and RESUMEs)."""
        await self.gateway.close_all(code)

    @contextlib.asynccontextmanager
    async def gateway_down(self, *, reconnect: bool = False) -> AsyncIterator[None]:
        """Discord's gateway drops the bot (or, with `reconnect`, asks it to go: op 7 RECONNECT) and
        takes no handshakes until the block ends; events meanwhile are kept and replayed when the
        bot RESUMEs (unless `gateway.forget_sessions()`)."""
        self.gateway.open.clear()
        if reconnect:
            await self.gateway.reconnect()
        else:
            await self.gateway.close_all(4000)
        await self.wait_for(lambda: not self.gateway.sessions, what="the bot to be disconnected")
        try:
            yield
        finally:
            self.gateway.open.set()

    @contextlib.asynccontextmanager
    async def running(self, bot: discord.Client, *, token: str = "fake-token",
                      timeout: float = PATIENCE) -> AsyncIterator[discord.Client]:
        """Start `bot` against this fake, yield once it is ready, close it on exit.

        With `fast_ready` the bot's wait for more GUILD_CREATEs (2 s by default) is cut short."""
        if self.fast_ready:
            bot._connection.guild_ready_timeout = 0.05
        task = asyncio.create_task(bot.start(token), name="fake-discord-bot")
        try:
            await self.wait_for(lambda: bot.is_ready() or task.done(), timeout,
                                what="the bot to log in and be ready")
            if task.done():
                task.result()  # the bot's start-up error, raised here
                raise RuntimeError("the bot stopped before it was ready")
            yield bot
        finally:
            if not bot.is_closed():
                await bot.close()
            outcome = (await asyncio.wait_for(asyncio.gather(task, return_exceptions=True),
                                              timeout))[0]
        if isinstance(outcome, Exception):
            raise outcome

    def shards_to_recommend(self) -> int:
        """What GET /gateway/bot advises: Discord's 1 shard per 1,000 guilds, unless a test set it."""
        return self.recommended_shards or max(1, math.ceil(len(self.world.guilds) / 1000))

    # --- the world ----------------------------------------------------------------------------

    @property
    def app_id(self) -> int:
        """The application id, which is also the bot user's id."""
        return self.world.app_id

    bot_id = app_id

    def add_user(self, name: str | None = None, *, user_id: int | None = None,
                 bot: bool = False) -> int:
        return self.world.add_user(name, user_id=user_id, bot=bot)

    def add_guild(self, name: str = "Test guild", **kwargs: Any) -> int:
        return self.world.add_guild(name, **kwargs)

    def add_role(self, guild_id: int, name: str, *, permissions: int = 0,
                 admin: bool = False) -> int:
        return self.world.add_role(guild_id, name, permissions=permissions, admin=admin)

    def add_member(self, guild_id: int, user_id: int | None = None, name: str | None = None, *,
                   roles: list[int] | tuple[int, ...] = (), nick: str | None = None) -> int:
        return self.world.add_member(guild_id, user_id, name, roles=roles, nick=nick)

    def add_category(self, guild_id: int, name: str) -> int:
        return self.world.add_category(guild_id, name)

    def add_text_channel(self, guild_id: int, name: str, **kwargs: Any) -> int:
        return self.world.add_text_channel(guild_id, name, **kwargs)

    def add_thread(self, parent_id: int, name: str, **kwargs: Any) -> int:
        return self.world.add_thread(parent_id, name, **kwargs)

    def add_overwrite(self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0) -> None:
        self.world.add_overwrite(channel_id, target_id, allow=allow, deny=deny)

    async def set_thread_state(self, thread_id: int, *, archived: bool, locked: bool = False) -> None:
        """Archive, lock or reopen a thread as a moderator (or auto-archive) would: THREAD_UPDATE."""
        meta = self.world.channels[thread_id]["thread_metadata"]
        meta.update(archived=archived, locked=locked, archive_timestamp=payloads.now_iso())
        await self.gateway.dispatch("THREAD_UPDATE", payloads.any_channel(self.world, thread_id), required=False)

    def add_webhook(self, channel_id: int, name: str, *, owned: bool = True) -> int:
        return self.world.add_webhook(channel_id, name, owned=owned)

    def dm_channel_id(self, user_id: int) -> int:
        """The bot's DM channel with this user (made now if the bot has not opened it)."""
        return self.world.dm_channel(user_id)

    def thread_member_ids(self, thread_id: int) -> set[int]:
        return set(self.world.thread_members.get(thread_id, {}))

    # --- queries -------------------------------------------------------------------------------

    def messages_in(self, channel_id: int, *, include_user_messages: bool = False,
                    include_ephemeral: bool = True) -> list[dict[str, Any]]:
        """Messages in a channel, oldest first: by default only the bot's (channel posts,
        webhook posts, interaction responses and followups, ephemeral ones included)."""
        found = []
        for msg in self.world.messages.values():
            if msg["channel_id"] != str(channel_id):
                continue
            if not include_ephemeral and int(msg.get("flags") or 0) & EPHEMERAL:
                continue
            by_bot = int(msg["author"]["id"]) == self.app_id or "webhook_id" in msg
            if by_bot or include_user_messages:
                found.append(msg)
        return found

    def message(self, message_id: int) -> dict[str, Any]:
        return self.world.messages[int(message_id)]

    def file_bytes(self, attachment_id: int | str) -> bytes:
        """The uploaded bytes of an attachment (ids are in message["attachments"])."""
        return self.world.files[int(attachment_id)]

    def rest_count(self, since: int = 0) -> int:
        """REST calls made since index `since` (use `len(fake.requests)` as a mark)."""
        return len(self.requests) - since

    def find_requests(self, method: str | None = None, path: str | None = None, *,
                      since: int = 0) -> list[RecordedRequest]:
        """Recorded calls matching a method and a path regex (full match), from `since` on."""
        return [r for r in self.requests[since:]
                if (method is None or r.method == method)
                and (path is None or re.fullmatch(path, r.path))]

    def fail(self, method: str, path: str, *, status: int = 403,
             message: str = "Missing Permissions", code: int = 50013, times: int = 1) -> None:
        """Make the next `times` calls matching method + path regex fail with a Discord error."""
        self._failures.append({"method": method, "path": re.compile(path), "times": times,
                               "result": (status, {"message": message, "code": code})})

    def slow(self, method: str, path: str, seconds: float, *, times: int = 1) -> None:
        """The next `times` matching calls "take" `seconds` on the injected FakeClock (never waited for)."""
        if not isinstance(self.clock, FakeClock):
            raise TypeError("slow() needs fake.clock = FakeClock()")
        self._failures.append({"method": method, "path": re.compile(path), "times": times, "seconds": seconds})

    def hold(self, method: str, path: str) -> asyncio.Event:
        """The next matching call is recorded, then not answered until the returned event is set
        (a request in flight while the test does something else, e.g. stops the bot)."""
        release = asyncio.Event()
        self._holds.append((method, re.compile(path), release))
        return release

    async def _held(self, method: str, path: str) -> None:
        for hold in self._holds:
            if hold[0] == method and hold[1].fullmatch(path):
                self._holds.remove(hold)
                await hold[2].wait()
                return

    def rate_limit(self, method: str, path: str, *, retry_after: float = 0.05, is_global: bool = False,
                   times: int = 1) -> None:
        """Answer the next `times` matching calls with a 429 as Discord sends it: body with
        `retry_after` and `global`, `X-RateLimit-*` headers (per-route) or `X-RateLimit-Global`."""
        headers = {"Via": "1.1 google",  # a 429 without it is Cloudflare's ban to discord.py, not retried
                   "Retry-After": str(max(1, math.ceil(retry_after))),
                   "X-RateLimit-Scope": "global" if is_global else "user"}
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update(rate_limit_headers(method, path, remaining=0, reset_after=retry_after))
        self._failures.append({"method": method, "path": re.compile(path), "times": times, "headers": headers,
                               "result": (429, {"message": "You are being rate limited.", "code": 0,
                                                "retry_after": retry_after, "global": is_global})})

    def _take_failure(self, method: str, path: str) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        for failure in self._failures:
            if (failure["times"] > 0 and failure["method"] == method
                    and failure["path"].fullmatch(path)):
                failure["times"] -= 1
                if "seconds" in failure:  # slow, not failing: the answer comes after this long
                    self.clock.advance(failure["seconds"])  # type: ignore[union-attr]  # a FakeClock
                    continue
                return (*failure["result"], failure.get("headers", {}))
        return None

    # --- waiting -------------------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], T], timeout: float = PATIENCE, *,
                       what: str = "the condition") -> T:
        """Return the first truthy `predicate()`, re-checked on every fake event and every
        20 ms (for state outside the fake); TimeoutError lists the last REST calls."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            left = deadline - loop.time()
            if left <= 0:
                recent = "\n  ".join(map(repr, self.requests[-8:])) or "(none)"
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}; "
                                   f"last REST calls:\n  {recent}\nfake errors: {self.errors}\n"
                                   f"bot errors: {self.bot_errors}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(0.02, left))

    async def wait_for_request(self, method: str, path: str, *, since: int = 0,
                               timeout: float = PATIENCE) -> RecordedRequest:
        """The first call after index `since` matching method and path regex."""
        found = await self.wait_for(lambda: self.find_requests(method, path, since=since), timeout,
                                    what=f"{method} {path}")
        return found[0]

    async def wait_for_message(self, channel_id: int, predicate: Callable[[dict[str, Any]], bool]
                               | None = None, *, after: dict[str, Any] | int | None = None,
                               timeout: float = PATIENCE) -> dict[str, Any]:
        """The first bot message in a channel (newer than `after`) matching `predicate`."""
        floor = int(after["id"] if isinstance(after, dict) else after or 0)

        def look() -> dict[str, Any] | None:
            return next((m for m in self.messages_in(channel_id) if int(m["id"]) > floor
                         and (predicate is None or predicate(m))), None)

        return await self.wait_for(look, timeout, what=f"a bot message in channel {channel_id}")

    async def wait_for_interaction_response(self, interaction_id: int,
                                            timeout: float = PATIENCE) -> dict[str, Any]:
        """The callback body the bot posted for an interaction."""
        return await self.interactions[int(interaction_id)].response(timeout)


class _ErrorCollector(logging.Handler):
    """Keeps what discord.py logs at ERROR (e.g. 'Ignoring exception in command ...'), since a
    failing handler otherwise only shows up as a missing response."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {record.exc_info[1]!r}"
        self.sink.append(text)
