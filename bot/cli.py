"""The command line: one entry for the bot, terminal practice, assessment, content checks, quizzes."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used, so each command loads only what it needs
    from bot.config import Settings
    from bot.content.catalogue import Catalogue
    from bot.storage.db import Database

NO_TOKEN = """\
No Discord token is set, so the bot cannot log in.
To run the bot: create an application at https://discord.com/developers/applications,
add a bot, copy its token into a file named .env as DISCORD_TOKEN=..., and run again.
(README.md lists the intents and permissions to enable.)
Meanwhile you can practise in the terminal: ./composure practice"""


def get_settings() -> Settings:
    """The process-wide settings (bot.config), imported only when a command runs: pydantic and
    pydantic-settings take most of the start-up, and `--help` or a usage error needs neither."""
    from bot.config import get_settings as settings

    return settings()


def _catalogue() -> Catalogue:
    from bot.content.catalogue import Catalogue

    cat = Catalogue.load([get_settings().scenarios_dir])
    _warn_skipped(cat.problems)
    return cat


def _warn_skipped(problems: Sequence[object]) -> None:
    for problem in problems:
        print(f"warning: skipped a bad scenario file:\n  {problem}", file=sys.stderr)


def _database() -> Database:
    from bot.storage.db import Database

    return Database(get_settings().database_url)


def _split_content_paths(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Scenario paths and quiz-card paths: a folder's cards/ subfolder and files inside a cards/ folder are cards."""
    scenarios, cards = [], []
    for path in paths:
        if path.is_file() and path.parent.name == "cards":
            cards.append(path)
            continue
        scenarios.append(path)
        if path.is_dir() and (path / "cards").is_dir():
            cards.append(path / "cards")
    return scenarios, cards


def cmd_scenarios_check(args: argparse.Namespace) -> int:
    """`scenarios check`: validate scenario and card files, one line per problem."""
    from bot.content.catalogue import Catalogue
    from bot.quiz.cards import Deck

    scenario_paths, card_paths = _split_content_paths([Path(p) for p in args.paths] or
                                                      [get_settings().scenarios_dir])
    cat = Catalogue.load(scenario_paths) if scenario_paths else Catalogue()
    deck = Deck.load(card_paths)
    for scenario_id in cat.ids():
        print(f"ok    {scenario_id}")
    if deck.cards:
        print(f"ok    {len(deck.cards)} quiz card(s)")
    problems = cat.problems + deck.problems
    for problem in problems:
        for line in problem.problems:
            print(f"error {problem.path}: {line}")
    # a card that names a scenario must name one that loads (checked when both were given)
    broken_links = deck.unknown_scenarios(cat.scenarios) if scenario_paths and deck.cards else []
    for line in broken_links:
        print(f"error {line}")
    if problems or broken_links:
        print(f"{len(problems)} bad file(s), {len(broken_links)} broken card link(s); {len(cat.scenarios)} "
              f"scenario(s) and {len(deck.cards)} card(s) good.", file=sys.stderr)
        return 1
    return 0


def cmd_scenarios_schema(args: argparse.Namespace) -> int:
    """`scenarios schema`: print the JSON schema of scenario (or card) files."""
    from bot.content.scenario import Scenario
    from bot.quiz.cards import DeckFile

    model = DeckFile if args.cards else Scenario
    print(json.dumps(model.model_json_schema(), indent=2))
    return 0


def cmd_scenarios_list(args: argparse.Namespace) -> int:
    """`scenarios list`: the scenarios, one per line, from the listing kept while no file and no
    validating code changed (bot.content.listing). Their regular expressions are not compiled: a bad
    one is reported by `scenarios check`, and when the bot or the terminal starts (the scenario is
    then skipped), never in the middle of a call."""
    from bot.content.listing import listing
    from bot.paths import scenarios_dir

    found = listing(scenarios_dir())
    _warn_skipped(found.problems)
    for scenario_id, title in found.scenarios:
        print(f"{scenario_id:32} {title}")
    return 0


def cmd_assess(args: argparse.Namespace) -> int:
    """`assess`: mark JSON lines read from stdin."""
    from bot.terminal.assess import assess_stream

    return assess_stream(sys.stdin, sys.stdout, sys.stderr, _catalogue())


def cmd_train_assessor(args: argparse.Namespace) -> int:
    """`train-assessor`: retrain the reply classifier (and evaluate it on request)."""
    from bot.assessment.classifier import MODEL_PATH
    from bot.assessment.training import CorpusError, main

    try:
        return main(out=args.out or MODEL_PATH, evaluate=args.evaluate)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _learner(args: argparse.Namespace) -> tuple[str, str]:
    from bot.quiz.daily import TERMINAL_PREFIX

    name = args.learner or getpass.getuser() or "learner"
    return f"{TERMINAL_PREFIX}{name}", name


def cmd_practice(args: argparse.Namespace) -> int:
    """`practice`: a timed role-play in the terminal."""
    import asyncio

    from bot.clock import ManualClock, utcnow
    from bot.services import build_services
    from bot.terminal.practice_loop import practice

    clock = ManualClock(utcnow()) if args.script is not None else utcnow
    services = build_services(get_settings(), clock=clock)
    for problem in services.catalogue.problems:
        print(f"warning: skipped a bad scenario file:\n  {problem}", file=sys.stderr)
    learner_id, learner_name = _learner(args)
    try:
        return asyncio.run(practice(args, services, learner_id, learner_name))
    except KeyboardInterrupt:  # Ctrl-C outside the prompt (piped input, or while the customer answers)
        from bot import messages

        paused = services.roleplay.active_for(learner_id) is not None
        print("\n" + (messages.PAUSED if paused else "stopped."), file=sys.stderr)
        return 130


def cmd_quiz(args: argparse.Namespace) -> int:
    """`quiz`: revise due cards in the terminal."""
    from bot.terminal.quiz import quiz

    return quiz(_database(), get_settings(), *_learner(args))


def cmd_progress(args: argparse.Namespace) -> int:
    """`progress`: a learner's progress, and the chart on request."""
    from bot.progress.terminal import show_progress

    return show_progress(get_settings(), name=args.name, chart=args.chart)


def cmd_export(args: argparse.Namespace) -> int:
    """`export`: a session's PDF, or a learner's signed-off sessions as a ZIP."""
    from bot.progress.terminal import export

    return export(_database(), session_id=args.session, learner=args.learner, out=args.out)


def cmd_run(args: argparse.Namespace) -> int:
    """`run`: the Discord bot, or how to get a token when none is set."""
    settings = get_settings()
    if settings.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from bot.app import run_bot

    return run_bot(settings)


def cmd_default(args: argparse.Namespace) -> int:
    """No sub-command: the bot when a token is set, otherwise a terminal role-play."""
    if get_settings().token is not None:
        return cmd_run(args)
    print("No DISCORD_TOKEN set: starting a terminal role-play instead (see README to run the bot).\n")
    args.scenario, args.script, args.json, args.seed, args.learner = None, None, False, None, None
    args.reply_seconds = None
    return cmd_practice(args)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """`db upgrade`: apply the database migrations."""
    _database()
    print("database is up to date")
    return 0


def learner_id_for(name: str) -> str:
    """A Discord user id (digits) or a full id stays as it is; a terminal name becomes local:NAME."""
    name = name.strip()
    return name if name.isdigit() or ":" in name else f"local:{name}"


def cmd_forget(args: argparse.Namespace) -> int:
    """`forget`: delete everything stored about a learner, after asking."""
    from sqlmodel import Session as DbSession

    from bot.storage.forget import forget_learner

    learner_id = learner_id_for(args.learner)
    db = _database()
    with DbSession(db.engine) as s:  # a rehearsal: count what would go, then roll back
        planned = forget_learner(s, learner_id=learner_id)
        s.rollback()
    if not any(planned.values()):
        print(f"no learner {args.learner!r} (looked for {learner_id}): nothing is stored about them.",
              file=sys.stderr)
        return 1
    print(f"This deletes everything stored about {learner_id}:")
    for name, count in planned.items():
        if count:
            print(f"  {count:>6} {name}")
    if not args.yes:
        try:
            answer = input("Delete all of it for good? Type yes to go on: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            print("Nothing was deleted.", file=sys.stderr)
            return 1
    with db.session() as s:
        counts = forget_learner(s, learner_id=learner_id)
    print("deleted: " + json.dumps(counts))
    return 0


def cmd_privacy_export(args: argparse.Namespace) -> int:
    """`privacy export`: a ZIP of everything stored about a learner."""
    from bot.clock import utcnow
    from bot.privacy.erasure import plan_erasure
    from bot.privacy.export import export_learner

    learner_id = args.learner if args.learner.startswith("local:") or args.learner.isdigit() \
        else f"local:{args.learner}"
    with _database().session() as s:
        if plan_erasure(s, learner_id=learner_id).nothing_stored:
            print(f"Nothing is stored about {learner_id}. Terminal learners are named as in "
                  "`practice --learner NAME`; Discord learners by their user id.", file=sys.stderr)
            return 1
        parts = export_learner(s, learner_id=learner_id, now=utcnow(), limit=2**62)  # one file on disk
    out = args.out or Path(parts[0].filename)
    if out.is_dir():
        out = out / parts[0].filename
    out.write_bytes(parts[0].data)
    print(out.resolve())
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    """`jobs`: list dead-lettered timers, or give one fresh attempts."""
    from bot import jobs
    from bot.clock import utcnow

    with _database().session() as s:
        if args.retry:
            if not jobs.retry(s, job_id=args.retry, now=utcnow()):
                print(f"error: no job {args.retry!r}", file=sys.stderr)
                return 1
            print(f"{args.retry}: will run at the next tick")
            return 0
        dead = jobs.dead_letters(s)
        for job in dead:
            print(f"{job.id}\tfailed {job.attempts} times, last at {job.failed_at:%Y-%m-%d %H:%M} UTC\t"
                  f"{(job.last_error or '').splitlines()[0] if job.last_error else ''}")
    if not dead:
        print("no failed jobs")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    # `composure` when installed (the console script), `./composure` in a checkout
    prog = "composure" if Path(sys.argv[0]).name == "composure" else "./composure"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show the full traceback when something fails")
    parser.set_defaults(func=cmd_default)
    sub = parser.add_subparsers(title="commands")

    p = sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("practice", help="a timed role-play in the terminal")
    p.add_argument("scenario", nargs="?", help="scenario id (omit to choose from a list)")
    p.add_argument("--script", type=Path, help="file of learner replies, one per line; [silence], [end]")
    p.add_argument("--json", action="store_true", help="print the session as JSON")
    p.add_argument("--seed", type=int, help="make the customer's lines repeatable")
    p.add_argument("--learner", help="your name (default: your login name)")
    p.add_argument("--reply-seconds", type=int, help="seconds per reply (default: the scenario's)")
    p.set_defaults(func=cmd_practice)

    p = sub.add_parser("assess", help="mark JSON-lines replies from stdin")
    p.set_defaults(func=cmd_assess)

    p = sub.add_parser("train-assessor", help="train the reply classifier from data/training (deterministic)")
    p.add_argument("--evaluate", action="store_true", help="also print leave-one-business-out scores")
    p.add_argument("--out", type=Path, default=None, help="where to write the model (default: the shipped file)")
    p.set_defaults(func=cmd_train_assessor)

    p = sub.add_parser("scenarios", help="list or check scenario files")
    ssub = p.add_subparsers(title="scenario commands", required=True)
    c = ssub.add_parser("check", help="validate scenario and quiz-card files; exit 1 if any is bad")
    c.add_argument("paths", nargs="*", help="files or folders (default: the scenarios folder)")
    c.set_defaults(func=cmd_scenarios_check)
    c = ssub.add_parser("list", help="list the scenarios")
    c.set_defaults(func=cmd_scenarios_list, reads_settings=False)
    c = ssub.add_parser("schema", help="print the JSON schema of scenario files (or --cards) for editors")
    c.add_argument("--cards", action="store_true", help="the schema of quiz-card files instead")
    c.set_defaults(func=cmd_scenarios_schema)

    p = sub.add_parser("quiz", help="revise with spaced-repetition cards in the terminal")
    p.add_argument("--learner", help="your name (default: your login name)")
    p.set_defaults(func=cmd_quiz)

    p = sub.add_parser("progress", help="your mark trends, quiz retention, streak and the next suggested practice")
    p.add_argument("name", nargs="?",
                   help="the learner (default: your login name); local:NAME or a Discord id work too")
    p.add_argument("--chart", type=Path, help="also write the chart of mark rates per session to this PNG file")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("export", help="portfolio evidence: a session as PDF, or a learner's signed-off sessions as ZIP")
    p.add_argument("session", nargs="?", type=int, help="the session number")
    p.add_argument("--learner", help="instead: every signed-off session of this learner (NAME, local:NAME or an id)")
    p.add_argument("--out", type=Path, help="the file to write (default: a name in the current folder)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("db", help="database maintenance")
    dsub = p.add_subparsers(title="database commands", required=True)
    c = dsub.add_parser("upgrade", help="apply migrations (also done on every start)")
    c.set_defaults(func=cmd_db_upgrade)

    p = sub.add_parser("privacy", help="a learner's data rights")
    psub = p.add_subparsers(title="privacy commands", required=True)
    c = psub.add_parser("export", help="write a ZIP of everything stored about a learner; prints its path")
    c.add_argument("learner", help="a terminal learner's NAME (as in practice --learner), or a Discord user id")
    c.add_argument("--out", type=Path, help="file or folder to write to (default: this folder)")
    c.set_defaults(func=cmd_privacy_export)

    p = sub.add_parser("jobs", help="list the timers that failed every attempt, or retry one")
    p.add_argument("--retry", metavar="JOB_ID", help="give this job fresh attempts, due now")
    p.set_defaults(func=cmd_jobs)

    p = sub.add_parser("forget", help="delete everything stored about one learner")
    p.add_argument("learner", help="a Discord user id, or the name used in the terminal (e.g. root)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation (for scripts)")
    p.set_defaults(func=cmd_forget)
    return parser


def _one_line(exc: BaseException) -> str:
    """A connection or permission failure as one line a person can act on."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, OperationalError | DBAPIError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc).splitlines()[0]
        url = get_settings().database_url.split("@")[-1]
        return f"error: cannot use the database ({url}): {reason}. Check DATABASE_URL and that the server is up."
    if isinstance(exc, PermissionError):
        return f"error: permission denied: {exc.filename or exc}. Check who owns it, or run from another folder."
    return f"error: {exc}"


def _is_database_error(exc: BaseException) -> bool:
    """SQLAlchemy is loaded only by commands that use the database; no other can raise its errors."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.DBAPIError)


def _is_refusal(exc: BaseException) -> bool:
    """An unknown scenario or a refused role-play step; only a command that loaded them can raise them."""
    catalogue, roleplay = sys.modules.get("bot.content.catalogue"), sys.modules.get("bot.roleplay.errors")
    return (catalogue is not None and isinstance(exc, catalogue.UnknownScenario)) or (
        roleplay is not None and isinstance(exc, roleplay.RolePlayError))


def main(argv: list[str] | None = None) -> int:
    """Run one command; expected failures are one line on stderr, not a traceback."""
    args = build_parser().parse_args(argv)
    if getattr(args, "reads_settings", True):
        from pydantic import ValidationError

        from bot.config import explain

        try:
            level = get_settings().log_level
        except ValidationError as exc:
            print(f"error: a setting in the environment or .env is wrong:\n{explain(exc)}", file=sys.stderr)
            return 2
    else:  # a command that needs one path, not the settings (and not pydantic, most of its start-up)
        from bot.paths import setting_text

        level = setting_text("log_level") or "WARNING"
    logging.basicConfig(level=getattr(logging, level.upper(), logging.WARNING),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.func(args)
        return code
    except Exception as exc:
        if _is_refusal(exc):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if not isinstance(exc, PermissionError | ConnectionError) and not _is_database_error(exc):
            raise
        if args.debug:
            raise
        print(_one_line(exc) + " (--debug shows the details)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopped.", file=sys.stderr)
        return 130
