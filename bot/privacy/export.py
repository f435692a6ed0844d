"""A learner's copy of their data: one documented JSON file plus an HTML page per session, zipped,
in parts that each fit one Discord attachment."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session as DbSession

from bot.mentoring import export_html, load_record
from bot.privacy.inventory import ALL_TIMES_UTC, documentation, learner_rows
from bot.storage.models import PracticeSession

EXPORT_FORMAT = "composure-learner-export/1"
DATA_FILE = "composure-data.json"
README_FILE = "README.txt"
ZIP_ENTRY_OVERHEAD = 200  # local header + central directory entry, beside twice the name
ZIP_END_OVERHEAD = 100

README = """Composure: a copy of everything stored about you
=================================================

{data_file}    every row about you, per table, with "documentation" explaining each table and column
sessions/         one web page per role-play: transcript, marks, reflective log and mentor feedback

A file too big for one attachment is cut into pieces named NAME.001, NAME.002, ...;
join them in order (for example: cat {data_file}.* > {data_file}).
{times}
"""


class ExportTooSmallLimit(ValueError):
    """The attachment limit is too small to hold even a piece of a file."""


@dataclass(frozen=True)
class ExportPart:
    """One ZIP file of a learner's export, small enough for one message."""

    filename: str
    data: bytes


def export_files(session: DbSession, *, learner_id: str, now: datetime) -> dict[str, bytes]:
    """The files of the export, by path inside the ZIP; the JSON first."""
    tables = learner_rows(session, learner_id=learner_id)
    document = {
        "format": EXPORT_FORMAT,
        "learner_id": learner_id,
        "generated_at": now.isoformat(),
        "note": ALL_TIMES_UTC,
        "documentation": documentation(tables),
        "tables": {name: [row.model_dump(mode="json") for row in rows] for name, rows in tables.items()},
    }
    files = {DATA_FILE: json.dumps(document, indent=2, ensure_ascii=False).encode(),
             README_FILE: README.format(data_file=DATA_FILE, times=ALL_TIMES_UTC).encode()}
    for row in tables["practice_session"]:
        assert isinstance(row, PracticeSession)
        page = export_html(load_record(session, session_id=row.id or 0))
        files[f"sessions/session-{row.id}.html"] = page.encode()
    return files


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _estimate(name: str, data: bytes) -> int:
    return len(_zip([(name, data)])) + ZIP_ENTRY_OVERHEAD + 2 * len(name.encode())


def _pieces(name: str, data: bytes, limit: int) -> list[tuple[str, bytes]]:
    """A file whose compressed form alone exceeds the limit, cut into raw pieces that fit."""
    size = limit - ZIP_END_OVERHEAD - ZIP_ENTRY_OVERHEAD - 2 * (len(name.encode()) + 4)
    size = size * 99 // 100  # deflate can grow incompressible data slightly
    if size <= 0:
        raise ExportTooSmallLimit(f"an attachment limit of {limit} bytes cannot hold any of {name}")
    return [(f"{name}.{i + 1:03d}", data[start:start + size]) for i, start in enumerate(range(0, len(data), size))]


def zip_parts(files: dict[str, bytes], *, limit: int, stem: str) -> list[ExportPart]:
    """Pack the files into as few ZIPs as fit, each at most `limit` bytes, in the files' order."""
    members: list[tuple[str, bytes, int]] = []
    for name, data in files.items():
        cost = _estimate(name, data)
        if cost + ZIP_END_OVERHEAD <= limit:
            members.append((name, data, cost))
        else:
            members += [(n, d, _estimate(n, d)) for n, d in _pieces(name, data, limit)]
    groups: list[list[tuple[str, bytes]]] = [[]]
    used = ZIP_END_OVERHEAD
    for name, data, cost in members:
        if groups[-1] and used + cost > limit:
            groups.append([])
            used = ZIP_END_OVERHEAD
        groups[-1].append((name, data))
        used += cost
    blobs = [_zip(group) for group in groups]
    if len(blobs) == 1:
        return [ExportPart(f"{stem}.zip", blobs[0])]
    return [ExportPart(f"{stem}-part-{i}-of-{len(blobs)}.zip", blob) for i, blob in enumerate(blobs, 1)]


def export_learner(session: DbSession, *, learner_id: str, now: datetime, limit: int) -> list[ExportPart]:
    """The learner's export as ZIP parts within `limit` bytes each."""
    stem = f"composure-export-{now:%Y%m%d-%H%M%S}"
    return zip_parts(export_files(session, learner_id=learner_id, now=now), limit=limit, stem=stem)
