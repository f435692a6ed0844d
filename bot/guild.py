"""Per-server settings (/setup) and per-learner adjustments, with validation and defaults."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session as DbSession

from bot.storage.models import GuildSettings, LearnerSettings

MIN_REPLY_SECONDS, MAX_REPLY_SECONDS = 10, 3600


class SettingsError(ValueError):
    """A setting that cannot be stored; the message says what is allowed."""


def check_timezone(name: str) -> str:
    """Return a valid IANA zone name or raise with an example."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{name!r} is not a time zone I know; use a name like Europe/London.") from None
    return name


def check_reply_seconds(value: int) -> int:
    """The reply time if it is within the allowed range; SettingsError otherwise."""
    if not MIN_REPLY_SECONDS <= value <= MAX_REPLY_SECONDS:
        raise SettingsError(f"Reply time must be between {MIN_REPLY_SECONDS} and {MAX_REPLY_SECONDS} seconds.")
    return value


def guild_settings(session: DbSession, *, guild_id: str) -> GuildSettings:
    """The stored settings, or the defaults (not stored) for a server never set up."""
    return session.get(GuildSettings, guild_id) or GuildSettings(guild_id=guild_id)


def update_guild(session: DbSession, *, guild_id: str, mentor_role_id: str | None = None,
                 add_cohort_channel: str | None = None, remove_cohort_channel: str | None = None,
                 timezone: str | None = None, reply_seconds: int | None = None,
                 reminder_minutes: int | None = None) -> GuildSettings:
    """Change only what is given."""
    settings = guild_settings(session, guild_id=guild_id)
    if mentor_role_id is not None:
        settings.mentor_role_id = mentor_role_id
    channels = list(settings.cohort_channel_ids)
    if add_cohort_channel is not None and add_cohort_channel not in channels:
        channels.append(add_cohort_channel)
    if remove_cohort_channel is not None and remove_cohort_channel in channels:
        channels.remove(remove_cohort_channel)
    settings.cohort_channel_ids = channels
    if timezone is not None:
        settings.timezone = check_timezone(timezone)
    if reply_seconds is not None:
        settings.reply_seconds = check_reply_seconds(reply_seconds)
    if reminder_minutes is not None:
        if not 1 <= reminder_minutes <= 60 * 24 * 14:
            raise SettingsError("Reminder delay must be between 1 minute and 14 days.")
        settings.reminder_minutes = reminder_minutes
    session.add(settings)
    return settings


def clear_reply_seconds(session: DbSession, *, guild_id: str) -> None:
    """Back to each scenario's own reply time on this server."""
    settings = guild_settings(session, guild_id=guild_id)
    settings.reply_seconds = None
    session.add(settings)


def set_learner_reply_seconds(session: DbSession, *, guild_id: str, learner_id: str,
                              seconds: int | None) -> LearnerSettings:
    """An accessibility adjustment for one learner; None returns them to the server's setting."""
    row = session.get(LearnerSettings, (learner_id, guild_id)) or LearnerSettings(
        learner_id=learner_id, guild_id=guild_id)
    row.reply_seconds = None if seconds is None else check_reply_seconds(seconds)
    session.add(row)
    return row


def set_daily_dm(session: DbSession, *, guild_id: str, learner_id: str, enabled: bool) -> LearnerSettings:
    """Opt in or out of the daily 'cards due' message."""
    row = session.get(LearnerSettings, (learner_id, guild_id)) or LearnerSettings(
        learner_id=learner_id, guild_id=guild_id)
    row.daily_dm = enabled
    session.add(row)
    return row


def reply_seconds_for(session: DbSession, *, guild_id: str, learner_id: str, scenario_seconds: int) -> int:
    """Learner adjustment first, then the server's limit, then the scenario's own."""
    learner = session.get(LearnerSettings, (learner_id, guild_id))
    if learner is not None and learner.reply_seconds:
        return learner.reply_seconds
    guild = session.get(GuildSettings, guild_id)
    if guild is not None and guild.reply_seconds:
        return guild.reply_seconds
    return scenario_seconds


def is_mentor(session: DbSession, *, guild_id: str, role_ids: list[str], is_admin: bool) -> bool:
    """Mentors hold the configured role; server admins count as mentors too."""
    if is_admin:
        return True
    settings = session.get(GuildSettings, guild_id)
    return bool(settings and settings.mentor_role_id and settings.mentor_role_id in role_ids)
