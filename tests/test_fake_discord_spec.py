"""The fake is held to Discord's OpenAPI spec: breaks are caught, named, and fail the test."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest
from fake_discord import FakeDiscord
from fake_discord.audit import Audit, replay


def test_a_response_missing_a_required_field_is_a_violation() -> None:
    audit = Audit()
    user = {"id": "1", "username": "u", "avatar": None, "discriminator": "0", "public_flags": 0,
            "global_name": None, "primary_guild": None}  # no "flags"
    audit.rest("GET", "/users/1", {}, {"content_type": "", "headers": {}}, 200, {}, user)
    assert audit.violations == ["GET /users/{user_id} 200: $: 'flags' is a required property"]
    audit.rest("GET", "/users/1", {}, {"content_type": "", "headers": {}}, 200, {},
               {**user, "flags": 0})
    assert len(audit.violations) == 1
    assert audit.counts["responses"] == 2


def test_routes_and_query_parameters_must_exist() -> None:
    audit = Audit()
    audit.rest("PUT", "/channels/1/messages/2/reactions/%F0%9F%91%8D/123", {}, {}, 204, {}, None)
    audit.rest("GET", "/channels/1/messages", {"limit": "5", "sort": "new"}, {}, 200, {}, [])
    assert audit.violations == [
        "PUT /channels/1/messages/2/reactions/%F0%9F%91%8D/123: no such route in the spec",
        "GET /channels/{channel_id}/messages: unknown query parameter 'sort'",
    ]


def test_a_nullable_union_reports_the_branch_meant() -> None:
    audit = Audit()
    body = {"content": "hi", "message_reference": {"message_id": "5", "type": "reply"}}
    audit.rest("POST", "/channels/1/messages", {}, {"json": body}, 400, {},
               {"message": "Invalid Form Body", "code": 50035})
    assert len(audit.violations) == 1
    assert "$.message_reference.type" in audit.violations[0], audit.violations


def test_integer_snowflakes_in_requests_and_the_callback_file_parts_are_allowed() -> None:
    audit = Audit()
    audit.rest("POST", "/users/@me/channels", {}, {"json": {"recipient_id": 123}}, 400, {},
               {"message": "Unknown User", "code": 10013})
    callback = {"type": 4, "data": {"content": "x", "attachments": [{"id": 0, "filename": "a.txt"}]}}
    audit.rest("POST", "/interactions/1/tok/callback", {}, {
        "payload_json": callback, "files": [{"field": "files[0]", "filename": "a.txt"}]},
        204, {}, None)
    assert audit.violations == []
    assert audit.counts["allowed"] == 3


async def test_a_strict_fake_fails_the_test_that_broke_the_spec(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "traffic.jsonl"
    monkeypatch.setenv("FAKE_DISCORD_RECORD", str(record))
    fake = FakeDiscord()
    with pytest.raises(AssertionError, match=r"GET /users/@me 200: \$: 'flags' is a required"):
        async with fake:
            del fake.world.users[fake.app_id]["flags"]  # still required on /users/@me
            async with aiohttp.ClientSession() as http, http.get(f"{fake.base_url}/users/@me",
                                headers={"Authorization": "Bot secret"}) as resp:
                assert resp.status == 200
    entries = [json.loads(line) for line in record.read_text().splitlines()]
    assert [e["kind"] for e in entries] == ["rest"]
    assert entries[0]["request"]["headers"].get("Authorization") is None  # never recorded
    assert entries[0]["response"]["status"] == 200
    assert len(replay(str(record)).violations) == 1


async def test_interaction_tokens_expire_as_on_discord() -> None:
    from fake_discord import FakeClock
    from fake_discord.interactions import SLASH, FakeInteraction, envelope

    async with FakeDiscord() as fake:
        fake.clock = FakeClock()
        gid = fake.add_guild()
        channel = fake.add_text_channel(gid, "general")
        user = fake.add_member(gid, name="lee")
        late, slow = (FakeInteraction(fake, envelope(fake.world, kind=SLASH, user_id=user, channel_id=channel,
                                                     data={"id": "1", "name": "x", "type": 1}),
                                      created=fake.clock()) for _ in range(2))
        for inter in (late, slow):
            fake.interactions[inter.id] = inter
            fake._by_token[inter.token] = inter
        async with aiohttp.ClientSession() as http:
            async def post(url: str, body: dict) -> tuple[int, dict]:
                async with http.post(f"{fake.base_url}{url}", json=body) as resp:
                    return resp.status, (await resp.json() if resp.status != 204 else None)

            fake.clock.advance(2.9)
            assert (await post(f"/interactions/{slow.id}/{slow.token}/callback", {"type": 5}))[0] == 204
            fake.clock.advance(0.6)  # 3.5 s: too late for a first answer
            assert await post(f"/interactions/{late.id}/{late.token}/callback", {"type": 5}) == (
                404, {"message": "Unknown interaction", "code": 10062})
            fake.clock.advance(15 * 60)  # the deferred one's token has expired too
            assert await post(f"/webhooks/{fake.app_id}/{slow.token}", {"content": "done"}) == (
                401, {"message": "Invalid Webhook Token", "code": 50027})
