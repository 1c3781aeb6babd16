#!/usr/bin/env bash
# Mutation testing of the gates, the redaction rules and the object semantics (README "Mutation
# testing"). Outside CI: hours on two cores. Needs the `mutation` extra:
#   .venv/bin/pip install -e ".[mutation]"
# Usage: bash scripts/mutation.sh [mutant-name-glob ...]   (e.g. "remediation.gates*")
# Configuration: [tool.mutmut] in pyproject.toml. Runs in the embedded mode (no PostgreSQL, no
# Redis: the selected tests are pure); results stay in ./mutants (git-ignored): `mutmut browse`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${STARGATE_VENV_BIN:-.venv/bin}"
if [ ! -x "$BIN/mutmut" ]; then
  echo "mutmut is missing: $BIN/pip install -e '.[mutation]'" >&2
  exit 1
fi

unset STARGATE_DATABASE_URL STARGATE_REDIS_URL
export STARGATE_DATA_DIR="${STARGATE_DATA_DIR:-$(mktemp -d)}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export PATH="$(cd "$BIN" && pwd):$PATH"

"$BIN/mutmut" run --max-children "${MUTMUT_CHILDREN:-$(nproc)}" "$@" || true
"$BIN/mutmut" results
