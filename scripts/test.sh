#!/usr/bin/env bash
# The README's test command (`make test`): the whole suite on PostgreSQL and Redis, then ruff and
# mypy. With --embedded: the smoke subset on the embedded SQLite mode.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's Chromium for the browser tests..."
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install -y chromium'" >&2
    exit 1
  fi
fi

# The chart's PrometheusRule is checked and unit-tested by promtool (Debian's `prometheus`).
if ! command -v promtool >/dev/null; then
  echo "Installing Debian's prometheus package for promtool..."
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq prometheus >/dev/null
  else
    echo "promtool is missing: run 'sudo apt-get install -y prometheus'" >&2
    exit 1
  fi
fi

# The SSO browser tests run a real OpenID Connect provider (npm oidc-provider, pinned by the lock).
if [ ! -d tests/oidc/node_modules ]; then
  npm ci --prefix tests/oidc --no-audit --no-fund
fi
# The accessibility browser tests inject axe-core from its file (npm axe-core, pinned by the lock).
if [ ! -d tests/axe/node_modules ]; then
  npm ci --prefix tests/axe --no-audit --no-fund
fi

if [ "${1:-}" = "--embedded" ]; then
  shift
  export STARGATE_DATABASE_URL="" STARGATE_REDIS_URL=""
  unset STARGATE_DATABASE_URL STARGATE_REDIS_URL
  export STARGATE_DATA_DIR="${STARGATE_DATA_DIR:-$(mktemp -d)}"
  exec "$BIN/pytest" -m smoke -q "$@"
fi

export STARGATE_DATABASE_URL="${STARGATE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/stargate}"
export STARGATE_REDIS_URL="${STARGATE_REDIS_URL:-redis://127.0.0.1:6379/0}"
"$BIN/python" - <<'PY'
import os, sys
import psycopg, redis
try:
    # The test database is created by pytest-django; only the server must answer.
    psycopg.connect(os.environ["STARGATE_DATABASE_URL"], dbname="postgres", connect_timeout=5).close()
except Exception as exc:
    sys.exit(f"PostgreSQL is not reachable at {os.environ['STARGATE_DATABASE_URL']}: {exc}")
try:
    redis.Redis.from_url(os.environ["STARGATE_REDIS_URL"], socket_connect_timeout=5).ping()
except Exception as exc:
    sys.exit(f"Redis is not reachable at {os.environ['STARGATE_REDIS_URL']}: {exc}")
PY

"$BIN/python" manage.py validate_rubrics
"$BIN/pytest" -q "$@"
"$BIN/ruff" check .
"$BIN/ruff" format --check .
"$BIN/mypy" .
echo "All checks passed."
