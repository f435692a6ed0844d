"""The end of a terminal role-play drawn with rich: the report with headings and colour, the mood curve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot import messages
from bot.content.scenario import MOOD_MAX, MOOD_MIN
from bot.roleplay.chart import mood_curve_png

_OUTCOME_STYLE = {"resolved": "bold green", "escalated": "bold cyan", "ended_by_learner": "bold yellow",
                  "customer_left": "bold red", "unresolved": "bold red"}


def mood_style(mood: int) -> str:
    """The colour for a mood: green above zero, red below, yellow at zero."""
    return "green" if mood > 0 else "red" if mood < 0 else "yellow"


def _quoted_marks(title: str, items: list[dict[str, Any]], style: str) -> list[Any]:
    if not items:
        return []
    out: list[Any] = [Text(title, style=f"bold {style}")]
    for item in items:
        line = Text(f"  {item['label']} ×{item['count']}: ", style=style)
        line.append("; ".join(f"“{q}”" for q in item["quotes"]), style="italic")
        out.append(line)
    return out


def report_renderable(report: dict[str, Any]) -> Panel:
    """The feedback report as one panel: outcome, counts, marks with quotes, models and tips."""
    parts: list[Any] = [
        Text(report["outcome_text"], style=_OUTCOME_STYLE.get(report.get("outcome") or "", "bold")),
        Text(f"Your replies: {report['learner_turns']}   silences: {report.get('silences', 0)}   "
             f"missed deadlines: {report['missed_deadlines']}"),
    ]
    for failure in report["serious_failures"]:
        parts.append(Text(f"!! {messages.SERIOUS_FAILURE}: {failure['description']}", style="bold white on red"))
    parts += _quoted_marks("What earned credit", report["credited"], "green")
    parts += _quoted_marks("What lost credit", report["penalised"], "red")
    if report["session_marks"]:
        parts.append(Text("Over the whole conversation", style="bold"))
        for item in report["session_marks"]:
            sign, style = ("+", "green") if item["credited"] else ("-", "red")
            parts.append(Text(f"  {sign} {item['label']}: {item['reason']}", style=style))
    if report["models"]:
        table = Table(title="Models", title_justify="left", title_style="bold", show_header=True)
        table.add_column("model")
        table.add_column("steps")
        table.add_column("covered")
        for m in report["models"]:
            complete = len(m["covered"]) == len(m["steps"])
            order = (" (in order)" if m["in_order"] else " (out of order)") if complete else ""
            table.add_row(m["model"], f"{len(m['covered'])}/{len(m['steps'])}{order}",
                          ", ".join(m["covered"]) or "none")
        parts.append(table)
    if report["tips"]:
        parts.append(Text("Next time", style="bold magenta"))
        parts.extend(Text(f"  • {tip}") for tip in report["tips"])
    return Panel(Group(*parts), title=f"Feedback: {report['title']} (with {report['persona']})",
                 title_align="left", border_style="blue")


def mood_renderable(report: dict[str, Any]) -> Group:
    """The mood curve as one bar per customer line, from furious (-10) to delighted (+10)."""
    rows: list[Any] = [Rule(f"{report['persona']}'s mood, line by line", style="dim")]
    half = MOOD_MAX
    for number, (_, mood) in enumerate(report.get("mood_curve") or [], 1):
        mood = max(MOOD_MIN, min(MOOD_MAX, int(mood)))
        left = " " * (half - max(0, -mood)) + "█" * max(0, -mood)
        right = "█" * max(0, mood) + " " * (half - max(0, mood))
        line = Text(f"{number:>3} ")
        line.append(left, style="red")
        line.append("│", style="dim")
        line.append(right, style="green")
        line.append(f" {mood:+d}", style=mood_style(mood))
        rows.append(line)
    return Group(*rows)


def save_mood_png(report: dict[str, Any], folder: Path) -> Path:
    """Write the mood curve as folder/session-N/mood.png and return its path."""
    target = folder / f"session-{report.get('session_id')}" / "mood.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(mood_curve_png(report))
    return target.resolve()


def show_ending(console: Console, report: dict[str, Any], folder: Path) -> Path:
    """Print the report and the mood curve, save mood.png and print its path."""
    console.print(report_renderable(report))
    console.print(mood_renderable(report))
    path = save_mood_png(report, folder)
    console.print(messages.MOOD_SAVED.format(path=path), style="bold", soft_wrap=True, markup=False)
    return path
