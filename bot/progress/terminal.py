"""`./composure progress`: the learner's progress printed, the chart written to a file on request."""

from __future__ import annotations

import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.progress.chart import mark_rates_png
from bot.progress.learner import learner_progress, render_text

if TYPE_CHECKING:
    from bot.storage.db import Database


def learner_id_for(name: str | None) -> str:
    """A bare name is a terminal learner (local:NAME); an id with a colon or a Discord snowflake is kept."""
    name = (name or getpass.getuser() or "learner").strip()
    return name if ":" in name or name.isdigit() else f"local:{name}"


def show_progress(settings: Settings, *, name: str | None, chart: Path | None) -> int:
    """`./composure progress`: print a learner's progress; write the chart when asked."""
    from bot.services import build_services

    services = build_services(settings)
    now = services.clock()
    here = datetime.now().astimezone().tzinfo
    assert here is not None  # astimezone() always gives the local zone
    with services.db.session() as s:
        progress = learner_progress(s, learner_id=learner_id_for(name), catalogue=services.catalogue,
                                    deck=services.quiz.deck, scheduler=services.quiz.scheduler, now=now,
                                    tz=here)
    print(render_text(progress))
    if chart is not None:
        try:
            chart.write_bytes(mark_rates_png(progress.sessions))
        except OSError as exc:
            print(f"error: could not write the chart to {chart}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"\nChart written to {chart}")
    return 0


def export(db: Database, *, session_id: int | None, learner: str | None, out: Path | None) -> int:
    """`./composure export`: one session's PDF, or with --learner a ZIP of the signed-off sessions."""
    from bot.mentoring import ReviewError, load_record
    from bot.progress.portfolio import learner_zip, pdf_name, signed_off_records
    from bot.progress.portfolio_pdf import session_pdf

    if (session_id is None) == (learner is None):
        print("error: give a session number, or --learner NAME (not both)", file=sys.stderr)
        return 2
    try:
        with db.session() as s:
            if learner is not None:
                learner_id = learner_id_for(learner)
                records = signed_off_records(s, learner_id=learner_id)
            else:
                assert session_id is not None  # one of the two was given
                records = [load_record(s, session_id=session_id)]
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if learner is not None:
        body = learner_zip(records)
        target = out or Path(f"composure-portfolio-{learner_id.replace(':', '-')}.zip")
    else:
        body, target = session_pdf(records[0]), out or Path(pdf_name(records[0]))
    try:
        target.write_bytes(body)
    except OSError as exc:
        print(f"error: could not write {target}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {target} ({len(records)} session(s))")
    return 0
