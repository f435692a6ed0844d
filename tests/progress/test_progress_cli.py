"""./composure progress as a real process on a real SQLite file."""

from __future__ import annotations

from bot.storage.db import Database
from tests.progress.cohort_fixture import plant_cohort
from tests.test_cli import run


def test_terminal_progress_prints_the_figures_and_writes_the_chart(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")
    plant_cohort(db)
    db.dispose()
    out = run(["progress", "lee", "--chart", "chart.png"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Next practice: late-delivery-third-contact" in out.stdout
    assert "Dismissive: 33% → 0%" in out.stdout and "Role-plays finished: 3" in out.stdout
    assert "Dismissive (in 2 of your last 3 sessions)" in out.stdout
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")
    bad = run(["progress", "lee", "--chart", "no/such/dir/chart.png"], tmp_path)
    assert bad.returncode == 1 and "could not write the chart" in bad.stderr
    assert "Next practice" in bad.stdout  # the figures are still shown
