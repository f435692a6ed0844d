"""The command-line contracts, run as a learner or a judge would: a real process, real files."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SCRIPTS = PROJECT / "tests" / "scenario_scripts"


def run(args: list[str], tmp_path: Path, stdin: str = "", env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN",)}
    full_env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "DISCORD_TOKEN": ""})
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=tmp_path, env=full_env, timeout=timeout)


def test_practice_script_json_contract(tmp_path):
    script = tmp_path / "replies.txt"
    script.write_text("I'm so sorry this happened, that sounds really frustrating.\n[silence]\n"
                      "What happened when you took it back to the shop?\n", encoding="utf-8")
    out = run(["practice", "faulty-kettle", "--script", str(script), "--json", "--seed", "4"], tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"scenario", "outcome", "session_marks", "turns", "report"}
    assert data["scenario"] == "faulty-kettle"
    assert data["outcome"] in {"resolved", "escalated", "ended_by_learner", "customer_left", "unresolved"}
    speakers = [t["speaker"] for t in data["turns"]]
    assert speakers[0] == "customer" and "learner" in speakers
    for turn in data["turns"]:
        assert set(turn) >= {"speaker", "text", "marks", "mood"}
    silences = [t for t in data["turns"] if t.get("kind") == "silence"]
    assert len(silences) == 1
    assert "apology" in data["turns"][1]["marks"]


def test_practice_is_deterministic_under_seed(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("Sorry about that. What went wrong?\nI'll refund the kettle for you today.\n")
    a = json.loads(run(["practice", "faulty-kettle", "--script", str(script), "--json", "--seed", "9"],
                       tmp_path).stdout)
    b = json.loads(run(["practice", "faulty-kettle", "--script", str(script), "--json", "--seed", "9"],
                       tmp_path).stdout)
    assert [t["text"] for t in a["turns"]] == [t["text"] for t in b["turns"]]


@pytest.mark.parametrize("outcome_file", sorted(SCRIPTS.glob("*/*.txt")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_outcome_script_plays_through_the_cli(tmp_path, outcome_file):
    out = run(["practice", outcome_file.parent.name, "--script", str(outcome_file), "--json", "--seed", "0"],
              tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["outcome"] == outcome_file.stem


def test_practice_text_report(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("calm down, it's only a kettle\n[end]\n")
    out = run(["practice", "faulty-kettle", "--script", str(script)], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Feedback:" in out.stdout and "Dismissive" in out.stdout
    assert "Ended by you" in out.stdout


def test_unknown_scenario_is_a_clear_error(tmp_path):
    out = run(["practice", "no-such-thing", "--script", "/dev/null"], tmp_path)
    assert out.returncode == 2
    assert "no scenario called 'no-such-thing'" in out.stderr and "faulty-kettle" in out.stderr


def test_missing_script_file_is_a_clear_error(tmp_path):
    out = run(["practice", "faulty-kettle", "--script", str(tmp_path / "nope.txt")], tmp_path)
    assert out.returncode == 2
    assert "cannot read the script" in out.stderr


def test_assess_contract_and_bad_lines(tmp_path):
    lines = [
        json.dumps({"id": "a", "customer": "It broke!", "reply": "I'm so sorry, what happened?"}),
        "this is not json",
        json.dumps({"id": "c", "customer": "x", "reply": 42}),
        json.dumps({"id": "d", "customer": "I want £200.", "reply": "I'll give you £200 now.",
                    "scenario": "late-delivery-third-contact"}),
        json.dumps({"id": "e", "reply": "", "scenario": "not-a-scenario"}),
    ]
    out = run(["assess"], tmp_path, stdin="\n".join(lines) + "\n")
    assert out.returncode == 1  # some lines were unusable
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", None, "c", "d", "e"]
    assert {"apology", "open_question"} <= set(rows[0]["marks"])
    assert all(isinstance(v, str) for v in rows[0]["evidence"].values())
    assert "error" in rows[1] and "error" in rows[2]
    assert "over_promise" in rows[3]["marks"]
    assert rows[4]["marks"] == []
    assert "line 2" in out.stderr and "unknown scenario" in out.stderr


def test_assess_lines_may_carry_the_facts(tmp_path):
    """authority_limit_gbp / goodwill_gbp / customer_abusive replace the scenario's facts or supply them."""
    warning = "I want to help, but if the swearing carries on I'll have to end the call."
    lines = [
        json.dumps({"id": "within", "customer": "I want money back.", "reply": "I'll refund the £40 today.",
                    "authority_limit_gbp": 50, "goodwill_gbp": 10, "context": "a shop"}),
        json.dumps({"id": "beyond", "customer": "I want money back.", "reply": "I'll refund the £40 today.",
                    "authority_limit_gbp": 20, "goodwill_gbp": None}),
        json.dumps({"id": "no-money", "customer": "I want money back.", "reply": "I'll refund the £40 today.",
                    "authority_limit_gbp": None}),
        json.dumps({"id": "calm", "customer": "I drove four hours for this!", "reply": warning,
                    "scenario": "abusive-caller", "customer_abusive": False}),
        json.dumps({"id": "abusive", "customer": "I drove four hours for this!", "reply": warning,
                    "scenario": "cancelled-event-passion", "customer_abusive": True}),
        json.dumps({"id": "bad", "customer": "x", "reply": "ok", "authority_limit_gbp": "lots"}),
    ]
    out = run(["assess"], tmp_path, stdin="\n".join(lines) + "\n")
    rows = {r["id"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert "over_promise" not in rows["within"]["marks"] and "action" in rows["within"]["marks"]
    assert "over_promise" in rows["beyond"]["marks"]
    assert "over_promise" in rows["no-money"]["marks"]
    assert "boundary" not in rows["calm"]["marks"] and "dismissive" in rows["calm"]["marks"]
    assert "boundary" in rows["abusive"]["marks"]
    assert rows["bad"]["error"] == "field 'authority_limit_gbp' must be a number of pounds (0 or more) or null"
    assert out.returncode == 1


def test_scenarios_check_good_and_bad(tmp_path):
    assert run(["scenarios", "check"], tmp_path).returncode == 0
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\ntitle: [unclosed\n")
    out = run(["scenarios", "check", str(bad)], tmp_path)
    assert out.returncode == 1
    assert "broken.yaml" in out.stdout and "YAML syntax" in out.stdout


def test_a_bad_regular_expression_is_reported_by_check_and_at_start_not_by_list(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    kettle = (PROJECT / "scenarios" / "faulty-kettle.yaml").read_text(encoding="utf-8")
    (folder / "faulty-kettle.yaml").write_text(kettle.replace('"refund", "money back"', '"refund(", "money back"'),
                                               encoding="utf-8")
    env = {"SCENARIOS_DIR": str(folder)}
    listed = run(["scenarios", "list"], tmp_path, env=env)  # listing compiles no pattern, to start quickly
    assert listed.returncode == 0 and "faulty-kettle" in listed.stdout, listed.stderr
    checked = run(["scenarios", "check"], tmp_path, env=env)
    assert checked.returncode == 1
    assert "faulty-kettle.yaml" in checked.stdout and "regular expression" in checked.stdout, checked.stdout
    played = run(["practice", "faulty-kettle", "--script", str(SCRIPTS / "faulty-kettle" / "resolved.txt")],
                 tmp_path, env=env)
    assert played.returncode == 2
    assert "skipped a bad scenario file" in played.stderr and "regular expression" in played.stderr, played.stderr


def test_run_without_token_explains_what_to_do(tmp_path):
    out = run(["run"], tmp_path)
    assert out.returncode == 2
    assert "DISCORD_TOKEN" in out.stderr and "practice" in out.stderr


def test_default_command_without_token_starts_terminal_practice(tmp_path):
    out = run([], tmp_path, stdin="1\nI'm so sorry about this. What happened?\n/end\n")
    assert out.returncode == 0, out.stderr
    assert "terminal role-play" in out.stdout
    assert "Which customer" in out.stdout and "Feedback:" in out.stdout


class LiveProcess:
    """A real CLI process whose output is read as it comes, so a test waits for text, not for time."""

    def __init__(self, args: list[str], tmp_path: Path, env: dict[str, str],
                 program: list[str] = ("-m", "bot")) -> None:
        full_env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
        full_env.update({"DISCORD_TOKEN": "", "PYTHONUNBUFFERED": "1", **env})
        self.proc = subprocess.Popen([sys.executable, *program, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     cwd=tmp_path, env=full_env)
        self.seen = ""
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def wait_for(self, text: str, *, count: int = 1, timeout: float = 120) -> str:
        """Everything printed so far, once `text` has appeared `count` times (the timeout only guards a hang)."""
        while self.seen.count(text) < count:
            line = self._lines.get(timeout=timeout)
            if line is None:
                raise AssertionError(f"the process ended before printing {text!r}:\n{self.seen}")
            self.seen += line
        return self.seen

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # the session already ended (e.g. the customer left after three silences)

    def finish(self, timeout: float = 120) -> str:
        """Close stdin and return all output once the process has exited."""
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        while (line := self._lines.get(timeout=timeout)) is not None:
            self.seen += line
        self.proc.wait(timeout=timeout)
        return self.seen


def test_interactive_deadline_passes_and_the_customer_reacts(tmp_path):
    """Piped input on a manual clock (tests/terminal/pty_harness.py): a SIGUSR1 moves it 10 minutes.

    Ten minutes, so a port that waited for real seconds instead of reading the clock would fail.
    """
    live = LiveProcess(["faulty-kettle", "--reply-seconds", "600", "--seed", "2"], tmp_path,
                       {"DATABASE_URL": f"sqlite:///{tmp_path / 'i.db'}", "PYTHONPATH": str(PROJECT),
                        "HARNESS_STEP_SECONDS": "600"},
                       program=[str(PROJECT / "tests" / "terminal" / "pty_harness.py")])
    try:
        live.wait_for("(reply within 600s)")  # the customer has spoken; the learner says nothing
        live.send("/help")  # answered while waiting for the reply: the program is now waiting again
        live.wait_for("/abandon", count=2)
        live.proc.send_signal(signal.SIGUSR1)  # 10 minutes pass (one signal: two at once may arrive as one)
        seen = live.wait_for("time is up")
        assert seen.count("(reply within 600s)") == 1  # the customer spoke once before the deadline
        live.wait_for("(reply within 600s)", count=2)  # the customer reacts, with a fresh clock
        live.send("/end")
        out = live.finish()
    finally:
        live.proc.kill()
    assert live.proc.returncode == 0, out
    assert "silences: 1" in out, out


def test_crashed_terminal_session_resumes(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    first = LiveProcess(["practice", "faulty-kettle", "--learner", "sam", "--seed", "1"], tmp_path, env)
    try:
        first.wait_for("(reply within")
        first.send("I'm so sorry about the kettle.")
        first.wait_for("(reply within", count=2)  # the reply is stored and answered
    finally:
        first.proc.kill()  # a crash mid-session
        first.proc.wait()
    out = run(["practice", "--learner", "sam"], tmp_path, stdin="/end\n", env=env)
    assert out.returncode == 0, out.stderr
    assert "Resuming your unfinished role-play" in out.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "r.db") as conn:
        texts = [r[0] for r in conn.execute("SELECT text FROM turn WHERE session_id = 1 ORDER BY position")]
        status = conn.execute("SELECT status, outcome FROM practice_session WHERE id = 1").fetchone()
    assert "I'm so sorry about the kettle." in texts  # the reply written before the crash survived
    assert status == ("ended", "ended_by_learner")


def test_forget_takes_a_terminal_name_lists_and_asks(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("Sorry about that.\n[end]\n")
    assert run(["practice", "faulty-kettle", "--script", str(script), "--learner", "root"], tmp_path).returncode == 0
    declined = run(["forget", "root"], tmp_path, stdin="no\n")
    assert declined.returncode == 1
    assert "This deletes everything stored about local:root:" in declined.stdout
    assert re.search(r"\b1 practice_session|\b1 sessions", declined.stdout), declined.stdout
    assert "Nothing was deleted." in declined.stderr
    done = run(["forget", "root", "--yes"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.split("deleted: ", 1)[1])["sessions"] == 1
    again = run(["forget", "root", "--yes"], tmp_path)
    assert again.returncode == 1
    assert "no learner 'root' (looked for local:root): nothing is stored about them." in again.stderr


def test_unreachable_database_is_one_clear_line(tmp_path):
    out = run(["db", "upgrade"], tmp_path, env={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot use the database (127.0.0.1:1/none)"), out.stderr
    assert "--debug" in lines[0]
    assert "Traceback" in run(["--debug", "db", "upgrade"], tmp_path,
                              env={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}).stderr


def test_usage_says_composure(tmp_path):
    assert run(["--help"], tmp_path).stdout.startswith("usage: ./composure")


def test_scenarios_check_validates_quiz_cards(tmp_path):
    content = tmp_path / "content"
    (content / "cards").mkdir(parents=True)
    (content / "faulty-kettle.yaml").write_text((PROJECT / "scenarios" / "faulty-kettle.yaml").read_text())
    good = {"id": "good-one", "kind": "true_false", "topic": "model", "seed_idea": "HEAT",
            "prompt": "HEAT starts with Hear.", "answer": True, "explanation": "H is for Hear."}
    bogus_kind = {**good, "id": "bogus", "kind": "bogus_kind"}
    wrong_answer = {**good, "id": "wrong", "kind": "multiple_choice", "options": ["Hear", "Halt"],
                    "answer": "Help"}
    bad_mark = {**good, "id": "bad-mark", "marks": ["no_such_mark"]}
    import yaml

    (content / "cards" / "deck.yaml").write_text(yaml.safe_dump({"cards": [good]}))
    assert run(["scenarios", "check", str(content)], tmp_path).returncode == 0
    for name, card, words in (
        ("kind.yaml", bogus_kind, "cards[0].kind: Input should be 'multiple_choice', 'true_false'"),
        ("answer.yaml", wrong_answer, "answer: must be one of the options, word for word"),
        ("mark.yaml", bad_mark, "cards[0].marks[0]: Input should be"),
    ):
        path = content / "cards" / name
        path.write_text(yaml.safe_dump({"cards": [card]}))
        out = run(["scenarios", "check", str(path)], tmp_path)
        assert out.returncode == 1, out.stdout
        assert out.stdout.startswith(f"error {path}: cards[0]") and words in out.stdout, out.stdout
    assert run(["scenarios", "check", str(content)], tmp_path).returncode == 1


def test_scenarios_check_finds_a_card_linked_to_a_missing_scenario(tmp_path):
    import yaml

    content = tmp_path / "content"
    (content / "cards").mkdir(parents=True)
    (content / "faulty-kettle.yaml").write_text((PROJECT / "scenarios" / "faulty-kettle.yaml").read_text())
    card = {"id": "linked", "kind": "true_false", "topic": "model", "seed_idea": "HEAT",
            "prompt": "HEAT starts with Hear.", "answer": True, "explanation": "H is for Hear.",
            "scenarios": ["faulty-kettle"]}
    (content / "cards" / "deck.yaml").write_text(yaml.safe_dump({"cards": [card]}))
    assert run(["scenarios", "check", str(content)], tmp_path).returncode == 0
    card["scenarios"] = ["no-such-customer"]
    (content / "cards" / "deck.yaml").write_text(yaml.safe_dump({"cards": [card]}))
    out = run(["scenarios", "check", str(content)], tmp_path)
    assert out.returncode == 1
    assert "error card 'linked': scenario 'no-such-customer' does not exist" in out.stdout


def test_reflective_log_over_piped_input(tmp_path):
    """With piped input, the lines after /end answer the log's offer and its five fields, in order."""
    from bot.reflection import FIELDS

    answers = [f"piped answer for {field.key}" for field in FIELDS]
    out = run(["practice", "faulty-kettle", "--seed", "2"], tmp_path,
              stdin="I'm so sorry. What happened?\n/end\n\n" + "\n".join(answers) + "\n")
    assert out.returncode == 0, out.stderr
    assert "Reflective log saved for session 1." in out.stdout, out.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as conn:
        saved = conn.execute(f"SELECT {', '.join(f.key for f in FIELDS)} FROM reflection").fetchall()
    assert saved == [tuple(answers)]


def test_unknown_word_over_piped_input_is_never_sent(tmp_path):
    out = run(["practice", "faulty-kettle", "--seed", "2"], tmp_path, stdin="/frobnicate\n/end\ns\n")
    assert out.returncode == 0, out.stderr
    assert "There is no command /frobnicate; nothing was sent to the customer." in out.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as conn:
        learner = conn.execute("SELECT kind, text FROM turn WHERE speaker = 'learner'").fetchall()
    assert learner == [("end", "")]


def test_another_scenario_over_an_unfinished_one_asks_over_piped_input(tmp_path):
    assert run(["practice", "faulty-kettle", "--seed", "2"], tmp_path, stdin="/pause\n").returncode == 0
    out = run(["practice", "abusive-caller", "--seed", "2"], tmp_path, stdin="maybe\ne\n/end\ns\n")
    assert out.returncode == 0, out.stderr
    choice = ("You have an unfinished role-play: session 1, faulty-kettle.\n"
              "Type r to resume it, or e to end it (its transcript is kept) and start a new one [r/e]: ")
    assert out.stdout.count(choice) == 2, out.stdout  # "maybe" is not an answer: asked again
    assert "Ended session 1 (its transcript and report are kept)." in out.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as conn:
        rows = conn.execute("SELECT id, scenario_id, status FROM practice_session ORDER BY id").fetchall()
    assert rows == [(1, "faulty-kettle", "ended"), (2, "abusive-caller", "ended")]
