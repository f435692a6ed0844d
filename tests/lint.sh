#!/usr/bin/env bash
# The static checks: ruff (lint, docstrings, annotations) over the tree and mypy --strict over
# bot/ and cogs/, both configured in pyproject.toml. Called with the venv's python as $1, by
# tests/run.sh (once per `./composure test` without pytest arguments) and by `./composure lint`.
# Exits non-zero when either finds anything; both always run, so one run shows every finding.
set -uo pipefail
python="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
say() { printf 'lint: %s\n' "$*" >&2; }

status=0
say "ruff check"
"$python" -m ruff check --output-format concise . || status=1
say "mypy --strict (bot/, cogs/)"
"$python" -m mypy || status=1
[ "$status" = 0 ] || say "static checks failed (see above)"
exit "$status"
