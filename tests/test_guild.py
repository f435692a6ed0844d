"""Server settings and per-learner adjustments."""

from __future__ import annotations

import pytest

from bot.guild import (
    SettingsError,
    guild_settings,
    is_mentor,
    reply_seconds_for,
    set_learner_reply_seconds,
    update_guild,
)


def test_settings_round_trip_and_validation(database):
    with database.session() as s:
        assert guild_settings(s, guild_id="G").timezone == "Europe/London"
        update_guild(s, guild_id="G", mentor_role_id="R1", add_cohort_channel="C1", timezone="Asia/Tokyo")
        update_guild(s, guild_id="G", add_cohort_channel="C2")
        update_guild(s, guild_id="G", add_cohort_channel="C1")
        with pytest.raises(SettingsError, match="time zone"):
            update_guild(s, guild_id="G", timezone="Mars/Olympus")
        with pytest.raises(SettingsError, match="between"):
            update_guild(s, guild_id="G", reply_seconds=5)
    with database.session() as s:
        st = guild_settings(s, guild_id="G")
        assert (st.mentor_role_id, st.cohort_channel_ids, st.timezone) == ("R1", ["C1", "C2"], "Asia/Tokyo")


def test_reply_time_precedence(database):
    with database.session() as s:
        assert reply_seconds_for(s, guild_id="G", learner_id="L", scenario_seconds=90) == 90
        update_guild(s, guild_id="G", reply_seconds=120)
    with database.session() as s:
        assert reply_seconds_for(s, guild_id="G", learner_id="L", scenario_seconds=90) == 120
        set_learner_reply_seconds(s, guild_id="G", learner_id="L", seconds=300)
    with database.session() as s:
        assert reply_seconds_for(s, guild_id="G", learner_id="L", scenario_seconds=90) == 300
        assert reply_seconds_for(s, guild_id="G", learner_id="other", scenario_seconds=90) == 120
        set_learner_reply_seconds(s, guild_id="G", learner_id="L", seconds=None)
    with database.session() as s:
        assert reply_seconds_for(s, guild_id="G", learner_id="L", scenario_seconds=90) == 120


def test_mentor_role(database):
    with database.session() as s:
        assert not is_mentor(s, guild_id="G", role_ids=["R1"], is_admin=False)
        assert is_mentor(s, guild_id="G", role_ids=[], is_admin=True)
        update_guild(s, guild_id="G", mentor_role_id="R1")
    with database.session() as s:
        assert is_mentor(s, guild_id="G", role_ids=["R0", "R1"], is_admin=False)
        assert not is_mentor(s, guild_id="G", role_ids=["R2"], is_admin=False)

