"""Each reply mark's rate per session over time, credited above and penalised below, as a PNG."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bot.messages import MARK_LABELS
from bot.progress.history import SessionTally, marks_seen
from bot.roleplay.chart import figure_png


def mark_rates_png(tallies: list[SessionTally]) -> bytes:
    """Two panels sharing the session axis; one line per mark that appeared at least once."""
    credited, penalised = marks_seen(tallies)
    xs = list(range(1, len(tallies) + 1))
    fig, axes = plt.subplots(2, 1, figsize=(8, 6), dpi=100, sharex=True)
    try:
        for ax, marks, title in ((axes[0], credited, "Credited: share of replies"),
                                 (axes[1], penalised, "Penalised: share of replies")):
            for mark in marks:
                ax.plot(xs, [t.rate(mark) for t in tallies], marker="o", linewidth=1.8, label=MARK_LABELS[mark])
            ax.set_ylim(-0.05, 1.05)
            ax.set_title(title, fontsize=10)
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
            if marks:
                ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
            else:
                ax.text(0.5, 0.5, "none yet", ha="center", va="center", transform=ax.transAxes)
        axes[1].set_xticks(xs or [1])
        axes[1].set_xticklabels([f"{t.ended_at:%d %b}" for t in tallies] or [""], rotation=45, fontsize=7)
        axes[1].set_xlabel("session")
    except BaseException:
        plt.close(fig)
        raise
    return figure_png(fig)
