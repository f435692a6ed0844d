"""The built wheel runs without the checkout: migrations, scenarios and quiz cards travel inside it.

The wheel is built from a copy of the project by the project venv's own setuptools (no download), and
installed without its dependencies into a fresh venv that borrows the project venv's packages through
a .pth line; the wheel's own `bot` comes first on the path, so nothing is read from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
NOT_BUILT = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", "*.db",
                                   "reports", "data", "tests", "benchmarks", ".composure-install.log")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, f"{args}:\n{out.stdout}\n{out.stderr}"
    return out


def test_the_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(PROJECT, source, ignore=NOT_BUILT)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
          "--wheel-dir", tmp_path / "dist", source], cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("composure-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for carried in ("bot/_bundled/migrations/env.py", "bot/_bundled/scenarios/faulty-kettle.yaml",
                    "bot/assessment/model/assessor.joblib"):
        assert carried in names, carried
    assert any(n.startswith("bot/_bundled/scenarios/cards/") and n.endswith(".yaml") for n in names)
    assert any(n.startswith("bot/_bundled/migrations/versions/0001") for n in names)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel],
         cwd=tmp_path)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).stdout.strip())
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "work"  # a user's folder: no checkout, no .env
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DATABASE_URL", "SCENARIOS_DIR", "REPORTS_DIR", "DISCORD_TOKEN")}
    where = json.loads(_run([python, "-c", "import json, bot, bot.config as c, bot.storage.db as d; "
                             "print(json.dumps([bot.__file__, str(c.Settings().scenarios_dir), "
                             "str(d.MIGRATIONS_DIR), c.Settings().database_url]))"], cwd=work, env=env).stdout)
    code, scenarios, migrations = (Path(p) for p in where[:3])
    assert code.is_relative_to(venv), where  # the wheel's code, not the checkout's
    assert scenarios == code.parent / "_bundled" / "scenarios" and scenarios.is_dir(), where
    assert migrations == code.parent / "_bundled" / "migrations" and migrations.is_dir(), where
    assert where[3] == f"sqlite:///{work / 'composure.db'}"  # the database in the working folder

    composure = venv / "bin" / "composure"
    assert _run([composure, "--help"], cwd=work, env=env).stdout.startswith("usage: composure")
    assert "faulty-kettle" in _run([composure, "scenarios", "list"], cwd=work, env=env).stdout
    _run([composure, "scenarios", "check"], cwd=work, env=env)  # scenarios and their quiz cards
    script = work / "replies.txt"
    script.write_text("I'm so sorry about the kettle. What happened?\n[end]\n")
    played = json.loads(_run([composure, "practice", "faulty-kettle", "--script", script, "--json"],
                             cwd=work, env=env).stdout)
    assert played["outcome"] == "ended_by_learner"
    assert (work / "composure.db").is_file()  # migrated from the bundled migrations
