"""The scenarios' ids, titles and problems as `scenarios list` prints them, kept between runs.

Validating the files takes pydantic, whose import and schema building are most of a listing's
time, while the answer changes only when a file or the code that validates it changes. So the
listing is kept in the user's cache folder under a digest of both, and a listing that finds its
digest there parses no YAML and imports no pydantic. A cache that cannot be read or written only
costs the time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

# the code a scenario's validation runs: bot.content.scenario imports the mark vocabulary
VALIDATING_PACKAGES = ("content", "assessment")
_FOLDERS_KEPT = 20


def scenario_files(folder: Path) -> list[Path]:
    """The scenario files in a folder: *.yaml at its top level, not starting with '_'."""
    return sorted(p for p in folder.glob("*.y*ml") if not p.name.startswith("_"))


@dataclass(frozen=True)
class Listing:
    """(id, title) of each scenario that loads, by id; and each skipped file's problems, as one text."""

    scenarios: list[tuple[str, str]]
    problems: list[str]


def listing(folder: Path) -> Listing:
    """The folder's scenarios, validated (patterns not compiled), from the cache when nothing changed."""
    if not folder.is_dir():
        return _validated(folder)
    key = str(folder.resolve())
    digest = _digest(scenario_files(folder))
    kept = _read_cache()
    entry = kept.get(key)
    if isinstance(entry, dict) and entry.get("digest") == digest:
        try:
            return Listing([(str(i), str(t)) for i, t in entry["scenarios"]], [str(p) for p in entry["problems"]])
        except (KeyError, TypeError, ValueError):
            pass  # an entry of another shape: validate again and replace it
    fresh = _validated(folder)
    kept.pop(key, None)
    kept[key] = {"digest": digest, "scenarios": fresh.scenarios, "problems": fresh.problems}
    _write_cache(dict(list(kept.items())[-_FOLDERS_KEPT:]))
    return fresh


def _validated(folder: Path) -> Listing:
    from bot.content.catalogue import Catalogue

    cat = Catalogue.load([folder], check_patterns=False)
    return Listing([(i, cat.scenarios[i].title) for i in cat.ids()], [str(p) for p in cat.problems])


def validating_code() -> list[Path]:
    """The source files whose change may change what validates (a test holds this list to the imports)."""
    bot = Path(__file__).resolve().parent.parent
    return sorted(p for package in VALIDATING_PACKAGES for p in (bot / package).glob("*.py"))


def _digest(files: list[Path]) -> str:
    from importlib.util import find_spec

    pydantic = find_spec("pydantic")
    versions = [Path(pydantic.origin).with_name("version.py")] if pydantic and pydantic.origin else []
    digest = hashlib.blake2b(digest_size=20)
    for path in [*validating_code(), *versions, *files]:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_file() -> Path | None:
    """`$XDG_CACHE_HOME/composure/scenario-listing.json` (`~/.cache` when XDG_CACHE_HOME is unset);
    None when neither gives an absolute folder (no home: a service account), so nothing is kept."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path(os.path.expanduser("~")) / ".cache")
    return root / "composure" / "scenario-listing.json" if root.is_absolute() else None


def _read_cache() -> dict[str, object]:
    path = cache_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(data: dict[str, object]) -> None:
    """Written whole under another name, then renamed: a reader never meets half a file."""
    path = cache_file()
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                         suffix=".tmp") as out:
            json.dump(data, out)
        os.replace(out.name, path)
    except OSError:
        return
