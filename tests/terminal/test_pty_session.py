"""A whole terminal role-play at a real pseudo-terminal: countdown, editing, a deadline mid-line, the end.

The program runs on a manual clock that the test moves with SIGUSR1 (tests/terminal/pty_harness.py),
and the test waits for what the program prints; nothing here depends on the machine's speed.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pexpect

from bot.reflection import FIELDS

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
LEFT = "\x1b[D"
CPR_REQUEST = "\x1b[6n"
TIMEOUT = 120  # guards a hang only; every step waits for output


_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")


class Terminal:
    """What a pty child printed with the colour and cursor codes taken out, searched as it arrives."""

    def __init__(self, child: pexpect.spawn) -> None:
        self.child = child
        self.raw = ""
        self.pos = 0

    @property
    def text(self) -> str:
        return _ESCAPES.sub("", self.raw)

    def _read(self) -> None:
        """Read what has come, answering the cursor-position requests as a terminal does."""
        chunk = self.child.read_nonblocking(4096, timeout=TIMEOUT)
        for _ in range(chunk.count(CPR_REQUEST)):
            self.child.send("\x1b[1;1R")
        self.raw += chunk

    def expect(self, pattern: str, *, regex: bool = False) -> re.Match[str]:
        """Wait until `pattern` appears after the last match; the timeout only guards a hang."""
        wanted = re.compile(pattern if regex else re.escape(pattern))
        give_up = time.monotonic() + TIMEOUT
        while True:
            match = wanted.search(self.text, self.pos)
            if match:
                self.pos = match.end()
                return match
            if time.monotonic() > give_up:
                raise AssertionError(f"no {pattern!r} after {TIMEOUT} s:\n{self.text[-3000:]}")
            try:
                self._read()
            except pexpect.EOF as exc:
                raise AssertionError(f"the program ended before printing {pattern!r}:\n{self.text}") from exc

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def wait_exit(self) -> int:
        while True:
            try:
                self._read()
            except pexpect.EOF:
                break
        self.child.close()
        return self.child.exitstatus


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'pty.db'}", "REPORTS_DIR": str(tmp_path / "reports"),
                "DISCORD_TOKEN": "", "TERM": "xterm-256color",
                "PYTHONPATH": str(PROJECT)})
    return pexpect.spawn(sys.executable, [str(HERE / "pty_harness.py"), *args], cwd=str(tmp_path), env=env,
                         encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 200))


def test_a_whole_session_at_a_terminal(tmp_path):
    child = spawn(tmp_path, "faulty-kettle", "--reply-seconds", "40", "--seed", "2", "--learner", "pty")
    term = Terminal(child)
    try:
        term.expect("Dana Hughes (mood")
        term.expect("40s left")  # the countdown in the bottom toolbar

        term.send("I will look into")  # half a line...
        term.expect("look into")
        os.kill(child.pid, signal.SIGUSR1)  # 30 s pass: 10 s left, drawn in red
        term.expect("10s left")
        os.kill(child.pid, signal.SIGUSR1)  # ...and the deadline passes while the line is half typed
        term.expect("time is up")
        term.expect("Dana Hughes (mood")  # the customer reacts to the silence
        term.expect("40s left")  # a fresh clock for the next reply
        term.send(" it right away.\r")  # the rest of the same line
        term.expect("Dana Hughes (mood")

        term.send("Sorry about that. What happned?" + LEFT * 4 + "e\r")  # fix the typo with the arrow keys
        term.expect("Dana Hughes (mood")

        term.send("/end\r")
        term.expect("Feedback: ")
        term.expect("silences: 1")
        png = Path(term.expect(r"Mood curve saved: (\S+mood\.png)", regex=True).group(1))
        term.expect("Write your reflective log now?")
        term.send("\r")
        for number, field in enumerate(FIELDS):
            term.expect(field.label)
            term.send(f"answer {number} for {field.key}\r")
        term.expect("Reflective log saved")
        status = term.wait_exit()
    finally:
        child.close(force=True)
    assert status == 0, term.text

    assert png.read_bytes().startswith(b"\x89PNG")
    with sqlite3.connect(tmp_path / "pty.db") as conn:
        turns = conn.execute("SELECT speaker, kind, text FROM turn ORDER BY position").fetchall()
        reflection = conn.execute("SELECT what_happened, action_plan FROM reflection").fetchone()
    learner = [(kind, text) for speaker, kind, text in turns if speaker == "learner"]
    assert learner == [("silence", ""), ("line", "I will look into it right away."),
                       ("line", "Sorry about that. What happened?"), ("end", "")]
    assert reflection == ("answer 0 for what_happened", "answer 4 for action_plan")
