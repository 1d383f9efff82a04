#!/usr/bin/env bash
# The whole test suite: every test on the embedded SQLite store, then — where PostgreSQL is configured
# (LECTR_TEST_POSTGRES_URL; CI sets it) — the end-to-end, dashboard and browser suites again with
# every gateway on a fresh PostgreSQL database.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CI:-}" = "true" ] && [ -z "${LECTR_TEST_POSTGRES_URL:-}" ]; then
  export LECTR_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:5432/test"
fi
echo "== pass 1: all tests, gateways on SQLite"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
if [ -n "${LECTR_TEST_POSTGRES_URL:-}" ] && [ "$#" -eq 0 ]; then
  echo "== pass 2: end-to-end, dashboard and browser tests, gateways on PostgreSQL"
  LECTR_TEST_STORE=postgres .venv/bin/python -m pytest -q -p no:cacheprovider tests/e2e tests/dashboard tests/browser
else
  echo "== pass 2 skipped: set LECTR_TEST_POSTGRES_URL to run the gateway suites on PostgreSQL too"
fi
