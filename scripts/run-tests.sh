#!/usr/bin/env bash
# The whole test suite. CI sets CI=true; then PostgreSQL tests must run (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CI:-}" = "true" ] && [ -z "${LECTR_TEST_POSTGRES_URL:-}" ]; then
  export LECTR_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:5432/test"
fi
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
