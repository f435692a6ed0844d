"""`./composure privacy export NAME`: a real process writes the ZIP and prints where."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "DISCORD_TOKEN": ""})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120)


def test_export_after_terminal_practice(tmp_path):
    script = tmp_path / "replies.txt"
    script.write_text("I'm so sorry <b>this</b> happened. What went wrong?\n[end]\n", encoding="utf-8")
    played = run(["practice", "faulty-kettle", "--script", str(script), "--learner", "root", "--seed", "2"], tmp_path)
    assert played.returncode == 0, played.stderr
    missing = run(["privacy", "export", "nobody"], tmp_path)
    assert missing.returncode == 1 and "Nothing is stored about local:nobody" in missing.stderr
    assert not list(tmp_path.glob("*.zip"))

    done = run(["privacy", "export", "root"], tmp_path)
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path.parent == tmp_path.resolve() and path.suffix == ".zip"
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("composure-data.json"))
        pages = [n for n in archive.namelist() if n.startswith("sessions/")]
    assert data["learner_id"] == "local:root" and len(data["tables"]["practice_session"]) == 1
    assert any("<b>this</b>" in t["text"] for t in data["tables"]["turn"]) and len(pages) == 1

    chosen = run(["privacy", "export", "local:root", "--out", str(tmp_path / "mine.zip")], tmp_path)
    assert chosen.returncode == 0 and Path(chosen.stdout.strip()) == (tmp_path / "mine.zip").resolve()
