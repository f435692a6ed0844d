"""Each reply mark's rate per session over time, credited above and penalised below, as a PNG."""

from __future__ import annotations

import matplotlib
import matplotlib.patches
import matplotlib.ticker
from matplotlib.figure import Figure

from bot.assessment import PENALISED
from bot.messages import MARK_LABELS
from bot.progress.history import SessionTally, marks_seen
from bot.roleplay.chart import figure_png


def mark_rates_png(tallies: list[SessionTally]) -> bytes:
    """Two panels sharing the session axis; one line per mark that appeared at least once."""
    credited, penalised = marks_seen(tallies)
    xs = list(range(1, len(tallies) + 1))
    fig = Figure(figsize=(8, 6), dpi=100)  # a bare Figure, no pyplot: safe on worker threads
    axes = fig.subplots(2, 1, sharex=True)
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
    return figure_png(fig)


def cohort_heatmap_png(names: list[str], marks: list[str], rates: list[list[float]], title: str) -> bytes:
    """Learners (rows) x reply marks (columns), each cell the share of that learner's replies; penalised
    columns in reds, credited in greens, so a dark cell is always 'a lot of it'."""
    width = max(6.0, 1.0 + 0.7 * max(len(marks), 1))
    height = max(2.5, 1.6 + 0.45 * max(len(names), 1))
    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.subplots()
    if not names or not marks:
        ax.text(0.5, 0.5, "no role-plays in this period", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    for column, mark in enumerate(marks):
        cmap = matplotlib.colormaps["Reds" if mark in PENALISED else "Greens"]
        for row, learner_rates in enumerate(rates):
            value = learner_rates[column]
            ax.add_patch(matplotlib.patches.Rectangle((column, row), 1, 1, color=cmap(0.1 + 0.8 * value)))
            ax.text(column + 0.5, row + 0.5, f"{value:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if value > 0.55 else "black")
    if names and marks:
        ax.set_xlim(0, len(marks))
        ax.set_ylim(len(names), 0)
        ax.set_xticks([c + 0.5 for c in range(len(marks))])
        ax.set_xticklabels([MARK_LABELS[m] for m in marks], rotation=50, ha="right", fontsize=7)
        ax.set_yticks([r + 0.5 for r in range(len(names))])
        ax.set_yticklabels(names, fontsize=8)
    ax.set_title(title, fontsize=10)
    return figure_png(fig)
