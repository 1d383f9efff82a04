#!/usr/bin/env bash
# Non-Python test dependencies: the Node SDK smoke test's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v npm >/dev/null 2>&1 && [ -f tests/node/package.json ] && [ ! -d tests/node/node_modules ]; then
  (cd tests/node && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
