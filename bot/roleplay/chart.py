"""The mood curve of a conversation as a PNG, drawn with matplotlib (no display needed)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from bot.content.scenario import MOOD_MAX, MOOD_MIN

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def mood_curve_png(report: dict[str, Any]) -> bytes:
    """Plot the customer's mood after each of their lines; green above zero, red below."""
    # imported at the first chart (half a second), not at start; a bare Figure (no pyplot) has no
    # global state, so charts may be drawn on several worker threads at once
    from matplotlib.figure import Figure

    points = report.get("mood_curve") or [[0, 0]]
    xs = list(range(1, len(points) + 1))
    ys = [p[1] for p in points]
    fig = Figure(figsize=(6, 2.6), dpi=100)
    ax = fig.subplots()
    ax.axhspan(0, MOOD_MAX, color="#e8f5e9")
    ax.axhspan(MOOD_MIN, 0, color="#ffebee")
    ax.plot(xs, ys, marker="o", color="#37474f", linewidth=2)
    ax.set_ylim(MOOD_MIN, MOOD_MAX)
    ax.set_xlim(0.5, max(xs) + 0.5)
    ax.set_xticks(xs)
    ax.set_xlabel("customer's lines")
    ax.set_ylabel("mood")
    ax.set_title(f"{report.get('persona', 'Customer')}: {report.get('outcome_text', '')}", fontsize=9)
    return figure_png(fig)


def figure_png(fig: Figure) -> bytes:
    """Lay out a bare matplotlib Figure and save it as PNG bytes (no pyplot: safe on worker threads)."""
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
