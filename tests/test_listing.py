"""`scenarios list` from its kept listing: the same lines as a validation, noticed changes, no pydantic."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content import listing as listing_module
from bot.content.listing import cache_file, listing, validating_code
from bot.paths import DEFAULT_SCENARIOS_DIR, scenarios_dir

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two shipped scenarios in a folder of their own, and a cache of this test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    content = tmp_path / "content"
    content.mkdir()
    for name in ("faulty-kettle.yaml", "abusive-caller.yaml"):
        shutil.copy(PROJECT / "scenarios" / name, content / name)
    return content


def _validations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Counts the validations `listing` runs from now on."""
    seen: list[Path] = []
    validate = listing_module._validated

    def counted(folder: Path) -> listing_module.Listing:
        seen.append(folder)
        return validate(folder)

    monkeypatch.setattr(listing_module, "_validated", counted)
    return seen


def test_the_second_listing_is_read_from_the_cache_and_is_the_same(folder, monkeypatch):
    validations = _validations(monkeypatch)
    first = listing(folder)
    assert [i for i, _ in first.scenarios] == ["abusive-caller", "faulty-kettle"] and not first.problems
    kept = cache_file()
    assert kept is not None and kept.is_file()
    assert listing(folder) == first
    assert validations == [folder]


def test_an_edited_file_is_validated_again(folder, monkeypatch):
    validations = _validations(monkeypatch)
    listing(folder)
    kettle = folder / "faulty-kettle.yaml"
    text = kettle.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    kettle.write_text(text.replace(title, "title: A kettle, retitled"), encoding="utf-8")
    assert dict(listing(folder).scenarios)["faulty-kettle"] == "A kettle, retitled"
    (folder / "faulty-kettle.yaml").unlink()
    assert [i for i, _ in listing(folder).scenarios] == ["abusive-caller"]
    assert len(validations) == 3


def test_a_bad_file_is_reported_from_the_cache_too(folder, monkeypatch):
    (folder / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    validations = _validations(monkeypatch)
    first, second = listing(folder), listing(folder)
    assert second == first and len(validations) == 1
    assert len(second.problems) == 1 and "broken.yaml" in second.problems[0] and "YAML syntax" in second.problems[0]
    assert [i for i, _ in second.scenarios] == ["abusive-caller", "faulty-kettle"]


def test_a_cache_that_cannot_be_read_or_written_only_costs_the_time(folder, monkeypatch, tmp_path):
    validations = _validations(monkeypatch)
    kept = cache_file()
    assert kept is not None
    kept.parent.mkdir(parents=True)
    kept.write_text("{not json", encoding="utf-8")
    assert len(listing(folder).scenarios) == 2
    assert len(listing(folder).scenarios) == 2 and len(validations) == 1  # the broken file was replaced
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # a folder that cannot be made
    assert len(listing(folder).scenarios) == 2 and len(validations) == 2
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # not a place to keep anything
    assert cache_file() is None
    assert len(listing(folder).scenarios) == 2 and len(validations) == 3
    assert not (tmp_path / "relative").exists()


def test_a_changed_validating_code_file_is_validated_again(folder, monkeypatch, tmp_path):
    validations = _validations(monkeypatch)
    listing(folder)
    code = validating_code()
    stand_in = tmp_path / "scenario.py"
    stand_in.write_text(code[0].read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    monkeypatch.setattr(listing_module, "validating_code", lambda: [stand_in, *code[1:]])
    listing(folder)
    assert len(validations) == 2


def test_the_digest_covers_every_module_that_validating_imports():
    script = ("import sys; import bot.content.catalogue; "
              "print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.startswith('bot.') and m.__file__))")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            cwd=PROJECT).stdout.split()
    covered = {p.resolve() for p in validating_code()}
    assert loaded and not [f for f in loaded if Path(f).resolve() not in covered]


def test_a_listed_scenario_is_printed_without_importing_pydantic(tmp_path):
    env = {**os.environ, "SCENARIOS_DIR": str(PROJECT / "scenarios"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    script = ("import sys; from bot.cli import main; code = main(['scenarios', 'list']); "
              "print('pydantic' in sys.modules, 'yaml' in sys.modules, code)")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env,
                           timeout=120) for _ in range(2)]
    first, second = (r.stdout.splitlines() for r in runs)
    assert first[-1] == "True True 0"  # the first run validates
    assert second[-1] == "False False 0"
    assert first[:-1] == second[:-1] and any(line.startswith("faulty-kettle ") for line in second)


@pytest.mark.parametrize(("environment", "dotenv", "expected"), [
    ({}, None, None),
    ({"SCENARIOS_DIR": "from-env"}, None, "from-env"),
    ({}, "SCENARIOS_DIR=from-dotenv\n", "from-dotenv"),
    ({"scenarios_dir": "lower-case"}, "SCENARIOS_DIR=from-dotenv\n", "lower-case"),
    ({"SCENARIOS_DIR": ""}, "export SCENARIOS_DIR='quoted dotenv'  # a comment\n", "quoted dotenv"),
    ({}, "SCENARIOS_DIR=\nOTHER=1\n", None),
])
def test_the_light_reading_of_scenarios_dir_is_the_settings_own(environment, dotenv, expected, tmp_path, monkeypatch):
    monkeypatch.delenv("SCENARIOS_DIR", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    want = Path(expected) if expected else DEFAULT_SCENARIOS_DIR
    assert Settings().scenarios_dir == want
    assert scenarios_dir() == want
