"""Mutation testing for one module: `./composure mutants bot/quiz/schedule.py`.

mutmut plants small bugs (a flipped comparison, a changed constant, a dropped argument) in MODULE
only, runs the tests that `tests/mutants.yaml` maps the module to (narrowed per mutant to the tests
that call the mutated function), and this prints how many were killed, survived or timed out, then
each survivor's diff: a survivor is a bug no test notices. Work files go to `mutants/` (ignored by
git), rebuilt each run so a result never comes from an older test or source.

`--survivors` re-tests only what the last run of MODULE left uncaught (survived, no tests, or not
reached when it was stopped), against the tests as they are now, and prints the whole module's table
again: the quick loop while writing tests to kill survivors. It keeps `mutants/`, so it refuses when
the source (`bot/`, `cogs/`) or the module's test list changed since that run; a new test is mapped
to the functions it calls, but an edited test keeps the functions it called in the full run.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "tests" / "mutants.yaml"
WORK_DIR = ROOT / "mutants"
# mutmut stops a mutant on CPU time; a mutant that blocks (an await that never returns) uses none,
# so each test also gets a wall-clock limit, and a hang counts as caught
PER_TEST_TIMEOUT_S = 120
STATUSES = ("killed", "survived", "timeout", "no tests", "suspicious", "other")
UNCAUGHT = ("survived", "no tests", "not checked")  # what `--survivors` tests again
LAST_RUN = WORK_DIR / "composure-last-run.json"


def load_mapping(path: Path = MAPPING) -> dict[str, list[str]]:
    """Read the module -> test paths table."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(module): [str(t) for t in tests] for module, tests in data.items()}


def dotted(module: str) -> str:
    """`bot/quiz/schedule.py` -> `bot.quiz.schedule`, the prefix of mutmut's mutant names."""
    return module.removesuffix(".py").replace("/", ".")


def configure(module: str, tests: list[str]) -> None:
    """Point mutmut (configured in pyproject [tool.mutmut]) at one module and its tests."""
    from mutmut import configuration

    base = configuration._load_config()
    configuration._config = dataclasses.replace(
        base,
        only_mutate=[module],
        pytest_add_cli_args_test_selection=list(tests),
        pytest_add_cli_args=[*base.pytest_add_cli_args, f"--timeout={PER_TEST_TIMEOUT_S}", "-m", "not postgres"],
    )


def run_mutmut(module: str, children: int, names: list[str] | None = None) -> None:
    """Generate the module's mutants and test each (or only `names`); mutmut exits the process on a
    broken setup."""
    from mutmut.__main__ import _run

    _run(names or [f"{dotted(module)}.*"], children)


def fingerprint(module: str, tests: list[str]) -> str:
    """What a run's results depend on besides the tests' own text: the source mutmut copied once
    into `mutants/` and the module's test list."""
    digest = hashlib.sha256(json.dumps([module, tests]).encode())
    for path in sorted(p for top in ("bot", "cogs") for p in (ROOT / top).rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def uncaught_since_last_run(module: str, tests: list[str]) -> list[str] | str:
    """The mutants the last run of `module` left uncaught, or why they cannot be tested again."""
    try:
        last = json.loads(LAST_RUN.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no earlier run to take the survivors from"
    if last.get("module") != module:
        return f"the last run was of {last.get('module')}"
    if last.get("fingerprint") != fingerprint(module, tests):
        return "bot/, cogs/ or the module's test list changed since the last run"
    return [name for name, status in results(module).items() if status in UNCAUGHT]


def results(module: str) -> dict[str, str]:
    """Mutant name -> status (killed, survived, timeout, ...) for the module's last run."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code

    data = SourceFileMutationData(path=Path(module))
    data.load()
    return {name: status_by_exit_code[code] for name, code in sorted(data.exit_code_by_key.items())}


def summary_cells(module: str, statuses: dict[str, str]) -> list[str]:
    """One table row: the module, counts per status and the surviving share."""
    counts = Counter(s if s in STATUSES else "other" for s in statuses.values())
    total = sum(counts.values())
    # a mutant no test runs is as unnoticed as one that every test passes
    share = (counts["survived"] + counts["no tests"]) / total if total else 0.0
    return [module, str(total), *(str(counts[s]) for s in STATUSES), f"{share:.1%}"]


def summary_table(module: str, statuses: dict[str, str]) -> str:
    """A markdown table a report can quote as it stands."""
    head = ["module", "total", *STATUSES, "not caught (survived + no tests)"]
    row = summary_cells(module, statuses)
    widths = [max(len(h), len(c)) for h, c in zip(head, row, strict=True)]
    lines = [head, ["-" * w for w in widths], row]
    return "\n".join("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
                     for line in lines)


def survivor_diffs(module: str, statuses: dict[str, str]) -> list[str]:
    """The diff of each mutant no test caught, as mutmut shows it."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return [f"# {name}: {status}\n{get_diff_for_mutant(name, path=Path(module))}"
            for name, status in statuses.items() if status in ("survived", "no tests")]


@contextlib.contextmanager
def progress_to(path: Path | None) -> Iterator[None]:
    """Send everything written to file descriptor 1 to `path` (mutmut writes to sys.__stdout__)."""
    if path is None:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    with path.open("wb") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def main(argv: list[str] | None = None) -> int:
    """Run mutation testing on one module and print the table and the survivors."""
    parser = argparse.ArgumentParser(prog="composure mutants", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help="a path listed in tests/mutants.yaml, e.g. bot/quiz/schedule.py")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 1,
                        help="mutants tested at once (default: one per core)")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the results (mutmut's progress goes to mutants/progress.log)")
    parser.add_argument("--survivors", action="store_true",
                        help="test again only what the last run of MODULE left uncaught (same source)")
    args = parser.parse_args(argv)
    mapping = load_mapping()
    module = Path(args.module).as_posix().removeprefix("./")
    if module not in mapping:
        print(f"{module} has no tests listed in {MAPPING.relative_to(ROOT)}; known modules: "
              f"{', '.join(sorted(mapping))}", file=sys.stderr)
        return 2
    missing = [t for t in mapping[module] if not (ROOT / t.split("::")[0]).exists()]
    if missing:
        print(f"{MAPPING.relative_to(ROOT)} lists missing tests for {module}: {', '.join(missing)}", file=sys.stderr)
        return 2
    os.chdir(ROOT)
    names = None
    if args.survivors:
        found = uncaught_since_last_run(module, mapping[module])
        if isinstance(found, str):
            print(f"--survivors: {found}; run `composure mutants {module}` in full", file=sys.stderr)
            return 2
        names = found
    else:
        shutil.rmtree(WORK_DIR, ignore_errors=True)
        WORK_DIR.mkdir()
        LAST_RUN.write_text(json.dumps({"module": module, "fingerprint": fingerprint(module, mapping[module])}),
                            encoding="utf-8")
    configure(module, mapping[module])
    log = WORK_DIR / "progress.log"
    try:
        with progress_to(log if args.quiet else None):
            if names != []:  # every mutant already caught: only the table to print
                run_mutmut(module, max(1, args.children), names)
    except SystemExit:
        if args.quiet:
            print(log.read_text(encoding="utf-8", errors="replace")[-4000:], file=sys.stderr)
        raise
    statuses = results(module)
    for diff in survivor_diffs(module, statuses):
        print(diff)
    print(summary_table(module, statuses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
