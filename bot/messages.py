"""Words shown to people, in one place so they read consistently in Discord and the terminal."""

from __future__ import annotations

MARK_LABELS: dict[str, str] = {
    "open_question": "Open question",
    "paraphrase": "Paraphrasing",
    "empathy": "Empathy",
    "apology": "Sincere apology",
    "action": "Concrete next step",
    "policy": "Policy explained helpfully",
    "escalation": "Escalation with a reason and next step",
    "check": "Checking understanding",
    "thanks": "Thanking the customer",
    "boundary": "Calm boundary",
    "record": "Recording / follow-up",
    "verify": "Identity and data protection",
    "defensive": "Defensive",
    "dismissive": "Dismissive",
    "policy_wall": "Hiding behind policy",
    "over_promise": "Over-promising",
    "admits_fault": "Admitting fault too early",
    "unprofessional": "Unprofessional language",
    # session-level
    "listened_first": "Listened before solving",
    "followed_model": "Followed a recognised model",
    "within_authority": "Stayed within authority",
    "escalated_well": "Escalated well",
    "confirmed_resolution": "Confirmed the resolution",
    "jumped_to_solution": "Jumped to a solution",
    "premature_escalation": "Escalated too early",
    "missed_escalation": "Did not escalate",
    "exceeded_authority": "Went beyond authority",
    "no_boundary": "No boundary with an abusive customer",
    "slow_replies": "Slow replies",
}

TIPS: dict[str, str] = {
    "defensive": "Keep the focus on the customer's problem; explain what you will do, not whose fault it was.",
    "dismissive": "Acknowledge the feeling before anything else; never tell a customer to calm down.",
    "policy_wall": "Say why the rule exists and what the customer can do, with empathy first.",
    "over_promise": "Promise only what you control and can check; give a realistic timeline instead.",
    "admits_fault": "Apologise for the experience without accepting blame before it is investigated.",
    "unprofessional": "Stay professional even under pressure: no slang, sarcasm or personal remarks.",
    "jumped_to_solution": "Listen first: an open question or a paraphrase before any solution.",
    "premature_escalation": "Try to understand and resolve within your remit before passing it on.",
    "missed_escalation": "When a matter is beyond your authority, escalate it with a reason and a timeline.",
    "exceeded_authority": "Know your limit and escalate anything above it instead of offering it.",
    "no_boundary": "Set a calm boundary with its consequence when a customer becomes abusive.",
    "slow_replies": "Reply within the time limit; a short holding line buys time without leaving a silence.",
}

OUTCOME_TEXT: dict[str, str] = {
    "resolved": "Resolved: the customer accepted a resolution.",
    "escalated": "Escalated: the customer accepted a hand-over with a next step.",
    "ended_by_learner": "Ended by you.",
    "customer_left": "The customer left.",
    "unresolved": "Unresolved: the conversation ended without a resolution.",
}

REPLY_EMPTY = "Your reply is empty. Type what you would say to the customer."
REPLY_TOO_LONG = (
    "Your reply is {length:,} characters long; the limit is {limit:,}. "
    "Customers stop reading long messages: try saying it in fewer words."
)
SESSION_OVER = "This role-play has already ended."
ALREADY_ACTIVE = (
    "You already have a role-play in progress (session {session_id}). "
    "Finish it or end it before starting another."
)
NOT_YOUR_SESSION = "Only the learner who started this role-play can take part in it."
NO_SUCH_SESSION = "There is no session {session_id}."
SERIOUS_FAILURE = "Serious failure"

# --- Data rights (/privacy, /setup retention, the access log) ----------------------------------

ACCESS_ACTIONS = {"open": "opened", "export": "exported", "signoff": "signed off", "feedback": "gave feedback on",
                  "watch": "watched"}
LAST_REVIEWED = "Last reviewed by {name} ({action}, {when})."
NEVER_REVIEWED = "No mentor has opened this session before."
EXPORT_STARTED = "📦 Your data is on its way to your direct messages ({parts} file(s))."
EXPORT_DM_HEADER = ("📦 Everything Composure stores about you: part {index} of {total}. Open `README.txt` "
                    "inside for what each file holds.")
EXPORT_DM_CLOSED = ("⚠️ I could not send you a direct message. Allow direct messages from server members "
                    "(Privacy settings for this server) and run `/privacy export` again. Nothing was lost.")
NOTHING_STORED = "Composure stores nothing about you."
DELETE_CONFIRM = ("**This deletes, for good:**\n{gone}\n{kept}\nPress the button within 5 minutes to go ahead; "
                  "otherwise nothing changes.")
DELETE_NOTHING_KEPT = "Nothing will be kept."
DELETE_KEPT_HEADER = ("**Kept as portfolio evidence** (signed off by a mentor; this server's retention policy "
                      "keeps signed-off work, so your training provider can show it to an assessor):")
DELETE_KEPT_LINE = "- session {session_id} ({scenario_id}), signed off {when}"
DELETE_DONE = "🗑️ Done. Deleted: {gone}."
DELETE_DONE_KEPT = "Kept as portfolio evidence: session(s) {ids}. Ask your training provider if you object."
DELETE_CANCELLED = "Nothing was deleted."
DELETE_ACTIVE = "You have a role-play in progress (session {session_id}). End it with `/roleplay end` first."
DELETE_BUTTON = "Delete my data"
CANCEL_BUTTON = "Cancel"
NOT_YOUR_BUTTON = "This button is for the person who asked to delete their data."
DATA_LABELS = {"sessions": "role-play session(s)", "turns": "transcript line(s)", "reflections": "reflective log(s)",
               "mentor_feedback": "mentor feedback note(s)", "learner_card": "quiz card state(s)",
               "card_review": "quiz answer(s)", "cohort_answer": "cohort quiz answer(s)",
               "learner_settings": "personal setting(s)", "outbox_message": "message(s) waiting to be sent"}
DAILY_REMINDER = ("📚 {due} revision card(s) are due. Use `/quiz` when you have five minutes. "
                  "(`/quiz-reminders enabled:False` turns these off.)")
RETENTION_SET = "Finished role-plays are deleted {days} days after they end; signed-off evidence is {kept}."
RETENTION_OFF = "Finished role-plays are kept until a learner deletes them; signed-off evidence is {kept} on deletion."
RETENTION_KEPT = {True: "kept", False: "deleted too"}
MISSING_PERMISSIONS = (
    "⚠️ I can't open your role-play: I am missing **{permissions}** in {channel}. Please ask a server "
    "admin to allow it for my role in that channel's permissions (Edit Channel → Permissions)."
)
NO_MESSAGE_CONTENT = (
    "⚠️ I can't read what you write: my **Message Content** intent is off, so Discord sends me your "
    "messages blank. Nothing was recorded. Please ask a server admin to tell whoever runs the bot to "
    "enable it (Developer Portal → Bot → Privileged Gateway Intents) and restart me."
)
SCENARIO_UNAVAILABLE = (
    "⚠️ I can't load the customer for this role-play (`{scenario_id}`): its scenario file is missing "
    "or invalid. Everything you wrote is kept, and the session stays open; an admin has been told in "
    "the bot's log. Carry on once it is fixed, or use `/roleplay end`."
)

# --- Discord's limits: long reports in several parts, threads, missing permissions -------------
CONTINUED = "{title} (continued)"
AUDIT_TITLE = "My permissions"
AUDIT_USES = {"roleplay": "role-plays start here", "cohort": "cohort quizzes"}
AUDIT_OK = "✅ {channel} ({use}): all I need"
AUDIT_MISSING = "⚠️ {channel} ({use}): missing **{permissions}**: allow it for my role in the channel's permissions"
AUDIT_GONE = "⚠️ channel {channel_id} ({use}) no longer exists or I can't see it: remove it with /setup"
RESTARTED = "⚙️ I restarted, but your role-play carries on: the customer is still waiting. Reply {when}."
CUSTOMER_LAST_WORDS = "The customer's last words:"
THREAD_GONE = ("Your `{scenario_id}` role-play could not continue after a restart (its thread is gone), "
               "so I closed it. Everything you wrote is kept.")
THREAD_LOCKED = ("Your `{scenario_id}` role-play's thread was locked by a moderator, so I can't post there "
                 "any more and I closed the role-play. Everything you wrote is kept; your report is below. "
                 "Start a new one with `/roleplay start` whenever you like.")

# --- the terminal face ---------------------------------------------------------------------------
TERMINAL_COMMANDS: dict[str, str] = {
    "/end": "finish the call now and get your feedback report",
    "/pause": "stop here and keep the call; run ./composure again to resume (Ctrl-C does the same)",
    "/abandon": "end the call without a report or reflective log (the transcript is kept)",
    "/help": "show this list",
}
TERMINAL_HELP = "Type your reply and press Enter (arrow keys edit, up/down recall). Commands:\n" + "\n".join(
    f"  {name:9} {meaning}" for name, meaning in TERMINAL_COMMANDS.items()
) + "\n  Ctrl-C    the same as /pause;  Ctrl-D on an empty line: the same as /end"
UNKNOWN_COMMAND = "There is no command {word}; nothing was sent to the customer."
TIME_IS_UP = "(time is up: the customer is waiting; your half-typed line is kept)"
PAUSED = "Paused: the call is kept. Run ./composure again to resume."
ABANDONED = "Abandoned: the call is closed without a report; the transcript is kept."
CLOCK_RESTARTED = (
    "The clock restarts: you have {seconds} seconds for your next reply (no silence was counted while paused)."
)
RESUMING = "Resuming your unfinished role-play (session {session_id}, {scenario})."
UNFINISHED_CHOICE = (
    "You have an unfinished role-play: session {session_id}, {scenario}.\n"
    "Type r to resume it, or e to end it (its transcript is kept) and start a new one"
)
UNFINISHED_ENDED = "Ended session {session_id} (its transcript and report are kept)."
LEFT_OVER_LINES = "The call had ended, so these {count} line(s) were not sent to the customer:"
MOOD_SAVED = "Mood curve saved: {path}"
REFLECT_OFFER = "Write your reflective log now? Mentors see it with the transcript. (Enter = yes, s = skip)"
REFLECT_FIELD_HINT = "(type /skip to stop; the log is not saved)"
REFLECT_SAVED = "Reflective log saved for session {session_id}."
REFLECT_SKIPPED = "Reflective log skipped."
