"""Count the REST requests the bot makes per customer turn, through the loopback fake Discord.

Run: .venv/bin/python benchmarks/rest_per_turn.py [--sessions N]
Plays N role-plays of every scenario with a fixed script and prints, per scenario, the REST
requests made between a learner's message and the customer's answer (goal: at most 1.2).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_discord import FakeDiscord  # noqa: E402

from bot.app import ComposureBot, warm_up  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services import build_services  # noqa: E402

REPLIES = [
    "I'm so sorry this has happened. Could you tell me what happened?",
    "So if I've understood, this has gone wrong and you're fed up, is that right?",
    "That sounds really frustrating, and I understand why you're upset.",
    "Let me check the details on my side now.",
    "Thank you for your patience while I look into this.",
]


async def measure(sessions: int) -> dict[str, list[float]]:
    per_turn: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", scenarios_dir=ROOT / "scenarios")
        async with FakeDiscord() as fake:
            gid = fake.add_guild("Bench")
            channel = fake.add_text_channel(gid, "practice")
            learners = [fake.add_member(gid, name=f"learner{i}") for i in range(sessions)]
            services = build_services(settings, clock=ManualClock())
            warm_up()  # load the model first, as the tests do: on a busy machine it outlasts the login wait
            async with fake.running(ComposureBot(services, tick_seconds=None, sync_guild_id=gid), timeout=60):
                for scenario in services.catalogue.ids():
                    for learner in learners:
                        interaction = await fake.invoke_slash(gid, channel, learner, "roleplay start",
                                                              options={"scenario": scenario})
                        await interaction.followup()
                        row = services.roleplay.active_for(str(learner))
                        thread = int(row.channel_id)
                        for text in REPLIES:
                            if services.roleplay.get(row.id).status != "active":
                                break
                            turns_before = len(services.roleplay.turns(row.id))
                            mark = fake.rest_count()
                            await fake.send_message(thread, learner, text)
                            await fake.wait_for(lambda r=row, n=turns_before, m=mark:
                                                len(services.roleplay.turns(r.id)) >= n + 2
                                                and fake.rest_count() > m, what="answer")
                            await asyncio.sleep(0.05)  # let any trailing request land before counting
                            per_turn.setdefault(scenario, []).append(fake.rest_count() - mark)
                        if services.roleplay.get(row.id).status == "active":
                            end = await fake.invoke_slash(gid, channel, learner, "roleplay end")
                            await end.response()
                        await fake.wait_for(lambda t=thread: any(
                            "Feedback" in (m.get("embeds") or [{}])[0].get("title", "")
                            for m in fake.messages_in(t)), what="the report")
            services.db.dispose()
    return per_turn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=3, help="role-plays per scenario")
    args = parser.parse_args()
    per_turn = asyncio.run(measure(args.sessions))
    everything = [n for counts in per_turn.values() for n in counts]
    print(f"{'scenario':34} turns  mean  max")
    for scenario, counts in sorted(per_turn.items()):
        print(f"{scenario:34} {len(counts):5}  {statistics.mean(counts):4.2f}  {max(counts):3}")
    print(f"{'all':34} {len(everything):5}  {statistics.mean(everything):4.2f}  {max(everything):3}")
    print("REST requests per customer turn (goal <= 1.2):", f"{statistics.mean(everything):.2f}")


if __name__ == "__main__":
    main()
