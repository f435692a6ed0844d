"""Bad input at a real pseudo-terminal, each with its exact message: Ctrl-C at the picker, an unknown
/word, lines pasted after the call has ended. Every step waits for output; no clock is needed.
"""

from __future__ import annotations

import sqlite3

from bot import messages
from tests.terminal.test_pty_session import Terminal, spawn


def test_ctrl_c_at_the_picker_leaves_at_once(tmp_path):
    term = Terminal(spawn(tmp_path, "--learner", "pty"))
    try:
        term.expect("Which customer would you like to practise with?")
        term.expect("Number (1-")
        term.send("\x03")
        status = term.wait_exit()
    finally:
        term.child.close(force=True)
    assert status == 1, term.text  # nothing was chosen: the program ends instead of staying at the picker
    assert "Traceback" not in term.text and "^C" not in term.text, term.text
    with sqlite3.connect(tmp_path / "pty.db") as conn:
        assert conn.execute("SELECT count(*) FROM practice_session").fetchone() == (0,)


def test_unknown_word_and_lines_pasted_after_the_end(tmp_path):
    term = Terminal(spawn(tmp_path, "faulty-kettle", "--seed", "2", "--learner", "pty"))
    try:
        term.expect("Dana Hughes (mood")
        term.send("/frobnicate\r")
        term.expect(messages.UNKNOWN_COMMAND.format(word="/frobnicate"))
        term.expect("/abandon")  # the help follows
        term.send("/end\rstill here?\rhello\r")  # pasted together: the call ends on the first line
        term.expect(messages.LEFT_OVER_LINES.format(count=2))
        term.expect("still here?")
        term.expect("hello")
        term.expect("Write your reflective log now?")
        term.send("s\r")
        term.expect(messages.REFLECT_SKIPPED)
        status = term.wait_exit()
    finally:
        term.child.close(force=True)
    assert status == 0, term.text
    with sqlite3.connect(tmp_path / "pty.db") as conn:
        learner = conn.execute("SELECT kind, text FROM turn WHERE speaker = 'learner'").fetchall()
    assert learner == [("end", "")]  # neither the unknown word nor the pasted lines reached the customer
