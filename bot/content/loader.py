"""Read a YAML file and validate it, turning every failure into 'file: field: reason'."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ContentError(Exception):
    """A content file that cannot be used; `problems` are one line each, naming file and field."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


# libyaml's safe loader when PyYAML was built with it (the wheels are): the same documents, about
# ten times faster than the pure-Python parser on our thousand-line scenario files
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> object:
    """Parse YAML safely; syntax errors become a ContentError with the line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(path, [f"(file): not UTF-8 text ({exc.reason})"]) from None
    except OSError as exc:
        raise ContentError(path, [f"(file): cannot be read ({exc.strerror})"]) from None
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(path, [f"(YAML syntax) at {where}: {problem}"]) from None


def validate(path: Path, data: object, model: type[M], context: dict[str, object] | None = None) -> M:
    """Validate parsed data against a schema model, reporting every problem at once; `context` goes
    to the model's validators (see bot.content.scenario.CHECK_PATTERNS)."""
    if not isinstance(data, dict):
        raise ContentError(path, [f"(top level): expected a mapping of fields, got {type(data).__name__}"])
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown field (check the spelling)"
            problems.append(f"{_field_path(err['loc'])}: {msg}")
        raise ContentError(path, problems) from None


def load_file(path: Path, model: type[M], context: dict[str, object] | None = None) -> M:
    """Read and validate one content file."""
    return validate(path, read_yaml(path), model, context)
