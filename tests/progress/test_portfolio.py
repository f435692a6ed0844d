"""Portfolio evidence: a real played session as a PDF, rendered to PNG with poppler and read back."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from bot.mentoring import ReviewError, add_feedback, load_record, sign_off
from bot.progress.criteria import criteria, criteria_for
from bot.progress.portfolio import learner_zip, signed_off_records
from bot.progress.portfolio_pdf import printable, session_pdf
from bot.reflection import save_reflection
from bot.storage.models import PracticeSession
from tests.conftest import PROJECT
from tests.roleplay.playing import play, script
from tests.test_cli import run

SEEDS = PROJECT.parent / "shared" / "seeds"
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
LOG = {"what_happened": "Zoë rang about her café's kettle 😒, and naïvely I nearly said “calm down”.",
       "feelings": "I felt nervous 😬 at first, then calmer.",
       "evaluation": "Empathy went well because she stopped shouting.",
       "do_differently": "Next time I'll say “I'm so sorry the shop treated you like that” first.",
       "action_plan": "I will practise the abusive caller and use HEAT."}
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None and os.environ.get("CI") != "true",
                                   reason="poppler-utils is not installed (tests/run.sh installs it as root)")


def _played_and_signed(db, catalogue, learner="learner", seed=1) -> int:
    play(db, catalogue, "faulty-kettle", script(PROJECT / "tests/scenario_scripts/faulty-kettle/resolved.txt"),
         seed=seed, learner=learner)
    with db.session() as s:
        row = s.exec(select(PracticeSession).where(PracticeSession.learner_id == f"{learner}:{seed}:faulty-kettle")
                     ).one()
        row.learner_name = "Zoë Ångström"
        s.add(row)
        sid = row.id
    with db.session() as s:
        save_reflection(s, session_id=sid, learner_id=row.learner_id, answers=LOG, now=NOW)
        add_feedback(s, session_id=sid, mentor_id="m1", mentor_name="Mo Müller",
                     text="Great empathy 👍 – señor, no “calm down”, ever.", now=NOW)
        sign_off(s, session_id=sid, mentor_id="m1", now=NOW)
    return sid


def _pdftotext(path: Path, *extra: str) -> str:
    return subprocess.run(["pdftotext", *extra, str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_session_pdf_renders_with_everything_and_nothing_cut_off(sqlite_database, catalogue, tmp_path):
    sid = _played_and_signed(sqlite_database, catalogue)
    with sqlite_database.session() as s:
        record = load_record(s, session_id=sid)
    pdf = tmp_path / "session.pdf"
    pdf.write_bytes(session_pdf(record))
    text = _pdftotext(pdf)
    first_customer = next(t.text for t in record.turns if t.speaker == "customer")
    assert "Role-play evidence: Faulty kettle" in text and first_customer.split()[0] in text
    assert "Learner Zoë Ångström" in " ".join(text.split())  # accents intact
    assert "😒" in text and "😬" in text and "👍" in text  # emoji intact
    for mark in record.row.report["credited"]:
        assert mark["label"] in text
        assert "Marking points: " + ", ".join(c.id for c in criteria_for(mark["mark"])) in " ".join(text.split())
    for model in record.row.report["models"]:
        assert f"{model['model']}: {len(model['covered'])} of 4 steps" in text
    assert "Gibbs stages covered: 5 of 6" in text and "Conclusion: not found." in text
    assert "Signed off: 05 March 2026 by Mo Müller." in text
    assert "señor" in text and "U4.3" in text

    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    with Image.open(pages[0]) as image:
        assert image.size == (579, 819)  # A4 at 70 dpi
        grey = image.convert("L")
        assert grey.getextrema()[0] < 80  # there is dark ink on the page
        right_strip = grey.crop((image.width - 30, 0, image.width, image.height))
        assert right_strip.getextrema()[0] > 200  # and none in the right margin: nothing runs off the page
    words = _pdftotext(pdf, "-bbox")
    right_edges = [float(part.split('"')[1]) for part in words.split("xMax=")[1:]]
    assert right_edges and max(right_edges) <= 595 - 40  # A4 is 595 pt wide; margins are 45 pt


def test_every_mark_maps_to_a_marking_point_quoted_from_the_unit():
    from bot.assessment import REPLY_MARKS, SESSION_MARKS

    assert all(criteria_for(m) for m in REPLY_MARKS + SESSION_MARKS)
    if SEEDS.exists():
        for criterion in criteria():
            assert criterion.text in (SEEDS / criterion.seed).read_text(encoding="utf-8"), criterion.id


def test_a_character_no_font_has_is_named_not_lost():
    assert printable("Zoë 😒 漢") == "Zoë 😒 [CJK UNIFIED IDEOGRAPH-6F22]"


def test_learner_zip_holds_only_signed_off_sessions(sqlite_database, catalogue):
    first = _played_and_signed(sqlite_database, catalogue, learner="zoe", seed=1)
    second = _played_and_signed(sqlite_database, catalogue, learner="zoe", seed=2)
    with sqlite_database.session() as s:  # the seeds make two learner ids; file both under one learner
        for sid in (first, second):
            row = s.get(PracticeSession, sid)
            row.learner_id = "local:zoe"
            s.add(row)
        s.add(PracticeSession(learner_id="local:zoe", scenario_id="faulty-kettle", status="ended",
                              started_at=NOW, ended_at=NOW))  # not signed off: left out
    with sqlite_database.session() as s:
        records = signed_off_records(s, learner_id="local:zoe")
        with pytest.raises(ReviewError, match="no signed-off sessions"):
            signed_off_records(s, learner_id="local:nobody")
    with zipfile.ZipFile(io.BytesIO(learner_zip(records))) as archive:
        names = archive.namelist()
        assert names == [f"composure-session-{sid}-faulty-kettle.pdf" for sid in (first, second)]
        assert all(archive.read(n).startswith(b"%PDF") for n in names)


def test_terminal_export_writes_the_pdf_and_the_zip(tmp_path, catalogue):
    from bot.storage.db import Database

    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")
    sid = _played_and_signed(db, catalogue, learner="kai")
    db.dispose()
    out = run(["export", str(sid)], tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / f"composure-session-{sid}-faulty-kettle.pdf").read_bytes().startswith(b"%PDF")
    whole = run(["export", "--learner", "kai:1:faulty-kettle", "--out", "kai.zip"], tmp_path)
    assert whole.returncode == 0, whole.stderr
    assert "wrote kai.zip (1 session(s))" in whole.stdout
    assert zipfile.ZipFile(tmp_path / "kai.zip").namelist() == [f"composure-session-{sid}-faulty-kettle.pdf"]
    assert run(["export"], tmp_path).returncode == 2
    missing = run(["export", "999"], tmp_path)
    assert missing.returncode == 1 and "There is no session 999." in missing.stderr
