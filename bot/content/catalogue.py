"""Load every scenario once at start; bad files are reported, good ones still load."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.listing import scenario_files
from bot.content.loader import ContentError, load_file
from bot.content.scenario import CHECK_PATTERNS, Scenario


class UnknownScenario(KeyError):
    """A scenario id that is not in the catalogue; the message lists the known ones."""

    def __init__(self, scenario_id: str, known: Iterable[str]) -> None:
        self.scenario_id = scenario_id
        self.known = sorted(known)
        super().__init__(scenario_id)

    def __str__(self) -> str:
        return f"no scenario called {self.scenario_id!r}; choose one of: {', '.join(self.known)}"


def load_scenario(path: Path, *, check_patterns: bool = True) -> Scenario:
    """Load one scenario file; its id must match the file name. Without `check_patterns` its regular
    expressions are not compiled: for listing, never for playing (a bad one would fail mid-call)."""
    scenario = load_file(path, Scenario, {CHECK_PATTERNS: check_patterns})
    if scenario.id != path.stem:
        raise ContentError(path, [f"id: {scenario.id!r} does not match the file name {path.stem!r}"])
    return scenario


@dataclass
class Catalogue:
    """The scenarios by id, plus the problems met while loading them."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    problems: list[ContentError] = field(default_factory=list)

    @classmethod
    def load(cls, paths: Iterable[Path], *, check_patterns: bool = True) -> Catalogue:
        """Load scenario files or folders, collecting every problem instead of stopping at one."""
        cat = cls()
        for path in paths:
            files = scenario_files(path) if path.is_dir() else [path]
            if path.is_dir() and not files:
                cat.problems.append(ContentError(path, ["(folder): no scenario files (*.yaml) found"]))
            if not path.exists():
                cat.problems.append(ContentError(path, ["(file): does not exist"]))
                continue
            for file in files:
                try:
                    scenario = load_scenario(file, check_patterns=check_patterns)
                except ContentError as exc:
                    cat.problems.append(exc)
                    continue
                if scenario.id in cat.scenarios:
                    cat.problems.append(ContentError(file, [f"id: {scenario.id!r} is defined twice"]))
                    continue
                cat.scenarios[scenario.id] = scenario
        return cat

    def get(self, scenario_id: str) -> Scenario:
        """Return a scenario or raise UnknownScenario naming the choices."""
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            raise UnknownScenario(scenario_id, self.scenarios) from None

    def ids(self) -> list[str]:
        """Scenario ids in a stable order."""
        return sorted(self.scenarios)
