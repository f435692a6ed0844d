"""The learner's export, opened and checked: every row about them in every table, nobody else's,
documented, safe to open in a browser, and split into parts that each fit an attachment."""

from __future__ import annotations

import io
import json
import zipfile

from privacy_world import HOSTILE, NOT_PERSONAL, dump, populate, rows_about
from sqlmodel import SQLModel

from bot.clock import ManualClock
from bot.privacy.export import DATA_FILE, export_files, export_learner, zip_parts


def _keys(table: str, rows) -> set[tuple]:
    pk = [c.name for c in SQLModel.metadata.tables[table].primary_key.columns]
    return {tuple(str(r[c]) for c in pk) for r in rows}


def _open(parts) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for part in parts:
        with zipfile.ZipFile(io.BytesIO(part.data)) as archive:
            assert archive.testzip() is None
            files.update({name: archive.read(name) for name in archive.namelist()})
    return files


def test_export_holds_every_row_about_the_learner_and_no_one_elses(database, catalogue):
    clock = ManualClock()
    zed, amy = populate(database, catalogue, clock, keep_signed_off=False)
    snapshot = dump(database)
    with database.session() as s:
        parts = export_learner(s, learner_id=zed.learner_id, now=clock.now, limit=8_000_000)
    assert len(parts) == 1 and parts[0].filename.endswith(".zip")
    files = _open(parts)
    data = json.loads(files[DATA_FILE])
    assert data["learner_id"] == zed.learner_id
    mine, theirs = rows_about(snapshot, zed), rows_about(snapshot, amy)
    for table in set(snapshot) - NOT_PERSONAL:
        exported = data["tables"][table]
        assert _keys(table, exported) == _keys(table, mine[table]), table
        assert not _keys(table, exported) & _keys(table, theirs[table]), table
        assert data["documentation"][table]["description"]
        assert set(data["documentation"][table]["columns"]) == set(SQLModel.metadata.tables[table].columns.keys())
    assert "learner-amy" not in files[DATA_FILE].decode()
    pages = sorted(n for n in files if n.startswith("sessions/"))
    assert pages == sorted(f"sessions/session-{i}.html" for i in zed.sessions)
    access = {(e["session_id"], e["action"], e["actor_id"]) for e in data["tables"]["access_log"]}
    assert (zed.signed_off, "signoff", "mentor-1") in access


def test_hostile_learner_text_is_inert_in_the_html(sqlite_database, catalogue):
    clock = ManualClock()
    zed, _ = populate(sqlite_database, catalogue, clock, keep_signed_off=False)
    with sqlite_database.session() as s:
        files = export_files(s, learner_id=zed.learner_id, now=clock.now)
    page = files[f"sessions/session-{zed.signed_off}.html"].decode()
    assert "<script>" not in page and "&lt;script&gt;alert(" in page
    assert page.count("</html>") == 1 and page.rstrip().endswith("</html>")
    assert HOSTILE in json.loads(files[DATA_FILE])["tables"]["reflection"][0]["feelings"]  # kept verbatim in data


def test_a_large_export_is_split_into_parts_within_the_limit(sqlite_database, catalogue):
    clock = ManualClock()
    zed, _ = populate(sqlite_database, catalogue, clock, keep_signed_off=False)
    with sqlite_database.session() as s:
        files = export_files(s, learner_id=zed.learner_id, now=clock.now)
    limit = 2_500  # smaller than the compressed JSON file: it is cut into pieces
    parts = zip_parts(files, limit=limit, stem="x")
    assert len(parts) > 2 and all(len(p.data) <= limit for p in parts)
    assert [p.filename for p in parts][:2] == [f"x-part-1-of-{len(parts)}.zip", f"x-part-2-of-{len(parts)}.zip"]
    unpacked = _open(parts)
    pieces = sorted(n for n in unpacked if n.startswith(DATA_FILE + "."))
    assert len(pieces) > 1 and b"".join(unpacked[n] for n in pieces) == files[DATA_FILE]
    assert all(unpacked[name] == body for name, body in files.items() if name != DATA_FILE)


def test_a_learner_with_nothing_stored_gets_an_empty_but_valid_export(sqlite_database):
    with sqlite_database.session() as s:
        files = export_files(s, learner_id="nobody", now=ManualClock().now)
    data = json.loads(files[DATA_FILE])
    assert all(rows == [] for rows in data["tables"].values())
