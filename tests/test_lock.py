"""requirements.lock keeps up with pyproject.toml: a dependency added or re-pinned there without
`./composure lock` (after a merge, say) fails here instead of going missing from every install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def locked_pins(text: str) -> dict[str, list[str]]:
    """Each package's pinned versions (a universal lock may pin one per platform or Python)."""
    pins: dict[str, list[str]] = {}
    for line in text.splitlines():
        if match := PIN.match(line):
            pins.setdefault(canonicalize_name(match[1]), []).append(match[2])
    return pins


def test_every_dependency_is_locked_within_its_range_with_hashes():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]
    text = (PROJECT / "requirements.lock").read_text()
    pins = locked_pins(text)
    stale = [str(r) for r in wanted
             if not any(r.specifier.contains(v, prereleases=True) for v in pins.get(canonicalize_name(r.name), []))]
    assert not stale, f"run ./composure lock: requirements.lock does not satisfy {stale}"
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    assert all("--hash=sha256:" in entry for entry in entries)  # pip installs it with --require-hashes

