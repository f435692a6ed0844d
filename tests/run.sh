#!/usr/bin/env bash
# Runs the test suite against SQLite files and a real, throwaway PostgreSQL server.
# Called by `./composure test` with the venv's python as $1. Installs PostgreSQL with apt-get
# when it is missing and we are root; under CI=true a missing PostgreSQL is an error.
# Without pytest arguments (the whole suite, as CI runs it) ruff and mypy --strict run first
# (tests/lint.sh) and a finding fails the run; with arguments they are skipped unless
# COMPOSURE_LINT=1.
set -euo pipefail
python="$1"; shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
say() { printf 'tests: %s\n' "$*" >&2; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

install_pg() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing PostgreSQL with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
  fi
}

start_pg() {
  local bin
  bin="$(pg_bin)" || { install_pg; bin="$(pg_bin)"; } || return 1
  PGTMP="$(mktemp -d /tmp/composure-pg.XXXXXX)"
  local port
  port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PGTMP"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -o "-h 127.0.0.1 -p $port -k $PGTMP -F" start >/dev/null
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PGTMP/data" -m immediate stop)
  export COMPOSURE_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

cleanup() {
  if [ -n "${PG_STOP+x}" ]; then "${PG_STOP[@]}" >/dev/null 2>&1 || true; fi
  [ -n "${PGTMP:-}" ] && rm -rf "$PGTMP"
}
trap cleanup EXIT

# The portfolio PDF test renders pages with poppler (pdftoppm, pdftotext); emoji in PDFs need Symbola.
if ! command -v pdftoppm >/dev/null 2>&1 || [ ! -e /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing poppler-utils and fonts-symbola with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq poppler-utils fonts-symbola >/dev/null
  elif [ "${CI:-}" = "true" ]; then
    say "poppler-utils (pdftoppm) is missing; CI needs it."
    exit 1
  else
    say "no pdftoppm here (and not root to install it): the PDF rendering test will be skipped."
  fi
fi

lint_status=0
if [ "$#" = 0 ] || [ "${COMPOSURE_LINT:-}" = 1 ]; then
  bash "$here/tests/lint.sh" "$python" || lint_status=1
fi

if [ -n "${COMPOSURE_TEST_PG_URL:-}" ]; then
  say "using the PostgreSQL server in COMPOSURE_TEST_PG_URL"
elif ! start_pg; then
  if [ "${CI:-}" = "true" ]; then
    say "PostgreSQL could not be installed or started; CI needs it."
    exit 1
  fi
  say "no PostgreSQL here (and not root to install it): PostgreSQL tests will be skipped."
fi

set +e
"$python" -m pytest "$@"
status=$?
set -e
[ "$status" = 5 ] && { say "pytest collected no tests"; exit 1; }
[ "$lint_status" = 0 ] || { say "the tests ran, but ruff or mypy found problems (above)"; [ "$status" = 0 ] && exit 1; }
exit "$status"
