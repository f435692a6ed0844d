"""Drives a real, minimal discord.py bot through the loopback fake Discord.

Proves the fake is good enough for the cog tests: login, messages, slash commands with
autocomplete and typed options, buttons, modals, private threads, webhooks, DMs, restarts.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from dataclasses import dataclass

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands
from fake_discord import ADMINISTRATOR, FakeDiscord

pytestmark = pytest.mark.asyncio
SCENARIOS = ["angry-refund", "late-delivery", "lost-parcel"]
HOOK_NAME = "Demo customers"


class ReflectModal(discord.ui.Modal, title="Reflection"):
    def __init__(self) -> None:
        super().__init__(custom_id="demo:reflect-modal")

    went_well = discord.ui.TextInput(label="What went well?", custom_id="demo:went_well")
    next_time = discord.ui.TextInput(label="Next time?", custom_id="demo:next_time", required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        interaction.client.reflections.append((self.went_well.value, self.next_time.value))
        await interaction.response.send_message(f"Saved: {self.went_well.value}", ephemeral=True)


class PanelView(discord.ui.View):
    """Persistent (timeout=None, fixed custom_id): clicks work even after a restart."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Reflect", custom_id="demo:reflect", style=discord.ButtonStyle.primary)
    async def reflect(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(ReflectModal())


class DemoCog(commands.Cog):
    demo = app_commands.Group(name="demo", description="Demo commands")

    def __init__(self, bot: DemoBot) -> None:
        self.bot = bot

    @demo.command(name="start", description="Start a scenario")
    @app_commands.describe(scenario="The scenario")
    async def start(self, interaction: discord.Interaction, scenario: str) -> None:
        await interaction.response.send_message(f"Starting {scenario}", ephemeral=True)

    @start.autocomplete("scenario")
    async def scenario_choices(self, interaction: discord.Interaction,
                               current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=s.title(), value=s) for s in SCENARIOS if current in s]

    @demo.command(name="grant", description="Typed options")
    async def grant(self, interaction: discord.Interaction, member: discord.Member,
                    role: discord.Role, channel: discord.TextChannel, count: int,
                    loud: bool) -> None:
        admin = interaction.permissions.administrator
        await interaction.response.send_message(
            f"{member.display_name}|{role.name}|{channel.name}|{count + 1}|{loud}|admin={admin}",
            ephemeral=not loud)

    @demo.command(name="panel", description="Post a panel with a button")
    async def panel(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Reflect when ready", view=PanelView())

    @demo.command(name="thread", description="Open a private thread with a customer")
    async def thread(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        parent = interaction.channel
        try:
            thread = await parent.create_thread(name=f"Practice · {interaction.user.display_name}",
                                                type=discord.ChannelType.private_thread,
                                                invitable=False, auto_archive_duration=1440)
        except discord.Forbidden:
            await interaction.followup.send("Not allowed to make threads here", ephemeral=True)
            return
        await thread.add_user(interaction.user)
        hook = next((h for h in await parent.webhooks() if h.name == HOOK_NAME and h.token), None)
        if hook is None:
            hook = await parent.create_webhook(name=HOOK_NAME)
        await hook.send("Where is my refund?", username="Angry customer (customer)", thread=thread,
                        wait=True)
        await interaction.followup.send(f"Ready in {thread.mention}", ephemeral=True)

    @demo.command(name="dm", description="Send yourself a DM")
    async def dm(self, interaction: discord.Interaction) -> None:
        notes = discord.File(io.BytesIO(b"# notes\n"), filename="notes.md")
        await interaction.user.send("Hello from the bot", view=PanelView(), file=notes)
        await interaction.response.send_message("Sent you a DM", ephemeral=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id:
            return
        channel_type = type(message.channel).__name__
        self.bot.seen.append(Seen(channel_type, message.content, message.author.id))
        if message.content.startswith("!echo "):
            await message.reply(message.content.removeprefix("!echo "))


@dataclass
class Seen:
    channel_type: str
    content: str
    author_id: int


class DemoBot(commands.Bot):
    def __init__(self, sync_guild_id: int) -> None:
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = intents.message_content = True
        intents.members = intents.dm_messages = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None)
        self.sync_guild_id = sync_guild_id
        self.seen: list[Seen] = []
        self.reflections: list[tuple[str, str]] = []

    async def setup_hook(self) -> None:
        await self.add_cog(DemoCog(self))
        self.add_view(PanelView())
        guild = discord.Object(self.sync_guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)


@dataclass
class World:
    fake: FakeDiscord
    guild: int
    channel: int
    learner: int
    mentor: int
    mentor_role: int
    admin: int


def _live_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]


@pytest_asyncio.fixture
async def world(caplog: pytest.LogCaptureFixture):
    """A fake with one guild (roles, channel, members); afterwards checks that nothing leaked
    and that the bot logged no errors (discord.py only logs exceptions raised in handlers)."""
    caplog.set_level(logging.WARNING)
    before = set(_live_tasks())
    async with FakeDiscord() as fake:
        gid = fake.add_guild("Composure test")
        mentor_role = fake.add_role(gid, "Mentor", permissions=1 << 13)
        admin_role = fake.add_role(gid, "Admins", admin=True)
        channel = fake.add_text_channel(gid, "practice")
        learner = fake.add_member(gid, name="learner")
        mentor = fake.add_member(gid, name="mentor", roles=[mentor_role], nick="Ms Mentor")
        admin = fake.add_member(gid, name="boss", roles=[admin_role])
        yield World(fake, gid, channel, learner, mentor, mentor_role, admin)
        assert fake.unhandled == [], fake.unhandled
        assert fake.errors == [], fake.errors
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"
    for _ in range(100):  # closing tasks and heartbeat threads wind down within moments
        leaked = [t for t in _live_tasks() if t not in before]
        beating = [t for t in threading.enumerate() if type(t).__name__ == "KeepAliveHandler"]
        if not leaked and not beating:
            break
        await asyncio.sleep(0.02)
    assert not leaked, leaked
    assert not beating, beating


async def test_login_ready_and_command_sync(world: World) -> None:
    fake = world.fake
    async with fake.running(DemoBot(world.guild)) as bot:
        guild = bot.get_guild(world.guild)
        assert guild is not None and guild.name == "Composure test"
        assert {r.name for r in guild.roles} >= {"@everyone", "Mentor", "Admins", "Composure"}
        assert guild.get_channel(world.channel).name == "practice"
        mentor = guild.get_member(world.mentor)
        assert mentor.display_name == "Ms Mentor" and mentor.get_role(world.mentor_role)
        assert guild.me.id == fake.app_id == bot.user.id
    paths = [(r.method, r.path) for r in fake.requests]
    assert paths[:3] == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me"),
                         ("PUT", f"/applications/{fake.app_id}/guilds/{world.guild}/commands")]
    synced = fake.requests[2].body
    assert [c["name"] for c in synced] == ["demo"]
    assert {o["name"] for o in synced[0]["options"]} >= {"start", "grant", "panel", "thread", "dm"}
    assert len(fake.gateway.identifies) == 1
    assert fake.gateway.identifies[0]["intents"] == bot.intents.value


async def test_message_echo_reply(world: World) -> None:
    fake = world.fake
    async with fake.running(DemoBot(world.guild)) as bot:
        sent = await fake.send_message(world.channel, world.learner, "!echo hello there")
        reply = await fake.wait_for_message(world.channel)
        assert reply["content"] == "hello there"
        assert reply["message_reference"]["message_id"] == sent["id"]
        assert bot.seen == [Seen("TextChannel", "!echo hello there", world.learner)]
    post = fake.find_requests("POST", rf"/channels/{world.channel}/messages")
    assert len(post) == 1 and post[0].body["content"] == "hello there"


async def test_slash_autocomplete_and_typed_options(world: World) -> None:
    fake = world.fake
    async with fake.running(DemoBot(world.guild)):
        typed = await fake.autocomplete(world.guild, world.channel, world.learner, "demo",
                                        subcommand="start", focused="scenario", value="la")
        answer = await typed.response()
        assert answer["type"] == 8
        assert answer["data"]["choices"] == [{"name": "Late-Delivery", "value": "late-delivery"}]

        run = await fake.invoke_slash(world.guild, world.channel, world.learner, "demo start",
                                      {"scenario": "late-delivery"})
        body = await run.response()
        assert body == {"type": 4, "data": {**body["data"], "content": "Starting late-delivery",
                                            "flags": 64}}
        assert run.ephemeral and fake.messages_in(world.channel)[-1]["flags"] == 64

        options = {"member": world.mentor, "role": world.mentor_role, "channel": world.channel,
                   "count": 41, "loud": True}
        plain = await fake.invoke_slash(world.guild, world.channel, world.learner, "demo", options,
                                        subcommand="grant")
        assert (await plain.response())["data"]["content"] == \
            "Ms Mentor|Mentor|practice|42|True|admin=False"
        assert not plain.ephemeral
        forced = await fake.invoke_slash(world.guild, world.channel, world.learner, "demo grant",
                                         {**options, "loud": False}, admin=True)
        assert (await forced.response())["data"]["content"].endswith("|False|admin=True")
        boss = await fake.invoke_slash(world.guild, world.channel, world.admin, "demo grant",
                                       options)
        assert (await boss.response())["data"]["content"].endswith("admin=True")
        assert int(boss.payload["member"]["permissions"]) & ADMINISTRATOR
    callbacks = fake.find_requests("POST", r"/interactions/\d+/[^/]+/callback")
    assert len(callbacks) == 5 and all(r.query == {"with_response": "1"} for r in callbacks)


async def test_button_then_modal(world: World) -> None:
    fake = world.fake
    async with fake.running(DemoBot(world.guild)) as bot:
        panel = await fake.invoke_slash(world.guild, world.channel, world.learner, "demo panel")
        await panel.response()
        posted = panel.original
        assert posted["components"][0]["components"][0]["custom_id"] == "demo:reflect"
        assert fake.messages_in(world.channel) == [posted]

        click = await fake.click_button(posted, "demo:reflect", world.learner)
        modal = await click.response()
        assert modal["type"] == 9 and modal["data"]["custom_id"] == "demo:reflect-modal"
        assert click.payload["message"]["id"] == posted["id"]

        submit = await fake.submit_modal(modal["data"]["custom_id"],
                                         {"demo:went_well": "stayed calm", "demo:next_time": "ask"},
                                         world.learner, world.channel, world.guild)
        saved = await submit.response()
        assert saved["data"] == {**saved["data"], "content": "Saved: stayed calm", "flags": 64}
        assert bot.reflections == [("stayed calm", "ask")]


async def test_private_thread_and_webhook_persona(world: World) -> None:
    fake = world.fake
    async with fake.running(DemoBot(world.guild)) as bot:
        mark = len(fake.requests)
        run = await fake.invoke_slash(world.guild, world.channel, world.learner, "demo thread")
        assert (await run.response()) == {"type": 5, "data": {"flags": 64}}
        done = await run.followup()
        thread_id = next(c for c, data in fake.world.channels.items() if data["type"] == 12)
        assert done["content"] == f"Ready in <#{thread_id}>" and done["flags"] == 64
        assert done["id"] == run.original["id"]  # the first followup fills the deferred message

        made = fake.find_requests("POST", rf"/channels/{world.channel}/threads", since=mark)
        assert made[0].body["type"] == 12 and made[0].body["invitable"] is False
        assert fake.world.channels[thread_id]["type"] == 12
        assert fake.thread_member_ids(thread_id) == {fake.app_id, world.learner}
        hook_post = fake.find_requests("POST", r"/webhooks/\d+/whtok-\d+", since=mark)
        assert hook_post[0].query["thread_id"] == str(thread_id)
        assert hook_post[0].body["username"] == "Angry customer (customer)"
        [persona] = fake.messages_in(thread_id)
        assert persona["author"]["username"] == "Angry customer (customer)"
        assert persona["webhook_id"] and persona["content"] == "Where is my refund?"

        assert isinstance(bot.get_channel(thread_id), discord.Thread)
        await fake.send_message(thread_id, world.learner, "!echo I am sorry")
        echoed = await fake.wait_for_message(thread_id, lambda m: "sorry" in m["content"])
        assert echoed["content"] == "I am sorry"
        assert bot.seen[-1].channel_type == "Thread"


async def test_dm_both_ways(world: World) -> None:
    fake = world.fake
    async with fake.running(DemoBot(world.guild)) as bot:
        run = await fake.invoke_slash(world.guild, world.channel, world.learner, "demo dm")
        assert (await run.response())["data"]["content"] == "Sent you a DM"
        dm = fake.dm_channel_id(world.learner)
        [hello] = fake.messages_in(dm)
        assert hello["content"] == "Hello from the bot"
        assert hello["attachments"][0]["filename"] == "notes.md"
        assert fake.file_bytes(hello["attachments"][0]["id"]) == b"# notes\n"
        upload = fake.find_requests("POST", rf"/channels/{dm}/messages")[0]
        assert upload.body["files"][0]["filename"] == "notes.md"
        assert upload.body["files"][0]["size"] == 8
        opened = fake.find_requests("POST", "/users/@me/channels")
        assert opened[0].body == {"recipient_id": world.learner}

        click = await fake.click_button(hello, "demo:reflect", world.learner)
        assert (await click.response())["type"] == 9 and "user" in click.payload
        submit = await fake.submit_modal("demo:reflect-modal", {"demo:went_well": "listened"},
                                         world.learner, dm)
        assert (await submit.response())["data"]["content"] == "Saved: listened"
        assert bot.reflections == [("listened", "")]

        await fake.send_dm(world.learner, "!echo in private")
        back = await fake.wait_for_message(dm, lambda m: m["content"] == "in private")
        assert "guild_id" not in back
        assert bot.seen[-1].channel_type == "DMChannel"


async def test_restart_logs_in_again_to_same_world(world: World) -> None:
    fake = world.fake
    async with fake.running(DemoBot(world.guild)):
        run = await fake.invoke_slash(world.guild, world.channel, world.learner, "demo thread")
        await run.followup()
        panel = await fake.invoke_slash(world.guild, world.channel, world.learner, "demo panel")
        await panel.response()
    thread_id = max(c for c, data in fake.world.channels.items() if data["type"] == 12)
    mark = len(fake.requests)
    async with fake.running(DemoBot(world.guild)) as again:
        assert len(fake.gateway.identifies) == 2
        assert isinstance(again.get_channel(thread_id), discord.Thread)  # from GUILD_CREATE
        click = await fake.click_button(panel.original, "demo:reflect", world.learner)
        assert (await click.response())["type"] == 9  # the persistent view survived the restart
        second = await fake.invoke_slash(world.guild, world.channel, world.mentor, "demo thread")
        await second.followup()
    assert fake.find_requests("GET", "/users/@me", since=mark)
    assert not fake.find_requests("POST", rf"/channels/{world.channel}/webhooks", since=mark)
    assert len(fake.find_requests("POST", rf"/channels/{world.channel}/webhooks")) == 1


async def test_failures_and_resume(world: World) -> None:
    fake = world.fake
    async with fake.running(DemoBot(world.guild)) as bot:
        fake.fail("POST", rf"/channels/{world.channel}/threads", status=403)
        run = await fake.invoke_slash(world.guild, world.channel, world.learner, "demo thread")
        assert (await run.followup())["content"] == "Not allowed to make threads here"

        with pytest.raises(discord.NotFound):
            await bot.get_guild(world.guild).fetch_emojis()
        assert fake.unhandled == [("GET", f"/guilds/{world.guild}/emojis", None)]
        fake.unhandled.clear()

        await fake.disconnect(4000)
        await fake.wait_for(lambda: fake.gateway.resumes == 1, what="a RESUME")
        await fake.send_message(world.channel, world.learner, "!echo still here")
        assert (await fake.wait_for_message(world.channel,
                                            lambda m: m["content"] == "still here"))
        assert len(fake.gateway.identifies) == 1
