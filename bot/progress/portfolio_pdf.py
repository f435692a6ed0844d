"""Portfolio evidence: one session as a PDF (fpdf2), every mark filed against the unit's marking points.

Fonts ship with matplotlib (DejaVu Sans: accents and most symbols); emoji come from a fallback
font when the machine has one (Symbola, `apt-get install fonts-symbola`). A character no font
has is written as its Unicode name in brackets, so nothing a learner wrote silently disappears.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import cache
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace

from bot import messages
from bot.mentoring import SessionRecord, transcript_lines
from bot.progress.criteria import criteria, criteria_for, reflection_criteria
from bot.progress.gibbs import read_reflection
from bot.reflection import FIELDS

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
EMOJI_FONTS = (Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),
               Path("/usr/share/fonts/truetype/ancient-scripts/Symbola.ttf"),
               Path("/usr/share/fonts/TTF/Symbola.ttf"))
INK, MUTED, ACCENT = (33, 33, 33), (110, 110, 110), (0, 105, 92)
logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting logs every glyph at INFO


@cache
def _emoji_font() -> Path | None:
    return next((p for p in EMOJI_FONTS if p.exists()), None)


@cache
def _covered() -> frozenset[int]:
    """Code points some font we embed can draw."""
    paths = [FONT_DIR / "DejaVuSans.ttf", *([_emoji_font()] if _emoji_font() else [])]
    points: set[int] = set()
    for path in paths:
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap())
    return frozenset(points)


def printable(text: str) -> str:
    """The text with any character no embedded font can draw written as [ITS NAME]."""
    covered = _covered()
    return "".join(ch if ord(ch) in covered or ch in "\n\t" else
                   ("" if unicodedata.category(ch) in ("Mn", "Cf") else
                    f"[{unicodedata.name(ch, f'U+{ord(ch):04X}')}]") for ch in text)


class _Evidence(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.set_auto_page_break(True, margin=16)
        self.set_margins(16, 16, 16)
        self.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.add_font("DejaVu", "I", FONT_DIR / "DejaVuSans-Oblique.ttf")
        if _emoji_font() is not None:
            self.add_font("Emoji", "", _emoji_font())
            self.set_fallback_fonts(["Emoji"], exact_match=False)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(*MUTED)
        self.cell(0, 5, printable(f"{self.footer_text} · page {self.page_no()}/{{nb}}"), align="C")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("DejaVu", "B", 12)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 7, printable(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def para(self, text: str, *, size: float = 9.5, style: str = "", colour: tuple[int, int, int] = INK,
             indent: float = 0) -> None:
        self.set_font("DejaVu", style, size)
        self.set_text_color(*colour)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, printable(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def pairs(self, rows: list[tuple[str, str]], widths: tuple[int, int] = (32, 146)) -> None:
        self.set_font("DejaVu", "", 9)
        heading = FontFace(emphasis="BOLD", fill_color=(224, 242, 241))
        with self.table(col_widths=widths, text_align="LEFT", first_row_as_headings=False,
                        line_height=5, padding=1.2, headings_style=heading) as table:
            for left, right in rows:
                row = table.row()
                row.cell(printable(left), style=heading)
                row.cell(printable(right))
        self.ln(1)


def _criteria_ids(mark: str) -> str:
    ids = [c.id for c in criteria_for(mark)]
    return ", ".join(ids) if ids else "-"


def _mentor_name(record: SessionRecord) -> str:
    names = {f.mentor_id: f.mentor_name for f in record.feedback if f.mentor_name}
    mentor = record.row.signed_off_by or ""
    return names.get(mentor) or mentor


def session_pdf(record: SessionRecord) -> bytes:
    """The whole session as evidence: details, transcript, marks with quotes and criteria, session
    marks, model coverage, reflective log with its feedback, mentor feedback and sign-off, criteria map."""
    row, report = record.row, record.row.report
    learner = row.learner_name or row.learner_id
    pdf = _Evidence(f"Composure role-play evidence · {learner} · session {row.id}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, printable(f"Role-play evidence: {report.get('title', row.scenario_id)}"),
                   new_x="LMARGIN", new_y="NEXT")
    signed = (f"{row.signed_off_at:%d %B %Y} by {_mentor_name(record)}" if row.signed_off_at else "not yet")
    pdf.pairs([("Learner", learner), ("Session", f"{row.id}, {row.started_at:%d %B %Y %H:%M} UTC"),
               ("Customer", f"{report.get('persona', '')} ({row.scenario_id})"),
               ("Outcome", report.get("outcome_text", row.outcome or "")), ("Signed off", signed)])

    pdf.heading("Transcript")
    for who, text, marks in transcript_lines(record):
        pdf.para(f"{who}: {text}")
        if marks:
            pdf.para(f"marks: {', '.join(marks)}", size=7.5, style="I", colour=MUTED, indent=6)

    pdf.heading("Reply marks, with the learner's words and the unit's marking points")
    rows = []
    for key, sign in (("credited", "+"), ("penalised", "−")):
        for item in report.get(key, []):
            quotes = "\n".join(f"“{q}”" for q in item["quotes"])
            rows.append((f"{sign} {item['label']} ×{item['count']}",
                         f"{quotes}\nMarking points: {_criteria_ids(item['mark'])}"))
    pdf.pairs(rows or [("None", "No reply earned or lost a mark.")], widths=(50, 128))

    pdf.heading("Session marks")
    pdf.pairs([(("+ " if s["credited"] else "− ") + s["label"],
                f"{s['reason']}\nMarking points: {_criteria_ids(s['mark'])}")
               for s in report.get("session_marks", [])] or [("None", "-")], widths=(50, 128))

    pdf.heading("Model coverage")
    for model in report.get("models", []):
        order = "in order" if model["in_order"] else "not in order"
        pdf.para(f"{model['model']}: {len(model['covered'])} of {len(model['steps'])} steps "
                 f"({', '.join(model['covered']) or 'none'}; {order}). Steps: {' → '.join(model['steps'])}")

    pdf.heading("Reflective log (Gibbs' cycle)")
    if record.reflection is None:
        pdf.para("Waived by the mentor." if row.reflection_waived else "Not written yet.")
    else:
        pdf.pairs([(f.label, getattr(record.reflection, f.key)) for f in FIELDS], widths=(50, 128))
        pdf.para("Feedback on the log (rules over the learner's words, not a score):", style="B", size=9)
        for line in read_reflection(record.reflection).lines():
            pdf.para(f"• {line}", size=8.5)
        pdf.para("Marking points: " + ", ".join(c.id for c in reflection_criteria()), size=8.5, colour=MUTED)

    pdf.heading("Mentor feedback and sign-off")
    for item in record.feedback:
        pdf.para(f"{item.mentor_name or item.mentor_id}, {item.created_at:%d %B %Y}: {item.text}")
    if not record.feedback:
        pdf.para("No written feedback.")
    pdf.para(f"Signed off: {signed}.", style="B")

    pdf.heading("The unit's marking points and this session's evidence")
    earned = [("+", i["mark"]) for i in report.get("credited", [])]
    earned += [("−", i["mark"]) for i in report.get("penalised", [])]
    earned += [("+" if s["credited"] else "−", s["mark"]) for s in report.get("session_marks", [])]
    evidence_rows = []
    for criterion in criteria():
        found = [f"{sign} {messages.MARK_LABELS.get(m, m)}" for sign, m in earned if m in criterion.marks]
        if criterion in reflection_criteria() and record.reflection is not None:
            found.append("reflective log")
        evidence_rows.append((criterion.id, f"{criterion.text}\nEvidence here: {', '.join(found) or 'none'}"))
    pdf.pairs(evidence_rows, widths=(16, 162))
    return bytes(pdf.output())
